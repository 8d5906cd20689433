import axios, { isAxiosError, type AxiosInstance } from 'axios';
import type { Registry } from 'prom-client';
import type { ApiRequestOptions } from '../generated/core/ApiRequestOptions';
import { knownSecrets, type Logger } from '../logging';
import { USER_AGENT } from '../version';
import type { PlatformTokenProvider, TokenProvider } from './auth';
import { abortable, abortReason } from './abort';
import {
  DryRunWriteError,
  UnavailableError,
  VvpCallAbortedError,
  VvpError,
  errorForStatus,
  vvpMessageOf,
  type VvpRequestInfo,
} from './errors';
import { vvpApiMetrics, type VvpApiMetrics } from './metrics';
import type { Permit, RequestLimiter } from './rate-limit';
import {
  backoffDelayMs,
  isRetryable,
  parseRetryAfterMs,
  type AttemptFailure,
  type RetryPolicy,
} from './retry';

/**
 * The spec's AppManager paths start with `/api` (where the VVP gateway serves them); the
 * configured AppManager base URL already ends with that prefix.
 */
const APP_MANAGER_PREFIX = '/api/';

/** What `--dry-run` lets through: requests that cannot change VVP. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Connection errors that prove the request never left this process. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED']);

/** Per-call options, accepted by every accessor of VvpClient. */
export interface VvpCallOptions {
  /**
   * Ends the call: in-flight HTTP, the pause before a retry and the wait for the rate limiter.
   * The call then rejects with VvpCallAbortedError and is not retried.
   */
  signal?: AbortSignal;
  /**
   * Credentials for this call instead of the configured TokenProvider/PlatformTokenProvider:
   * that token, or anonymous when `token` is undefined or empty.
   */
  auth?: { token: string | undefined };
}

export interface TransportOptions {
  appManagerApiUrl: string;
  platformApiUrl: string;
  tokens: TokenProvider;
  platformTokens: PlatformTokenProvider;
  /** Every attempt waits for its permit here. */
  limiter: RequestLimiter;
  logger: Logger;
  registry: Registry;
  timeoutMs: number;
  retry: RetryPolicy;
  /** `--dry-run`: every request but a read fails with DryRunWriteError before it is sent. */
  dryRun: boolean;
  /** Pauses between retries; may end early when `signal` aborts (the caller stops waiting anyway). */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  now: () => number;
}

/** What one attempt sends. */
interface Attempt {
  url: string;
  request: ApiRequestOptions;
  headers: Record<string, string>;
  info: VvpRequestInfo;
  signal: AbortSignal | undefined;
}

type AttemptOutcome =
  { ok: true; body: unknown } | { ok: false; failure: AttemptFailure; error: VvpError };

/**
 * Sends the generated client's requests: base URL per API, bearer token per VVP namespace,
 * timeout, retries, error mapping and metrics. Everything HTTP happens here and only here.
 */
