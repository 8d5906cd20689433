export interface RetryPolicy {
  /** Attempts per call, the first one included. 1 disables retries. */
  maxAttempts: number;
  /** Backoff before the first retry; it doubles with every further retry. */
  initialDelayMs: number;
  /** Upper bound of the exponential backoff. */
  maxDelayMs: number;
  /**
   * Longest server-requested `Retry-After` wait a call sits out; a longer request ends the call
   * with UnavailableError.retryAfterMs for the work queue to honour.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  initialDelayMs: 250,
  maxDelayMs: 8_000,
  // Longer waits are better spent in the work queue than in a blocked reconcile worker.
  maxRetryAfterMs: 10_000,
};

/** How one attempt failed, as far as the retry decision cares. */
export type AttemptFailure =
  /** No connection was established (refused, DNS): the request provably never reached VVP. */
  | { kind: 'not-sent' }
  /** The connection broke or timed out: VVP may or may not have processed the request. */
  | { kind: 'network' }
  | { kind: 'timeout' }
  | { kind: 'http'; status: number };

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** Methods whose repetition cannot do more than the first call did (PATCH is a merge patch). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a failed attempt may be repeated. A POST that reached VVP is never repeated, whatever
 * the answer: a 503 from a busy gateway may still have created the deployment, and a second
 * create could start a second Flink job. The caller recovers by looking the object up instead.
 */
export function isRetryable(method: string, failure: AttemptFailure): boolean {
  if (failure.kind === 'not-sent') return true;
  if (!IDEMPOTENT_METHODS.has(method)) return false;
  return failure.kind !== 'http' || RETRYABLE_STATUSES.has(failure.status);
}

/**
 * Exponential backoff with jitter ("equal jitter": half fixed, half random), so that many
 * reconcilers failing together do not retry in lockstep. `retry` counts from 1.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Parses a `Retry-After` header (delay in seconds, or an HTTP date) into milliseconds from
 * `nowMs`; undefined when absent or unreadable.
 */
export function parseRetryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  const value = header?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Every HTTP date format starts with the day name; Date.parse alone would take "-5" as a year.
  if (!/^[A-Za-z]/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
