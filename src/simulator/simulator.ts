import { setImmediate as yieldToOthers, setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createLogger, knownSecrets, type Logger } from '../logging';
import { describePrincipal, isAllowed, type AuthMode, type Principal } from './auth';
import { AdvanceableClock } from './clock';
import { ApiContract, type Operation, type OperationMatch } from './contract';
import { SimulatorError } from './errors';
import { FaultInjector, type FaultRule, type PipelineStage } from './faults';
import type { Json } from '../json';
import { isJsonObject } from '../json';
import { DEFAULT_KNOBS, parseKnobs, type Knobs } from './knobs';
import { VVP_VERSIONS, type Job, type VvpVersion } from './model';
import { jsonTextTooDeep, nestingProblem, valueTooDeep } from './nesting';
import { createRandom, type RandomSource } from './random';
import {
  RequestLog,
  ViolationCounter,
  type RequestLogEntry,
  type ViolationCounts,
} from './request-log';
import { ROUTES, type Reply, type Route } from './routes';
import { isoTime } from './store';
import { SimulatedInstallation } from './installation';

export interface SimulatorOptions {
  /** `open` (community edition, any or no token) or `enforced` (Bearer tokens and roles). */
  auth?: AuthMode;
  /** The bootstrap admin token; required when auth is `enforced`. */
  adminToken?: string;
  /** 2.4 (default): name-or-id paths, DNS-label names, PUT. 2.1: id paths, no PUT. */
  vvpVersion?: VvpVersion;
  /** Makes ids, secrets and fault rolls repeatable. */
  seed?: number;
  /** Initial knob values (defaults in DEFAULT_KNOBS); also what `reset` returns to. */
  knobs?: Partial<Knobs>;
  /** Where the simulator logs (default: JSON lines on stdout, tagged `component: vvp-simulator`). */
  logger?: Logger;
  /** Simulated time; pass one to control it (tests), else wall-clock time that `advanceClock` can skip ahead. */
  clock?: AdvanceableClock;
  /** Requests kept in the request log (default 100 000). */
  requestLogCapacity?: number;
  /** The OpenAPI document to serve (default: api-spec/vvp-api.yaml). */
  specUrl?: URL;
}

/** A transport-neutral request: what the HTTP layer read off the socket. */
export interface SimulatorRequest {
  method: string;
  /** Path and query. */
  url: string;
  authorization?: string;
  contentType?: string;
  accept?: string;
  body: Buffer;
}

export type SimulatorResponse =
  | { kind: 'reply'; status: number; headers: Record<string, string>; body: string }
  /**
   * A large list, produced chunk by chunk so that serving it never holds up other requests.
   * A contract violation found after the first chunk ends the stream with an error (the
   * connection is cut) and is counted like any response violation.
   */
  | { kind: 'stream'; status: number; headers: Record<string, string>; body: AsyncIterable<string> }
  /** An injected connection reset. */
  | { kind: 'abort' };

/** Everything tests, the demo and benchmarks use to steer and observe a running simulator. */
export interface SimulatorAdmin {
  knobs(): Knobs;
  setKnobs(update: Partial<Knobs>): Knobs;
  addFault(rule: unknown): FaultRule;
  faults(): FaultRule[];
  removeFault(id: string): void;
  clearFaults(): void;
  requests(): { entries: RequestLogEntry[]; dropped: number };
  clearRequests(): void;
  /** Contract violations, and `internal` failures (also counted in `response`). */
  violations(): ViolationCounts;
  /** Moves simulated time forward; due transitions happen on the next request. */
  advanceClock(ms: number): void;
  /** Empty installation (only `default`), initial knobs, no faults, empty logs and counters. */
  reset(): void;
  failJob(namespace: string, jobId: string, message?: string): Job;
  finishJob(namespace: string, jobId: string): Job;
  info(): { vvpVersion: VvpVersion; auth: AuthMode; now: string };
}

/** One request on its way through the pipeline. */
interface Exchange {
  request: SimulatorRequest;
  url: URL;
  match: OperationMatch;
  /** Whether an injected fault shaped the answer (for the request log). */
  fault: boolean;
  /** A stage an injected fault makes throw. */
  failStage?: PipelineStage;
}

