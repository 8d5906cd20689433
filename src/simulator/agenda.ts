import type { SimulatedTime } from './clock';
import { Journal, JournaledMap } from './store';

interface Task {
  dueAt: number;
  run: (at: number) => void;
}

/** A runaway guard: no realistic workload chains this many steps within one catch-up. */
const MAX_STEPS_PER_CATCH_UP = 1_000_000;

/**
 * Work due at a simulated time, keyed so a newer schedule replaces an older one.
 *
 * Nothing runs on timers: every API call first catches up with the clock (`runDue`), running
 * each task at its own due time in due order. State therefore evolves exactly as if it had
 * happened on time, timestamps are the scheduled ones, and an advanceable clock skips
 * ahead deterministically.
 */
export class Agenda {
  readonly #clock: SimulatedTime;
  readonly #tasks: Map<string, Task>;

  /** With a journal, scheduling done by a request is taken back when the request fails. */
  constructor(clock: SimulatedTime, journal: Journal = new Journal()) {
    this.#clock = clock;
    this.#tasks = new JournaledMap(journal);
  }

  schedule(key: string, dueAt: number, run: (at: number) => void): void {
    this.#tasks.set(key, { dueAt, run });
  }

  cancel(key: string): void {
    this.#tasks.delete(key);
  }

  /** Removes every task whose key starts with `prefix` (everything of one namespace). */
  cancelPrefix(prefix: string): void {
    for (const key of this.#tasks.keys()) if (key.startsWith(prefix)) this.#tasks.delete(key);
  }

  clear(): void {
    this.#tasks.clear();
  }

  get size(): number {
    return this.#tasks.size;
  }

  /** Runs every task due by now, earliest first; tasks may schedule further (even immediate) work. */
  runDue(): void {
    const now = this.#clock.now();
    for (let steps = 0; ; steps++) {
      if (steps >= MAX_STEPS_PER_CATCH_UP) {
        throw new Error(`simulator agenda did not settle after ${MAX_STEPS_PER_CATCH_UP} steps`);
      }
      let nextKey: string | undefined;
      let next: Task | undefined;
      for (const [key, task] of this.#tasks) {
        if (task.dueAt <= now && (next === undefined || task.dueAt < next.dueAt)) {
          nextKey = key;
          next = task;
        }
      }
      if (nextKey === undefined || next === undefined) return;
      this.#tasks.delete(nextKey);
      next.run(next.dueAt);
    }
  }
}
