import { describe, expect, it } from '@jest/globals';
import {
  PermitAbortedError,
  RequestLimiter,
  type LimiterClock,
  type Permit,
  type RateLimit,
} from './rate-limit';

/** Time that moves only when the test says so. */
class FakeClock implements LimiterClock {
  time = 0;
  readonly #timers: { at: number; fire: () => void }[] = [];

  now = (): number => this.time;

  sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.#timers.push({ at: this.time + ms, fire: resolve });
    });

  /** Moves time on and lets every due timer, and what it started, run. */
  async advance(ms: number): Promise<void> {
    this.time += ms;
    for (const timer of this.#timers.filter((candidate) => candidate.at <= this.time)) {
      this.#timers.splice(this.#timers.indexOf(timer), 1);
      timer.fire();
    }
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let round = 0; round < 10; round++) await Promise.resolve();
}

/** Starts `count` acquisitions and records which were granted. */
function start(limiter: RequestLimiter, count: number, signal?: AbortSignal) {
  const granted: Permit[] = [];
  const failures: unknown[] = [];
  for (let index = 0; index < count; index++) {
    limiter.acquire(signal).then(
      (permit) => granted.push(permit),
      (error: unknown) => failures.push(error),
    );
  }
  return { granted, failures };
}

function limited(limit: RateLimit): { clock: FakeClock; limiter: RequestLimiter } {
  const clock = new FakeClock();
  return { clock, limiter: new RequestLimiter(limit, clock) };
}

describe('RequestLimiter', () => {
  it('lets a burst through at once, then paces requests at the rate', async () => {
    const { clock, limiter } = limited({ requestsPerSecond: 10, burst: 3, maxInFlight: 100 });
    const { granted } = start(limiter, 5);
    await settle();
    expect(granted).toHaveLength(3);
    expect(granted.map((permit) => permit.waitedMs)).toEqual([0, 0, 0]);
    await clock.advance(99);
    expect(granted).toHaveLength(3);
    await clock.advance(1);
    expect(granted).toHaveLength(4);
    await clock.advance(100);
    expect(granted).toHaveLength(5);
    expect(granted.map((permit) => permit.waitedMs)).toEqual([0, 0, 0, 100, 200]);
  });

  it('refills up to the burst, not beyond, while idle', async () => {
    const { clock, limiter } = limited({ requestsPerSecond: 10, burst: 2, maxInFlight: 100 });
    await limiter.acquire();
    await limiter.acquire();
    await clock.advance(10_000);
    const { granted } = start(limiter, 3);
    await settle();
    expect(granted).toHaveLength(2);
  });

  it('caps the requests in flight and hands a released slot to the next waiter', async () => {
    const { limiter } = limited({ requestsPerSecond: 1000, burst: 100, maxInFlight: 2 });
    const { granted } = start(limiter, 3);
    await settle();
    expect(granted).toHaveLength(2);
    granted[0]?.release();
    granted[0]?.release(); // a second release frees nothing more
    await settle();
    expect(granted).toHaveLength(3);
    start(limiter, 1);
    await settle();
    expect(granted).toHaveLength(3);
  });

  it('stops waiting when the signal aborts, and gives the slot and token back', async () => {
    const { clock, limiter } = limited({ requestsPerSecond: 10, burst: 1, maxInFlight: 1 });
    const first = await limiter.acquire();
    const controller = new AbortController();
    const waiting = start(limiter, 1, controller.signal);
    await settle();
    controller.abort();
    await settle();
    expect(waiting.failures).toEqual([new PermitAbortedError()]);
    first.release();
    // The aborted waiter took no slot: the next request gets it.
    const next = start(limiter, 1);
    await settle();
    expect(next.granted).toHaveLength(0); // the bucket is empty, not the slot
    await clock.advance(100);
    expect(next.granted).toHaveLength(1);
  });

  it('lets an aborted token waiter hold up nobody', async () => {
    const { clock, limiter } = limited({ requestsPerSecond: 10, burst: 1, maxInFlight: 10 });
    (await limiter.acquire()).release();
    const controller = new AbortController();
    const aborted = start(limiter, 1, controller.signal);
    const after = start(limiter, 1);
    await settle();
    controller.abort();
    await settle();
    expect(aborted.failures).toHaveLength(1);
    // The aborted waiter reserved nothing: the next one gets the first token that accrues.
    await clock.advance(100);
    expect(after.granted).toHaveLength(1);
    expect(after.granted[0]?.waitedMs).toBe(100);
  });

  it('refuses an already aborted signal without taking anything', async () => {
    const limiter = new RequestLimiter({ requestsPerSecond: 1, burst: 1, maxInFlight: 1 });
    await expect(limiter.acquire(AbortSignal.abort())).rejects.toBeInstanceOf(PermitAbortedError);
    const permit = await limiter.acquire();
    expect(permit.waitedMs).toBeLessThan(50);
  });

  it.each([
    [{ requestsPerSecond: 0, burst: 1, maxInFlight: 1 }, 'requestsPerSecond must be above 0'],
    [{ requestsPerSecond: 1, burst: 0.5, maxInFlight: 1 }, 'burst must be a whole number'],
    [{ requestsPerSecond: 1, burst: 1, maxInFlight: 0 }, 'maxInFlight must be a whole number'],
  ])('rejects the limit %j', (limit, message) => {
    expect(() => new RequestLimiter(limit)).toThrow(message);
  });
});