export class VvpTransport {
  readonly #options: TransportOptions;
  readonly #appManagerBase: string;
  readonly #platformBase: string;
  readonly #http: AxiosInstance;
  readonly #metrics: VvpApiMetrics;
  readonly #log: Logger;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#appManagerBase = baseUrl(options.appManagerApiUrl, 'AppManager API URL');
    this.#platformBase = baseUrl(options.platformApiUrl, 'Platform API URL');
    this.#http = axios.create({
      timeout: options.timeoutMs,
      // Every HTTP answer is classified below; only transport failures reject.
      validateStatus: () => true,
      // Timeouts surface as ETIMEDOUT rather than the ambiguous ECONNABORTED.
      transitional: { clarifyTimeoutError: true },
      // VVP's own redirects are not expected; following one could leak the token elsewhere.
      maxRedirects: 0,
    });
    this.#metrics = vvpApiMetrics(options.registry);
    this.#log = options.logger.child({ component: 'vvp-client' });
  }

  async send(request: ApiRequestOptions, call: VvpCallOptions = {}): Promise<unknown> {
    const info: VvpRequestInfo = {
      method: request.method,
      route: request.url,
      path: concretePath(request.method, request.url, request.path),
    };
    if (this.#options.dryRun && !READ_METHODS.has(info.method)) {
      throw new DryRunWriteError(info, request.body);
    }
    const { signal } = call;
    const aborted = (): VvpCallAbortedError =>
      new VvpCallAbortedError(info, signal === undefined ? 'aborted' : abortReason(signal));
    const url = `${this.#urlFor(info.path)}${queryString(request.query)}`;
    const headers = await abortable(this.#headers(request, call.auth), signal, aborted);
    const { maxAttempts } = this.#options.retry;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted === true) throw aborted();
      const outcome = await this.#attempt({ url, request, headers, info, signal });
      if (outcome === 'aborted') throw aborted();
      if (outcome.ok) return outcome.body;
      const { failure, error } = outcome;
      if (attempt >= maxAttempts || !isRetryable(info.method, failure)) throw error;
      const delayMs = this.#retryDelayMs(error, attempt);
      // VVP asked for a longer pause than a call may wait: the caller's requeue takes it over.
      if (delayMs === undefined) throw error;
      this.#log.debug(
        { method: info.method, route: info.route, attempt, delayMs, error: error.message },
        'retrying VVP request',
      );
      await abortable(this.#options.sleep(delayMs, signal), signal, aborted);
    }
  }

  /** One attempt: a rate-limiter permit, then the HTTP exchange. */
  async #attempt(attempt: Attempt): Promise<AttemptOutcome | 'aborted'> {
    const permit = await this.#permit(attempt.signal);
    if (permit === 'aborted') return 'aborted';
    try {
      return await this.#exchange(attempt);
    } finally {
      permit.release();
    }
  }

  async #permit(signal: AbortSignal | undefined): Promise<Permit | 'aborted'> {
    this.#metrics.rateLimitWaiting.inc();
    try {
      const permit = await this.#options.limiter.acquire(signal);
      this.#metrics.rateLimitWait.observe(permit.waitedMs / 1000);
      return permit;
    } catch (error) {
      if (signal?.aborted === true) return 'aborted';
      throw error;
    } finally {
      this.#metrics.rateLimitWaiting.dec();
    }
  }

  async #exchange({
    url,
    request,
    headers,
    info,
    signal,
  }: Attempt): Promise<AttemptOutcome | 'aborted'> {
    const body: unknown = request.body;
    const started = this.#options.now();
    let outcome: AttemptOutcome | 'aborted';
    let code: string;
    try {
      const response = await this.#http.request<unknown>({
        url,
        method: request.method,
        headers,
        data: body,
        signal,
      });
      code = String(response.status);
      outcome = this.#classifyResponse(response.status, response.data, response.headers, info);
    } catch (error) {
      if (signal?.aborted === true) {
        // The caller gave up; says nothing about VVP, so it is no network_error.
        code = 'aborted';
        outcome = 'aborted';
      } else {
        const failure = transportFailure(error);
        code = failure.kind === 'timeout' ? 'timeout' : 'network_error';
        outcome = { ok: false, failure, error: this.#transportError(failure, error, info) };
      }
    }
    const seconds = (this.#options.now() - started) / 1000;
    const labels = { method: info.method, route: info.route };
    this.#metrics.requests.inc({ ...labels, code });
    this.#metrics.duration.observe(labels, seconds);
    this.#log.debug({ ...labels, path: info.path, code, seconds }, 'VVP request');
    return outcome;
  }

  #classifyResponse(
    status: number,
    data: unknown,
    headers: Record<string, unknown>,
    info: VvpRequestInfo,
  ): AttemptOutcome {
    if (status >= 200 && status < 300) {
      if (status === 204 || data === '' || data === undefined || data === null) {
        // Only a delete may answer without the object (the specs allow 204 there).
        if (info.method === 'DELETE') return { ok: true, body: undefined };
        const error = new VvpError(`answered ${status} without a body`, {
          ...info,
          status,
          vvpMessage: undefined,
        });
        return { ok: false, failure: { kind: 'http', status }, error };
      }
      if (typeof data === 'string') {
        // A 2xx page that is not JSON comes from something in front of VVP (proxy, login page).
        const error = new VvpError(`answered ${status} with a body that is not JSON`, {
          ...info,
          status,
          vvpMessage: vvpMessageOf(data),
        });
        return { ok: false, failure: { kind: 'http', status }, error };
      }
      const malformed = malformedAnswer(info, data);
      if (malformed !== undefined) {
        // Whatever answered is not VVP keeping its contract; acting on it could misread an
        // object as foreign or gone, so it is refused like a page that is not JSON.
        const error = new VvpError(`answered ${status} with ${malformed}`, {
          ...info,
          status,
          vvpMessage: undefined,
        });
        return { ok: false, failure: { kind: 'http', status }, error };
      }
      return { ok: true, body: data };
    }
    const retryAfter = headers['retry-after'];
    const error = errorForStatus(status, {
      ...info,
      vvpMessage: vvpMessageOf(data),
      retryAfterMs: parseRetryAfterMs(
        typeof retryAfter === 'string' ? retryAfter : undefined,
        this.#options.now(),
      ),
    });
    return { ok: false, failure: { kind: 'http', status }, error };
  }

  #transportError(failure: AttemptFailure, error: unknown, info: VvpRequestInfo): VvpError {
    // The axios error itself is not attached: its config carries the Authorization header.
    const reason = error instanceof Error ? error.message : String(error);
    const summary =
      failure.kind === 'timeout'
        ? `got no answer within ${this.#options.timeoutMs} ms`
        : `could not be completed (${reason})`;
    return new UnavailableError(summary, { ...info, status: undefined, vvpMessage: undefined });
  }

  /** The pause before the next attempt, or undefined when VVP asked for more than we wait. */
  #retryDelayMs(error: VvpError, attempt: number): number | undefined {
    const { retry, random } = this.#options;
    if (error instanceof UnavailableError && error.retryAfterMs !== undefined) {
      return error.retryAfterMs <= retry.maxRetryAfterMs ? error.retryAfterMs : undefined;
    }
    return backoffDelayMs(retry, attempt, random);
  }

  async #headers(
    request: ApiRequestOptions,
    auth: VvpCallOptions['auth'],
  ): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': USER_AGENT,
    };
    if (request.body !== undefined)
      headers['Content-Type'] = request.mediaType ?? 'application/json';
    const token = auth === undefined ? await this.#tokenFor(request) : auth.token;
    if (token !== undefined && token !== '') {
      knownSecrets.register(token);
      headers.Authorization = `Bearer ${token}`;
    }
    return headers;
  }

  /** Namespaced AppManager calls use that namespace's token; everything else the platform's. */
  #tokenFor(request: ApiRequestOptions): Promise<string | undefined> {
    const namespace: unknown = request.path?.namespace;
    if (request.url.startsWith(APP_MANAGER_PREFIX) && typeof namespace === 'string') {
      return this.#options.tokens.tokenFor(namespace);
    }
    return this.#options.platformTokens.platformToken();
  }

  #urlFor(path: string): string {
    return path.startsWith(APP_MANAGER_PREFIX)
      ? `${this.#appManagerBase}${path.slice(APP_MANAGER_PREFIX.length - 1)}`
      : `${this.#platformBase}${path}`;
  }
}

function baseUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${what} "${value}" is not a URL; expected e.g. http://vvp:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${what} "${value}" must use http:// or https://`);
  }
  return value.replace(/\/+$/, '');
}

/** The templated path with its parameters filled in, each encoded as one path segment. */
export function concretePath(
  method: string,
  route: string,
  params: Record<string, unknown> | undefined,
): string {
  return route.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params?.[name];
    if (typeof value !== 'string' || value === '' || value === '.' || value === '..') {
      throw new VvpError(`was not sent: path parameter "${name}" is ${JSON.stringify(value)}`, {
        method,
        route,
        path: route,
        status: undefined,
        vvpMessage: undefined,
      });
    }
    return encodeURIComponent(value);
  });
}

function queryString(query: Record<string, unknown> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      params.append(key, String(value));
    }
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Fields of AppManager objects the operator decides on: present means of this type. */
const TYPED_FIELDS: readonly [parent: string, field: string, type: string][] = [
  ['metadata', 'id', 'string'],
  ['metadata', 'name', 'string'],
  ['metadata', 'namespace', 'string'],
  ['metadata', 'labels', 'object'],
  ['spec', 'state', 'string'],
  ['status', 'state', 'string'],
];

/**
 * What is wrong with a successful JSON answer, if anything: every VVP answer is a JSON object,
 * and an AppManager object (the answer to a create, or to an operation on one object) has
 * `metadata` with an `id` and the fields the operator decides on of the right type.
 */
function malformedAnswer(info: VvpRequestInfo, data: unknown): string | undefined {
  if (!isRecord(data)) {
    return `JSON that is not an object (${Array.isArray(data) ? 'an array' : typeof data})`;
  }
  const oneObject =
    info.route.startsWith(APP_MANAGER_PREFIX) &&
    info.route.includes('/namespaces/{namespace}/') &&
    info.method !== 'DELETE' &&
    (info.route.endsWith('}') || info.method === 'POST');
  if (!oneObject) return undefined;
  if (!isRecord(data.metadata)) return 'an object without metadata';
  for (const [parent, field, type] of TYPED_FIELDS) {
    const container = data[parent];
    const value = isRecord(container) ? container[field] : undefined;
    if (value === undefined || value === null) continue;
    const actual = Array.isArray(value) ? 'array' : typeof value;
    if (actual !== type)
      return `an object whose ${parent}.${field} is of type ${actual}, not ${type}`;
  }
  if (typeof data.metadata.id !== 'string') return 'an object without metadata.id';
  return undefined;
}

function transportFailure(error: unknown): AttemptFailure {
  const code = isAxiosError(error) ? error.code : undefined;
  if (code !== undefined && NOT_SENT_CODES.has(code)) return { kind: 'not-sent' };
  if (code !== undefined && TIMEOUT_CODES.has(code)) return { kind: 'timeout' };
  return { kind: 'network' };
}