/** Lists longer than this are streamed in chunks of this many items. */
export const LIST_CHUNK_ITEMS = 100;

/** An unexpected exception in a stage of the pipeline (a simulator bug). */
class StageFailure extends Error {
  constructor(
    readonly stage: PipelineStage | 'pipeline',
    cause: unknown,
  ) {
    super(`${stage}: ${String(cause)}`, { cause });
  }
}

function injectedFailure(stage: PipelineStage): Error {
  return new Error(`injected failure in stage ${stage}`);
}

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];
const APPMANAGER_PREFIX = '/api/';

/**
 * The VVP simulator without its socket: every request runs latency → outage → routing →
 * injected faults → authentication → parse → validate → apply → serialise → store, and lands
 * in the request log.
 *
 * A request is applied whole or not at all: the handler writes under a journal, the answer is
 * serialised and checked against the contract, and only then is the write committed. A
 * refusal, a contract violation or an unexpected exception in any stage rolls it back.
 */
export class Simulator implements SimulatorAdmin {
  readonly #contract: ApiContract;
  readonly #clock: AdvanceableClock;
  readonly #logger: Logger;
  readonly #auth: AuthMode;
  readonly #adminToken: string | undefined;
  readonly #version: VvpVersion;
  readonly #seed: number | undefined;
  readonly #initialKnobs: Knobs;
  readonly #faults: FaultInjector;
  readonly #requestLog: RequestLog;
  readonly #violations = new ViolationCounter();
  readonly #shutdown = new AbortController();
  #knobs: Knobs;
  #random: RandomSource;
  #installation: SimulatedInstallation;

  constructor(options: SimulatorOptions = {}) {
    this.#auth = options.auth ?? 'open';
    this.#adminToken = options.adminToken;
    if (this.#auth === 'enforced' && (this.#adminToken === undefined || this.#adminToken === '')) {
      throw new Error('auth mode "enforced" needs an admin token (--admin-token)');
    }
    knownSecrets.register(this.#adminToken);
    this.#version = options.vvpVersion ?? '2.4';
    this.#seed = options.seed;
    this.#initialKnobs = { ...DEFAULT_KNOBS, ...parseKnobs(options.knobs ?? {}) };
    this.#knobs = { ...this.#initialKnobs };
    this.#logger = options.logger ?? defaultSimulatorLogger();
    this.#clock = options.clock ?? new AdvanceableClock();
    this.#contract = ApiContract.load(options.specUrl);
    this.#checkRoutesCoverContract();
    this.#faults = new FaultInjector(this.#contract.operations.map((op) => op.path.template));
    this.#requestLog = new RequestLog(options.requestLogCapacity ?? 100_000);
    this.#random = createRandom(this.#seed);
    this.#installation = this.#newInstallation();
  }

  async handle(request: SimulatorRequest): Promise<SimulatorResponse> {
    const started = performance.now();
    const at = isoTime(this.#clock.now());
    const url = new URL(request.url, 'http://simulator');
    const exchange: Exchange = {
      request,
      url,
      match: this.#contract.match(request.method, url.pathname),
      fault: false,
    };
    let response: SimulatorResponse;
    try {
      response = await this.#respond(exchange);
    } catch (error) {
      if (this.#shutdown.signal.aborted) return { kind: 'abort' };
      response = this.#internalFailure(
        exchange,
        error instanceof StageFailure ? error : new StageFailure('pipeline', error),
      );
    }
    const record = (status: number): void => {
      this.#requestLog.record({
        at,
        method: request.method,
        url: request.url,
        operationId: exchange.match.kind === 'found' ? exchange.match.operation.id : null,
        status,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        fault: exchange.fault,
      });
      this.#logger.debug({ method: request.method, url: request.url, status }, 'vvp request');
    };
    if (response.kind === 'stream') {
      // Logged once the last chunk is out, so the log shows what was served meanwhile.
      return {
        ...response,
        body: loggedAtEnd(response.body, () => {
          record(response.status);
        }),
      };
    }
    record(response.kind === 'reply' ? response.status : 0);
    return response;
  }

