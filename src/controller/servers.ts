import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from '../net/listen-address';

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
