import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging';
import type { ListenAddress } from '../net/listen-address';
import type { Clock } from './clock';

/** A named health check: resolves to undefined when healthy, else to the reason. */
export interface HealthCheck {
  name: string;
  check(): string | undefined;
}

export type RequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
) => void | Promise<void>;

/** A started HTTP endpoint. */
export interface HttpEndpoint {
  /** The bound port (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server on `address`; rejects with a clear message if it cannot bind. */
export async function listen(
  what: string,
  address: ListenAddress,
  handler: RequestHandler,
): Promise<HttpEndpoint> {
  const server: Server = createServer((request, response) => {
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      if (!response.headersSent)
        response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  // Probes and scrapes are short; keep-alive sockets must not hold up shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${address.host ?? '*'}:${address.port}`;
      reject(
        new Error(`${what} cannot listen on ${where}: ${error.code ?? error.message}`, {
          cause: error,
        }),
      );
    });
    server.listen(address.port, address.host, () => {
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/**
 * Serves `/healthz` (liveness) and `/readyz` (readiness) in the style of controller-runtime:
 * 200 `ok`, or 500 listing each check as `[+]name ok` / `[-]name failed: reason`.
 */
export function healthHandler(
  liveness: readonly HealthCheck[],
  readiness: readonly HealthCheck[],
): RequestHandler {
  return (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const checks = path === '/healthz' ? liveness : path === '/readyz' ? readiness : undefined;
    if (checks === undefined) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('not found: use /healthz or /readyz\n');
      return;
    }
    const results = checks.map((check) => ({ name: check.name, failure: check.check() }));
    const healthy = results.every((result) => result.failure === undefined);
    const verbose = new URL(request.url ?? '/', 'http://localhost').searchParams.has('verbose');
    const lines = results.map((result) =>
      result.failure === undefined
        ? `[+]${result.name} ok`
        : `[-]${result.name} failed: ${result.failure}`,
    );
    response.writeHead(healthy ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8' });
    if (healthy) {
      response.end(verbose ? `${lines.join('\n')}\n${path.slice(1)} check passed\n` : 'ok');
    } else {
      response.end(`${lines.join('\n')}\n${path.slice(1)} check failed\n`);
    }
  };
}

/** What the probes need to know about one informer. */
export interface InformerHealth {
  /** Names the informer in probe answers, e.g. `secrets (labels a=b) in vp-operator`. */
  readonly description: string;
  readonly cache: {
    readonly synced: boolean;
    readonly dead: boolean;
    readonly failingSince: number | undefined;
  };
}

export interface MetricsAndProbesOptions {
  /** `/metrics`; undefined = not served. */
  metricsAddress: ListenAddress | undefined;
  /** `/healthz` and `/readyz`; undefined = not served. */
  healthProbeAddress: ListenAddress | undefined;
  registry: Registry;
  /** The informers as they are when a probe asks. */
  informers: () => readonly InformerHealth[];
  /** `/healthz` fails once an informer has failed to list/watch for this long (ms). */
  informerFailureLimit: number;
  clock: Clock;
  logger: Logger;
}

/** The manager's running HTTP endpoints. */
export interface MetricsAndProbes {
  readonly metricsPort: number | undefined;
  readonly healthProbePort: number | undefined;
  close(): Promise<void>;
}

/**
 * Serves `/metrics` from the registry, and `/healthz` (the event loop answers; no informer
 * dead or failing for longer than the limit) and `/readyz` (every cache synced). A remote
 * platform's outage fails neither: restarting the operator cannot fix it.
 */
export async function serveMetricsAndProbes(
  options: MetricsAndProbesOptions,
): Promise<MetricsAndProbes> {
  const endpoints: HttpEndpoint[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  };
  try {
    let metricsPort: number | undefined;
    let healthProbePort: number | undefined;
    if (options.metricsAddress !== undefined) {
      const endpoint = await listen(
        'metrics server',
        options.metricsAddress,
        metricsHandler(options.registry),
      );
      endpoints.push(endpoint);
      metricsPort = endpoint.port;
      options.logger.info({ port: endpoint.port }, 'serving metrics at /metrics');
    }
    if (options.healthProbeAddress !== undefined) {
      const endpoint = await listen(
        'health probe server',
        options.healthProbeAddress,
        healthHandler(livenessChecks(options), readinessChecks(options)),
      );
      endpoints.push(endpoint);
      healthProbePort = endpoint.port;
      options.logger.info({ port: endpoint.port }, 'serving health probes at /healthz and /readyz');
    }
    return { metricsPort, healthProbePort, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function metricsHandler(registry: Registry): RequestHandler {
  return async (request, response) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('not found: metrics are served at /metrics\n');
      return;
    }
    const body = await registry.metrics();
    response.writeHead(200, { 'Content-Type': registry.contentType });
    response.end(body);
  };
}

function livenessChecks(options: MetricsAndProbesOptions): HealthCheck[] {
  // Answering at all proves the event loop is alive; a blocked loop shows as a probe timeout.
  return [
    {
      name: 'informers',
      check: () => {
        const now = options.clock.now();
        for (const { description, cache } of options.informers()) {
          if (cache.dead) return `informer of ${description} stopped for good (see the log)`;
          const since = cache.failingSince;
          if (since !== undefined && now - since >= options.informerFailureLimit) {
            return `informer of ${description} has failed to list/watch for ${Math.round((now - since) / 1000)}s`;
          }
        }
        return undefined;
      },
    },
  ];
}

function readinessChecks(options: MetricsAndProbesOptions): HealthCheck[] {
  return [
    {
      name: 'informers-synced',
      check: () => {
        const pending = options
          .informers()
          .filter(({ cache }) => !cache.synced)
          .map(({ description }) => description);
        return pending.length === 0 ? undefined : `caches not synced yet: ${pending.join(', ')}`;
      },
    },
  ];
}
