// The resilience suite's randomness: one seeded source per scenario, its seed printed, so a
// failing run can be repeated with CHAOS_SEED=<seed>.
import { createSeededRandom } from '../../../src/simulator/random';
import { printFigures } from './figures';

export const CHAOS_SEED_ENV = 'CHAOS_SEED';

export interface ChaosRandom {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A new list with the same elements in random order. */
  shuffled<T>(items: readonly T[]): T[];
}

/** The seed from CHAOS_SEED, else a fresh one; printed either way. */
export function chaosRandom(scenario: string): ChaosRandom {
  const configured = process.env[CHAOS_SEED_ENV];
  const seed =
    configured !== undefined && configured !== ''
      ? Number.parseInt(configured, 10)
      : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`${CHAOS_SEED_ENV} must be an integer, got '${configured ?? ''}'`);
  }
  printFigures(scenario, { seed, repeat: `${CHAOS_SEED_ENV}=${seed}` });
  const source = createSeededRandom(seed);
  const int = (min: number, max: number): number =>
    min + Math.floor(source.next() * (max - min + 1));
  return {
    seed,
    next: () => source.next(),
    int,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error('pick() from an empty list');
      return item;
    },
    shuffled: <T>(items: readonly T[]): T[] => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i -= 1) {
        const j = int(0, i);
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy;
    },
  };
}