  /** Answers 500 and counts an unexpected exception; the write it was part of is rolled back. */
  #internalFailure(exchange: Exchange, failure: StageFailure): SimulatorResponse {
    const { request, match } = exchange;
    const operationId =
      match.kind === 'found' ? match.operation.id : `${request.method} ${request.url}`;
    this.#violations.record({
      at: isoTime(this.#clock.now()),
      kind: 'internal',
      operationId,
      status: 500,
      message: failure.message,
    });
    this.#logger.error(
      { err: failure.cause, stage: failure.stage, method: request.method, url: request.url },
      'simulator failure',
    );
    return errorReply(
      500,
      `internal simulator error in ${failure.stage}: ${String(failure.cause)}`,
    );
  }

  /** Stops pending latency and fault delays (their requests are aborted). */
  shutdown(): void {
    this.#shutdown.abort();
  }

  async #respond(exchange: Exchange): Promise<SimulatorResponse> {
    const { request, url, match } = exchange;
    const signal = this.#shutdown.signal;
    if (this.#knobs.latencyMs > 0) await sleep(this.#knobs.latencyMs, undefined, { signal });
    if (this.#knobs.outage) {
      return errorReply(503, 'Ververica Platform is unavailable (simulated outage)');
    }
    if (match.kind === 'not-found') {
      return errorReply(404, `No endpoint ${request.method} ${url.pathname}`);
    }
    const route = match.kind === 'found' ? ROUTES[match.operation.id] : undefined;
    if (match.kind !== 'found' || route === undefined || !this.#serves(route)) {
      return errorReply(
        405,
        `Method ${request.method} is not supported at ${url.pathname} (VVP ${this.#version})`,
        { Allow: this.#servedMethods(url.pathname).join(', ') },
      );
    }
    const { operation, params } = match;

    const fault = this.#faults.pick(request.method, operation.path.template, this.#random);
    exchange.fault = fault !== undefined;
    exchange.failStage = fault?.failStage;
    if (fault?.delayMs !== undefined) await sleep(fault.delayMs, undefined, { signal });
    if (fault?.abort === true) return { kind: 'abort' };
    if (fault?.body !== undefined) return rawReply(fault);
    if (fault?.status !== undefined) {
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined
          ? {}
          : { 'Retry-After': String(fault.retryAfterSeconds) };
      return errorReply(
        fault.status,
        fault.message ?? `Injected fault: status ${fault.status}`,
        headers,
      );
    }

    this.#installation.catchUp();
    const principal = this.#authenticate(request.authorization);
    if (principal === undefined) {
      const message =
        request.authorization === undefined
          ? 'Authentication required: send "Authorization: Bearer <API token>"'
          : 'The API token is not valid (unknown, revoked or malformed)';
      return errorReply(401, message, { 'WWW-Authenticate': 'Bearer' });
    }
    const namespace = params.namespace;
    const namespaceState =
      namespace === undefined ? undefined : this.#installation.store.namespaces.get(namespace);
    if (!isAllowed(principal, route.access, namespaceState)) {
      const where = namespace === undefined ? '' : ` in namespace '${namespace}'`;
      return errorReply(
        403,
        `${describePrincipal(principal)} may not ${route.access.verb} ${route.access.resource}${where}`,
      );
    }

    const isAppManager = url.pathname.startsWith(APPMANAGER_PREFIX);
    let body: Json | undefined;
    try {
      body = this.#stage(exchange, 'parse', () => parseBody(request, isAppManager));
    } catch (error) {
      if (error instanceof SimulatorError) return errorReply(error.status, error.message);
      throw error;
    }
    const problem = this.#stage(exchange, 'validate', () =>
      this.#contract.checkRequest(operation, url.searchParams, body, {
        unknownFields: this.#knobs.allowUnknownFields ? 'accept' : 'refuse',
      }),
    );
    if (problem !== undefined) {
      this.#violations.record({
        at: isoTime(this.#clock.now()),
        kind: 'request',
        operationId: operation.id,
        status: 400,
        message: problem,
      });
      return errorReply(400, problem);
    }

    const yaml = isAppManager && wantsYaml(request.accept);
    const journal = this.#installation.journal;
    journal.begin();
    let response: SimulatorResponse;
    try {
      let reply: Reply;
      try {
        reply = this.#stage(exchange, 'apply', () =>
          route.handle({
            installation: this.#installation,
            version: this.#version,
            params,
            query: url.searchParams,
            body: isJsonObject(body) ? body : {},
          }),
        );
      } catch (error) {
        if (!(error instanceof SimulatorError)) throw error;
        reply = { status: error.status, body: { message: error.message } };
      }
      response = this.#stage(exchange, 'serialise', () => this.#send(operation, reply, yaml));
      if (response.kind !== 'abort' && response.status < 400) {
        // The commit point: an injected failure here strikes before the write is made final.
        this.#stage(
          exchange,
          'store',
          () => {
            journal.commit();
          },
          'before',
        );
      }
    } finally {
      // Whatever was not committed (a refusal, a violation, a failure) is taken back.
      if (journal.active) journal.rollback();
    }
    // The outcome is final, only the client does not know it yet: the window in which a client
    // that dies never learns that its non-idempotent call succeeded.
    if (fault?.answerDelayMs !== undefined) await sleep(fault.answerDelayMs, undefined, { signal });
    return response;
  }

  /**
   * Runs one stage; an injected `failStage` throws after the stage's own work (so that a
   * failed apply has already written, and the rollback is what keeps the store unchanged),
   * or before it for the commit. Unexpected exceptions become a StageFailure naming the stage.
   */
  #stage<T>(
    exchange: Exchange,
    stage: PipelineStage,
    work: () => T,
    inject: 'before' | 'after' = 'after',
  ): T {
    const injected = exchange.failStage === stage;
    if (injected && inject === 'before') throw new StageFailure(stage, injectedFailure(stage));
    let result: T;
    try {
      result = work();
    } catch (error) {
      if (error instanceof SimulatorError || error instanceof StageFailure) throw error;
      throw new StageFailure(stage, error);
    }
    if (injected) throw new StageFailure(stage, injectedFailure(stage));
    return result;
  }

  #send(operation: Operation, reply: Reply, yaml: boolean): SimulatorResponse {
    if (isLargeList(reply.body)) return this.#sendList(operation, reply.status, reply.body, yaml);
    const json = JSON.stringify(reply.body);
    const problem = this.#contract.checkResponse(operation, reply.status, JSON.parse(json) as Json);
    if (problem !== undefined) return this.#responseViolation(operation, reply.status, problem);
    const [contentType, body] = yaml
      ? ['application/yaml', stringifyYaml(JSON.parse(json))]
      : ['application/json', json];
    return { kind: 'reply', status: reply.status, headers: { 'Content-Type': contentType }, body };
  }

  #responseViolation(operation: Operation, status: number, problem: string): SimulatorResponse {
    this.#violations.record({
      at: isoTime(this.#clock.now()),
      kind: 'response',
      operationId: operation.id,
      status,
      message: problem,
    });
    this.#logger.error(
      { operationId: operation.id, problem },
      'simulator response violates api-spec',
    );
    return errorReply(500, `simulator bug: ${problem}`);
  }

  /**
   * A list with many items, serialised and checked a chunk at a time, yielding to other
   * requests between chunks. The first chunk is done at once, so a systematic violation is
   * still answered with a proper 500.
   */
  #sendList(
    operation: Operation,
    status: number,
    list: LargeList,
    yaml: boolean,
  ): SimulatorResponse {
    const { items, ...envelope } = list;
    const render = (start: number): string | SimulatorResponse => {
      const chunk = JSON.parse(
        JSON.stringify(items.slice(start, start + LIST_CHUNK_ITEMS)),
      ) as Json[];
      const problem = this.#contract.checkResponse(operation, status, {
        ...envelope,
        items: chunk,
      });
      if (problem !== undefined) {
        return this.#responseViolation(
          operation,
          status,
          `${problem} (in the items from ${start})`,
        );
      }
      if (yaml) return indent(stringifyYaml(chunk));
      const json = JSON.stringify(chunk).slice(1, -1);
      return start === 0 ? json : `,${json}`;
    };
    const rendered = render(0);
    if (typeof rendered !== 'string') return rendered;
    const first: string = rendered;
    const envelopeJson = JSON.stringify(envelope);
    const head = yaml
      ? `${stringifyYaml(envelope)}items:\n`
      : `${envelopeJson === '{}' ? '{' : `${envelopeJson.slice(0, -1)},`}"items":[`;
    async function* chunks(): AsyncGenerator<string> {
      yield head + first;
      for (let start = LIST_CHUNK_ITEMS; start < items.length; start += LIST_CHUNK_ITEMS) {
        await yieldToOthers();
        const next = render(start);
        if (typeof next !== 'string')
          throw new Error(`simulator bug in a streamed list of ${operation.id}`);
        yield next;
      }
      if (!yaml) yield ']}';
    }
    return {
      kind: 'stream',
      status,
      headers: { 'Content-Type': yaml ? 'application/yaml' : 'application/json' },
      body: chunks(),
    };
  }

  #servedMethods(path: string): string[] {
    return this.#contract.operations
      .filter((op) => op.path.match(path) !== undefined && this.#serves(ROUTES[op.id]))
      .map((op) => op.method);
  }

  #serves(route: Route | undefined): boolean {
    if (route === undefined) return false;
    return (
      route.since === undefined ||
      VVP_VERSIONS.indexOf(route.since) <= VVP_VERSIONS.indexOf(this.#version)
    );
  }

  #authenticate(header: string | undefined): Principal | undefined {
    if (this.#auth === 'open') return { kind: 'anonymous' };
    const secret = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (secret === undefined) return undefined;
    if (secret === this.#adminToken) return { kind: 'admin' };
    const found = this.#installation.store.findToken(secret);
    if (found === undefined) return undefined;
    return {
      kind: 'token',
      name: found.record.token.name,
      namespace: found.namespace.name,
      role: found.record.token.role,
    };
  }

  /** A spec operation without a handler (or the reverse) is a build mistake: fail at start. */
  #checkRoutesCoverContract(): void {
    const specIds = new Set(this.#contract.operations.map((op) => op.id));
    const missing = [...specIds].filter((id) => !(id in ROUTES));
    const extra = Object.keys(ROUTES).filter((id) => !specIds.has(id));
    if (missing.length > 0 || extra.length > 0) {
      throw new Error(
        `simulator routes and api-spec disagree: unhandled operations [${missing.join(', ')}], ` +
          `handlers without an operation [${extra.join(', ')}]`,
      );
    }
  }

  #newInstallation(): SimulatedInstallation {
    return new SimulatedInstallation({
      clock: this.#clock,
      random: this.#random,
      version: this.#version,
      settings: () => this.#knobs,
    });
  }

  // ---- SimulatorAdmin ----

  knobs(): Knobs {
    return { ...this.#knobs };
  }

  setKnobs(update: Partial<Knobs>): Knobs {
    this.#knobs = { ...this.#knobs, ...parseKnobs(update) };
    this.#logger.info({ knobs: this.#knobs }, 'knobs changed');
    return this.knobs();
  }

  addFault(rule: unknown): FaultRule {
    const added = this.#faults.add(rule);
    this.#logger.info({ fault: added }, 'fault rule added');
    return added;
  }

  faults(): FaultRule[] {
    return this.#faults.list();
  }

  removeFault(id: string): void {
    this.#faults.remove(id);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  requests(): { entries: RequestLogEntry[]; dropped: number } {
    return this.#requestLog.snapshot();
  }

  clearRequests(): void {
    this.#requestLog.clear();
  }

  violations(): ViolationCounts {
    return this.#violations.snapshot();
  }

  advanceClock(ms: number): void {
    this.#clock.advance(ms);
  }

  reset(): void {
    this.#knobs = { ...this.#initialKnobs };
    this.#faults.clear();
    this.#requestLog.clear();
    this.#violations.clear();
    this.#random = createRandom(this.#seed);
    this.#installation = this.#newInstallation();
    this.#logger.info('simulator reset');
  }

  failJob(namespace: string, jobId: string, message = 'simulated unrecoverable job failure'): Job {
    this.#installation.catchUp();
    const installation = this.#installation;
    return installation.transact(() => installation.appManager.failJob(namespace, jobId, message));
  }

  finishJob(namespace: string, jobId: string): Job {
    this.#installation.catchUp();
    const installation = this.#installation;
    return installation.transact(() => installation.appManager.finishJob(namespace, jobId));
  }

  info(): { vvpVersion: VvpVersion; auth: AuthMode; now: string } {
    return { vvpVersion: this.#version, auth: this.#auth, now: isoTime(this.#clock.now()) };
  }
}

export function defaultSimulatorLogger(): Logger {
  return createLogger().child({ component: 'vvp-simulator' });
}

/** A fault's `body`, sent as is (`bodyRepeat` times, streamed), whatever the contract says. */
function rawReply(fault: FaultRule): SimulatorResponse {
  const headers = { 'Content-Type': fault.contentType ?? 'application/json' };
  const status = fault.status ?? 200;
  const body = fault.body ?? '';
  const repeat = fault.bodyRepeat ?? 1;
  if (repeat === 1) return { kind: 'reply', status, headers, body };
  async function* repeated(): AsyncIterable<string> {
    for (let sent = 0; sent < repeat; sent++) {
      // Serving a huge answer never holds up the other requests.
      await yieldToOthers();
      yield body;
    }
  }
  return { kind: 'stream', status, headers, body: repeated() };
}

function errorReply(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): SimulatorResponse {
  return {
    kind: 'reply',
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ message }),
  };
}

