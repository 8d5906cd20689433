import { createLogger } from '../../src/logging';
import { startSimulator, type RunningSimulator, type StartOptions } from '../../src/simulator';

/** A simulator on a free loopback port that logs nothing (tests assert through the API). */
export function startQuietSimulator(options: StartOptions = {}): Promise<RunningSimulator> {
  return startSimulator({
    logger: createLogger({ destination: { write: () => undefined } }),
    ...options,
  });
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON (or the raw text when it is not JSON). */
  body: unknown;
  text: string;
}

/** One raw HTTP call: what an arbitrary VVP client would send, nothing added. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** Reads a nested field of a JSON answer, e.g. `field(body, 'status', 'state')`. */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The `message` of a VVP error body. */
export function messageOf(answer: HttpAnswer): string {
  const message = field(answer.body, 'message');
  return typeof message === 'string' ? message : '';
}
