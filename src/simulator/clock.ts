/**
 * The simulator's notion of time (simulated, only read; tests move it with AdvanceableClock);
 * every transition and timestamp reads it. The controller core's Clock also schedules timers.
 */
export interface SimulatedTime {
  /** Milliseconds since the epoch. */
  now(): number;
}

/**
 * Wall-clock time plus an offset that only grows: `advance` moves simulated time forward so
 * tests can skip over slow transitions. Given a fixed source it is a fully manual clock.
 */
export class AdvanceableClock implements SimulatedTime {
  readonly #source: () => number;
  #offsetMs = 0;

  constructor(source: () => number = Date.now) {
    this.#source = source;
  }

  now(): number {
    return this.#source() + this.#offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`clock can only move forward by a finite number of ms, got ${ms}`);
    }
    this.#offsetMs += ms;
  }
}
