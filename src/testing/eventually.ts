import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logging';
import { startProgress } from './progress';

export interface EventuallyOptions {
  /** Generous by default: a loaded 2-core CI machine is slow, and the wait ends on success. */
  timeoutMs?: number;
  intervalMs?: number;
  /** Where a long wait says what it waits for; standard error when omitted. */
  logger?: Logger;
  /** A wait is reported once it has lasted this long, and again at this interval; 15 s. */
  progressIntervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than undefined and returns that value. A probe
 * that throws counts as "not yet"; on timeout the error names `what` and the last failure. A
 * wait that lasts says so periodically, naming `what` and the time waited.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 60_000, intervalMs = 250, logger, progressIntervalMs }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  const stopProgress = startProgress({
    activity: `waiting for ${what}`,
    timeoutMs,
    logger,
    intervalMs: progressIntervalMs,
  });
  try {
    for (;;) {
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() > deadline) {
        const detail = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
        throw new Error(
          `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${detail}`,
        );
      }
      await sleep(intervalMs);
    }
  } finally {
    stopProgress();
  }
}