interface LargeList {
  items: unknown[];
  [key: string]: unknown;
}

/** An AppManager list (`{ kind, apiVersion, metadata, items }`) long enough to stream. */
function isLargeList(body: unknown): body is LargeList {
  return isJsonObject(body) && Array.isArray(body.items) && body.items.length > LIST_CHUNK_ITEMS;
}

/** YAML of a sequence, nested two spaces deeper (the items under `items:`). */
function indent(yaml: string): string {
  return yaml.replace(/^(?=.)/gm, '  ');
}

/** Passes the chunks through and calls `done` once the stream has ended, however it ended. */
async function* loggedAtEnd(body: AsyncIterable<string>, done: () => void): AsyncGenerator<string> {
  try {
    yield* body;
  } finally {
    done();
  }
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function wantsYaml(accept: string | undefined): boolean {
  const types = (accept ?? '').split(',').map(mediaType);
  return types.some((type) => YAML_TYPES.includes(type)) && !types.includes('application/json');
}

/**
 * JSON everywhere; YAML too on the Application Manager API, as VVP accepts it there. Bodies
 * nested deeper than MAX_NESTING_DEPTH are refused before anything recursive touches them.
 */
function parseBody(request: SimulatorRequest, isAppManager: boolean): Json | undefined {
  if (request.body.length === 0) return undefined;
  const text = request.body.toString('utf8');
  const type = mediaType(request.contentType);
  if (YAML_TYPES.includes(type)) {
    if (!isAppManager)
      throw new SimulatorError(415, 'The Platform API accepts application/json only');
    let parsed: Json;
    try {
      parsed = parseYaml(text) as Json;
    } catch (error) {
      // The YAML parser recurses: a hostile nesting overflows its stack before any depth check.
      if (error instanceof RangeError || /Maximum call stack size exceeded/.test(String(error))) {
        throw new SimulatorError(400, nestingProblem());
      }
      throw new SimulatorError(400, `Request body is not valid YAML: ${(error as Error).message}`);
    }
    if (valueTooDeep(parsed)) throw new SimulatorError(400, nestingProblem());
    return parsed;
  }
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    throw new SimulatorError(
      415,
      `Unsupported Content-Type '${type}'; send application/json${isAppManager ? ' or application/yaml' : ''}`,
    );
  }
  if (jsonTextTooDeep(text)) throw new SimulatorError(400, nestingProblem());
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    throw new SimulatorError(400, `Request body is not valid JSON: ${(error as Error).message}`);
  }
}
