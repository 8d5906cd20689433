import { open, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logging';

/**
 * Where test tooling caches what it builds or downloads: outside the repository, shared by
 * every checkout on the machine, and kept between CI runs when the cache directory is.
 */
export function toolCacheRoot(): string {
  const xdgCache = process.env.XDG_CACHE_HOME;
  const base = xdgCache !== undefined && xdgCache !== '' ? xdgCache : join(homedir(), '.cache');
  return join(base, 'vp-operator');
}

export interface FileLockOptions {
  /** Give up waiting for another holder after this long. */
  timeoutMs: number;
  /** What the lock protects, for log lines and errors. */
  purpose: string;
  logger?: Logger;
  /** While waiting for another holder, say so this often (the wait can last minutes). */
  progressIntervalMs?: number;
}

const LOCK_POLL_MS = 1_000;
const DEFAULT_WAIT_PROGRESS_MS = 15_000;

/** `95 s` → `1 min 35 s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${String(seconds)} s`;
  return `${String(Math.floor(seconds / 60))} min ${String(seconds % 60)} s`;
}

/** True when a process with this pid exists (EPERM means it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `action` while holding an exclusive lock file that records the holder's pid. A lock left
 * behind by a dead process is broken. The lock only saves duplicate work: callers still publish
 * their results with an atomic rename, so even two holders at once cannot corrupt the cache.
 */
export async function withFileLock<T>(
  lockPath: string,
  options: FileLockOptions,
  action: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const progressInterval = options.progressIntervalMs ?? DEFAULT_WAIT_PROGRESS_MS;
  let nextReport = 0;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(String(process.pid));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && !isProcessAlive(holder)) {
      options.logger?.warn({ lockPath, holder }, `breaking stale lock for ${options.purpose}`);
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.purpose}: ` +
          `${lockPath} is held by pid ${Number.isInteger(holder) ? holder : 'unknown'}. ` +
          'If no such process is running, delete the lock file and retry.',
      );
    }
    if (Date.now() >= nextReport) {
      const message =
        nextReport === 0
          ? `waiting for another process: ${options.purpose}`
          : `still waiting for another process: ${options.purpose} ` +
            `(${formatDuration(Date.now() - started)})`;
      options.logger?.info({ lockPath, holder }, message);
      nextReport = Date.now() + progressInterval;
    }
    await sleep(LOCK_POLL_MS);
  }
  try {
    return await action();
  } finally {
    await rm(lockPath, { force: true });
  }
}
