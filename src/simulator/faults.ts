import { Ajv } from 'ajv';
import { describeErrors } from './contract';
import { badRequest, notFound } from './errors';
import type { RandomSource } from './random';

/** The stages of a request's pipeline, in order; `failStage` makes one of them throw. */
export const PIPELINE_STAGES = ['parse', 'validate', 'apply', 'serialise', 'store'] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/** An injected failure for the requests matching `method` and `path`. */
export interface FaultRule {
  id: string;
  /** HTTP method, or `*`. */
  method: string;
  /** A path template exactly as in api-spec/ (`/api/v1/namespaces/{namespace}/deployments`), or `*`. */
  path: string;
  /** Share (0..1) of matching requests the fault hits. */
  rate: number;
  /** Answer with this status and `{ "message" }` instead of handling the request. */
  status?: number;
  /** With `status`: the Retry-After header (seconds), e.g. for 429 and 503. */
  retryAfterSeconds?: number;
  /** Hold the request this long first (a slow or timing-out VVP); handled normally unless `status` or `abort` is set. */
  delayMs?: number;
  /**
   * Handle the request normally but hold the answer this long after its outcome is final (a
   * client that dies meanwhile never learns that its create succeeded).
   */
  answerDelayMs?: number;
  /** Destroy the connection without an answer (a reset). */
  abort?: boolean;
  /** Hits left before the rule removes itself; unlimited when absent. */
  remaining?: number;
  /** Overrides the error message of `status`. */
  message?: string;
  /**
   * Answer with exactly this text instead of handling the request (a hostile or broken VVP:
   * malformed JSON, an HTML error page, an empty 200), with `status` (default 200).
   */
  body?: string;
  /** With `body`: its Content-Type header (default application/json). */
  contentType?: string;
  /** With `body`: send it this many times in a row (huge answers, streamed). */
  bodyRepeat?: number;
  /**
   * Throw an unexpected error in this stage of the request (a simulator bug on purpose): the
   * request answers 500, counts as an internal violation and changes nothing.
   */
  failStage?: PipelineStage;
}

export type FaultRuleInput = Omit<FaultRule, 'id' | 'method' | 'path' | 'rate'> &
  Partial<Pick<FaultRule, 'method' | 'path' | 'rate'>>;

const validateInput = new Ajv({ allErrors: true }).compile<FaultRuleInput>({
  type: 'object',
  additionalProperties: false,
  properties: {
    method: { type: 'string', enum: ['*', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
    path: { type: 'string', minLength: 1 },
    rate: { type: 'number', minimum: 0, maximum: 1 },
    status: { type: 'integer', minimum: 100, maximum: 599 },
    retryAfterSeconds: { type: 'integer', minimum: 0 },
    delayMs: { type: 'integer', minimum: 0, maximum: 600_000 },
    answerDelayMs: { type: 'integer', minimum: 0, maximum: 600_000 },
    abort: { type: 'boolean' },
    remaining: { type: 'integer', minimum: 1 },
    message: { type: 'string' },
    body: { type: 'string' },
    contentType: { type: 'string', minLength: 1 },
    bodyRepeat: { type: 'integer', minimum: 1, maximum: 10_000_000 },
    failStage: { type: 'string', enum: [...PIPELINE_STAGES] },
  },
  anyOf: [
    { required: ['status'] },
    { required: ['delayMs'] },
    { required: ['answerDelayMs'] },
    { required: ['abort'] },
    { required: ['failStage'] },
    { required: ['body'] },
  ],
  dependencies: { contentType: ['body'], bodyRepeat: ['body'] },
});

/** Fault rules, consulted for every VVP request in the order they were added. */
export class FaultInjector {
  readonly #rules: FaultRule[] = [];
  readonly #knownPaths: ReadonlySet<string>;
  #nextId = 1;

  constructor(knownPaths: Iterable<string>) {
    this.#knownPaths = new Set(knownPaths);
  }

  add(input: unknown): FaultRule {
    if (!validateInput(input)) {
      throw badRequest(
        `invalid fault rule: ${describeErrors(validateInput.errors, 'rule')} ` +
          '(one of status, delayMs, answerDelayMs, abort, failStage or body is required)',
      );
    }
    const path = input.path ?? '*';
    if (path !== '*' && !this.#knownPaths.has(path)) {
      throw badRequest(
        `fault rule path '${path}' is not a path template of the API; use one of: ${[...this.#knownPaths].join(', ')}`,
      );
    }
    const rule: FaultRule = {
      ...input,
      id: String(this.#nextId++),
      method: input.method ?? '*',
      path,
      rate: input.rate ?? 1,
    };
    this.#rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.#rules.map((rule) => ({ ...rule }));
  }

  remove(id: string): void {
    const index = this.#rules.findIndex((rule) => rule.id === id);
    if (index < 0) throw notFound(`fault rule ${id} not found`);
    this.#rules.splice(index, 1);
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** The first matching rule whose dice roll hits, used up by one. */
  pick(method: string, path: string, random: RandomSource): FaultRule | undefined {
    for (const [index, rule] of this.#rules.entries()) {
      if (rule.method !== '*' && rule.method !== method) continue;
      if (rule.path !== '*' && rule.path !== path) continue;
      if (random.next() >= rule.rate) continue;
      if (rule.remaining !== undefined) {
        rule.remaining -= 1;
        if (rule.remaining === 0) this.#rules.splice(index, 1);
      }
      return { ...rule };
    }
    return undefined;
  }
}
