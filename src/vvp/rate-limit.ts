import { setTimeout } from 'node:timers/promises';

/** How hard the operator may drive VVP, across all objects (`--vvp-requests-per-second` etc.). */
export interface RateLimit {
  /** Sustained rate of HTTP requests (every attempt counts). */
  requestsPerSecond: number;
  /** Requests that may go out at once after a quiet period. */
  burst: number;
  /** Requests waiting for their answer at the same time. */
  maxInFlight: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { requestsPerSecond: 50, burst: 100, maxInFlight: 16 };

/** Time as the limiter sees it; tests inject a fake one. */
export interface LimiterClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realClock: LimiterClock = {
  now: Date.now,
  // The refill timer alone must not keep a stopping process alive.
  sleep: (ms) => setTimeout(ms, undefined, { ref: false }),
};

/** The right to send one request; `release` once its answer (or failure) is in. */
export interface Permit {
  /** How long the request waited for its slot and token. */
  waitedMs: number;
  release(): void;
}

/** The wait for a permit ended because the caller's signal aborted. */
export class PermitAbortedError extends Error {
  constructor() {
    super('gave up waiting for the VVP rate limiter');
    this.name = 'PermitAbortedError';
  }
}

/**
 * One token bucket (rate and burst) plus a cap on requests in flight, in front of every VVP
 * request, so a burst of thousands of objects cannot hammer VVP. Waiters are served in
 * arrival order; a waiter whose signal aborts leaves its queue at once, taking nothing with it.
 */
export class RequestLimiter {
  readonly #limit: RateLimit;
  readonly #clock: LimiterClock;
  #tokens: number;
  #refilledAt: number;
  #inFlight = 0;
  readonly #slotWaiters: Waiter[] = [];
  readonly #tokenWaiters: Waiter[] = [];
  /** Whether a timer runs until the next token is due for the first waiter. */
  #refilling = false;

  constructor(limit: RateLimit, clock: LimiterClock = realClock) {
    if (!(limit.requestsPerSecond > 0)) throw new Error('requestsPerSecond must be above 0');
    for (const key of ['burst', 'maxInFlight'] as const) {
      if (!Number.isInteger(limit[key]) || limit[key] < 1) {
        throw new Error(`${key} must be a whole number of at least 1`);
      }
    }
    this.#limit = limit;
    this.#clock = clock;
    this.#tokens = limit.burst;
    this.#refilledAt = clock.now();
  }

  /** Waits for a free in-flight slot, then for a token. Rejects with PermitAbortedError on abort. */
  async acquire(signal?: AbortSignal): Promise<Permit> {
    const started = this.#clock.now();
    if (signal?.aborted === true) throw new PermitAbortedError();
    if (this.#inFlight < this.#limit.maxInFlight && this.#slotWaiters.length === 0) {
      this.#inFlight++;
    } else {
      // A released slot is handed over directly, so the in-flight count stays as it is.
      await wait(this.#slotWaiters, signal);
    }
    try {
      this.#refill();
      if (this.#tokenWaiters.length === 0 && this.#tokens >= 1) {
        this.#tokens -= 1;
      } else {
        const granted = wait(this.#tokenWaiters, signal);
        this.#scheduleRefill();
        await granted;
      }
    } catch (error) {
      this.#releaseSlot();
      throw error;
    }
    let released = false;
    return {
      waitedMs: this.#clock.now() - started,
      release: () => {
        if (released) return;
        released = true;
        this.#releaseSlot();
      },
    };
  }

  /** A finished request's slot goes straight to the longest waiter, else back to the pool. */
  #releaseSlot(): void {
    const next = this.#slotWaiters.shift();
    if (next === undefined) this.#inFlight--;
    else next.grant();
  }

  /** Hands tokens to waiters as they accrue, one timer at a time. */
  #scheduleRefill(): void {
    if (this.#refilling) return;
    this.#refill();
    while (this.#tokens >= 1) {
      const next = this.#tokenWaiters.shift();
      if (next === undefined) return;
      this.#tokens -= 1;
      next.grant();
    }
    if (this.#tokenWaiters.length === 0) return;
    this.#refilling = true;
    const dueMs = Math.ceil(((1 - this.#tokens) * 1000) / this.#limit.requestsPerSecond);
    void this.#clock.sleep(dueMs).then(() => {
      this.#refilling = false;
      this.#scheduleRefill();
    });
  }

  #refill(): void {
    const now = this.#clock.now();
    const earned = ((now - this.#refilledAt) * this.#limit.requestsPerSecond) / 1000;
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + earned);
    this.#refilledAt = now;
  }
}

interface Waiter {
  grant(): void;
}

/** Queues a waiter on `queue`; it leaves the queue and rejects when `signal` aborts. */
function wait(queue: Waiter[], signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      const index = queue.indexOf(waiter);
      if (index >= 0) queue.splice(index, 1);
      reject(new PermitAbortedError());
    };
    const waiter: Waiter = {
      grant: () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
    };
    queue.push(waiter);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
