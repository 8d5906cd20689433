import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging';
import { ADMIN_PREFIX, handleAdminRequest } from './admin-api';
import {
  Simulator,
  defaultSimulatorLogger,
  type SimulatorAdmin,
  type SimulatorOptions,
} from './simulator';

export interface StartOptions extends SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
}

export interface RunningSimulator {
  /** Base URL of both APIs, no trailing slash (what the operator is configured with). */
  url: string;
  admin: SimulatorAdmin;
  close(): Promise<void>;
}

/** Request bodies above this are refused; real deployments are a few kilobytes. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

class BodyTooLarge extends Error {}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Writes a streamed answer chunk by chunk, waiting whenever the client is slower. */
async function writeStream(response: ServerResponse, body: AsyncIterable<string>): Promise<void> {
  const iterator = body[Symbol.asyncIterator]();
  try {
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      if (response.destroyed) return;
      if (!response.write(next.value)) {
        // The listener of whichever event did not come is removed, not left to pile up.
        const settled = new AbortController();
        const { signal } = settled;
        await Promise.race([
          once(response, 'drain', { signal }),
          once(response, 'close', { signal }),
        ]).finally(() => {
          settled.abort();
        });
      }
    }
    response.end();
  } finally {
    await iterator.return?.();
  }
}

/** Starts the simulator on node:http; the VVP APIs and the admin API share one port. */
export async function startSimulator(options: StartOptions = {}): Promise<RunningSimulator> {
  const logger: Logger = options.logger ?? defaultSimulatorLogger();
  return serveSimulator(new Simulator({ ...options, logger }), { ...options, logger });
}

/**
 * Serves an existing simulator (for example one a test filled through `handle` first) on
 * node:http, as `startSimulator` does.
 */
export async function serveSimulator(
  simulator: Simulator,
  options: { port?: number; host?: string; logger?: Logger } = {},
): Promise<RunningSimulator> {
  const logger: Logger = options.logger ?? defaultSimulatorLogger();
  const server = createServer((request, response) => {
    void serve(request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'simulator could not answer a request');
      if (!response.headersSent) sendJson(response, 500, { message: 'internal simulator error' });
      else response.destroy();
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      sendJson(response, 413, { message: `Request body exceeds ${MAX_BODY_BYTES} bytes` });
      return;
    }
    const path = new URL(url, 'http://simulator').pathname;
    if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) {
      const answer = handleAdminRequest(simulator, method, path, body.toString('utf8'));
      sendJson(response, answer.status, answer.body);
      return;
    }
    const result = await simulator.handle({
      method,
      url,
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
      accept: request.headers.accept,
      body,
    });
    if (result.kind === 'abort') {
      response.destroy();
      return;
    }
    response.writeHead(result.status, result.headers);
    if (result.kind === 'stream') await writeStream(response, result.body);
    else response.end(result.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, ...simulator.info() }, 'VVP simulator listening');

  return {
    url,
    admin: simulator,
    close: async () => {
      simulator.shutdown();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
      });
    },
  };
}
