/** Per-key exponential backoff settings. */
export interface BackoffOptions {
  /** Delay after the first failure (ms). */
  baseDelayMs: number;
  /** Upper bound of the delay (ms). */
  maxDelayMs: number;
}

/** Reconcile retries: 1 s doubling to 5 min, the pace a remote platform API tolerates. */
export const DEFAULT_RECONCILE_BACKOFF: BackoffOptions = {
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
};

/**
 * `baseDelayMs` doubled `attempt` times (attempt 0 is the base delay), capped at `maxDelayMs`:
 * the one exponential schedule of the queue and of the reconcilers' own retry pacing.
 */
export function exponentialDelay(options: BackoffOptions, attempt: number): number {
  // Cap the exponent before Math.pow so thousands of failures cannot overflow to Infinity.
  const exponent = Math.min(Math.max(attempt, 0), 52);
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
}

/**
 * Counts consecutive failures per key and turns them into exponentially growing delays
 * (client-go's ItemExponentialFailureRateLimiter). `forget` resets a key after a success.
 */
export class ExponentialBackoff<K> {
  readonly #failures = new Map<K, number>();

  constructor(private readonly options: BackoffOptions = DEFAULT_RECONCILE_BACKOFF) {}

  /** Records one more failure of `key` and returns how long to wait before the retry. */
  next(key: K): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    return exponentialDelay(this.options, failures);
  }

  /** Consecutive failures recorded for `key`. */
  failures(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.#failures.delete(key);
  }
}

/** A source of uniformly distributed numbers in [0, 1); injectable so tests are deterministic. */
export type RandomSource = () => number;

/** `baseMs` spread uniformly over ±`fraction` (e.g. 0.1 = ±10 %), so periodic work never lines up. */
export function jittered(
  baseMs: number,
  fraction: number,
  random: RandomSource = Math.random,
): number {
  return baseMs * (1 - fraction + 2 * fraction * random());
}
