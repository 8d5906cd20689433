import { DEFAULT_RECONCILE_BACKOFF, ExponentialBackoff, type BackoffOptions } from './backoff';
import type { Clock, TimerHandle } from './clock';
import type { QueueMetrics } from './metrics';

export interface WorkQueueOptions {
  clock: Clock;
  /** Per-key retry backoff; 1 s doubling to 5 min by default. */
  backoff?: BackoffOptions;
  metrics?: QueueMetrics;
}

interface DelayedAdd {
  readonly dueAt: number;
  readonly timer: TimerHandle;
}

/**
 * A coalescing, rate-limited work queue with client-go's semantics:
 * - a key waiting in the queue is queued once, however often it is added ("dirty" set);
 * - a key is handed to one worker at a time ("processing" set); adds that arrive while it is
 *   processed are held back and queue it again once {@link done} is called;
 * - delayed adds keep the earliest due time per key; failures back off exponentially per key.
 */
export class WorkQueue<K = string> {
  readonly #clock: Clock;
  readonly #metrics: QueueMetrics | undefined;
  readonly #backoff: ExponentialBackoff<K>;
  #queue: K[] = [];
  #head = 0;
  readonly #dirty = new Set<K>();
  readonly #enqueuedAt = new Map<K, number>();
  readonly #processing = new Map<K, number>();
  readonly #delayed = new Map<K, DelayedAdd>();
  readonly #waiters: ((key: K | undefined) => void)[] = [];
  #shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.#clock = options.clock;
    this.#metrics = options.metrics;
    this.#backoff = new ExponentialBackoff<K>(options.backoff ?? DEFAULT_RECONCILE_BACKOFF);
  }

  /** Keys waiting to be handed out (not counting delayed adds or keys being processed). */
  get depth(): number {
    return this.#queue.length - this.#head;
  }

  /** Queues `key` unless it is already waiting; ignored after {@link shutdown}. */
  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#metrics?.added();
    this.#dirty.add(key);
    this.#enqueuedAt.set(key, this.#clock.now());
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /** Queues `key` after `delayMs`; an earlier pending delayed add of the same key wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const dueAt = this.#clock.now() + delayMs;
    const pending = this.#delayed.get(key);
    if (pending !== undefined) {
      if (pending.dueAt <= dueAt) return;
      this.#clock.clearTimeout(pending.timer);
    }
    const timer = this.#clock.setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.#delayed.set(key, { dueAt, timer });
  }

  /**
   * Queues `key` after its next backoff delay, or after `minimumDelayMs` if that is longer
   * (a server's `Retry-After`); returns the delay and counts a retry.
   */
  addRateLimited(key: K, minimumDelayMs = 0): number {
    const delay = Math.max(this.#backoff.next(key), minimumDelayMs);
    this.#metrics?.retried();
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets the backoff of `key` (after a success). */
  forget(key: K): void {
    this.#backoff.forget(key);
  }

  /** Consecutive failures recorded for `key`. */
  failures(key: K): number {
    return this.#backoff.failures(key);
  }

  /** Drops everything pending for `key` (its object is gone): delayed adds and backoff. */
  discard(key: K): void {
    const pending = this.#delayed.get(key);
    if (pending !== undefined) {
      this.#clock.clearTimeout(pending.timer);
      this.#delayed.delete(key);
    }
    this.#backoff.forget(key);
  }

  /**
   * Waits for the next key and marks it as processing; the caller must call {@link done}.
   * Resolves `undefined` once the queue shuts down.
   */
  get(): Promise<K | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    if (this.depth > 0) return Promise.resolve(this.#take());
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks `key` as processed; queues it again if it was added meanwhile. */
  done(key: K): void {
    const startedAt = this.#processing.get(key);
    if (startedAt === undefined) return;
    this.#processing.delete(key);
    this.#metrics?.workedFor((this.#clock.now() - startedAt) / 1000);
    if (this.#dirty.has(key) && !this.#shuttingDown) this.#push(key);
  }

  /** Stops intake, cancels delayed adds and releases every waiting {@link get}. */
  shutdown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const pending of this.#delayed.values()) this.#clock.clearTimeout(pending.timer);
    this.#delayed.clear();
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  /** Start times (clock ms) of the keys being processed right now, for the stuck-work gauges. */
  inFlightStartTimes(): Iterable<number> {
    return this.#processing.values();
  }

  #push(key: K): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      // A worker is idle: hand the key over directly instead of queueing it.
      this.#queue.push(key);
      waiter(this.#take());
      return;
    }
    this.#queue.push(key);
    this.#metrics?.depth(this.depth);
  }

  #take(): K {
    const key = this.#queue[this.#head] as K;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#dirty.delete(key);
    const now = this.#clock.now();
    this.#processing.set(key, now);
    const enqueuedAt = this.#enqueuedAt.get(key);
    this.#enqueuedAt.delete(key);
    if (enqueuedAt !== undefined) this.#metrics?.queuedFor((now - enqueuedAt) / 1000);
    this.#metrics?.depth(this.depth);
    return key;
  }
}
