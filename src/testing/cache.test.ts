import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '../logging';
import { toolCacheRoot, withFileLock } from './cache';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cache-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = { timeoutMs: 10_000, purpose: 'the test' };

describe('withFileLock', () => {
  it('lets one holder in at a time and releases the lock afterwards', async () => {
    const lock = join(dir, 'build.lock');
    let inside = 0;
    let maxInside = 0;
    const hold = () =>
      withFileLock(lock, options, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await sleep(50);
        inside--;
      });
    await Promise.all([hold(), hold(), hold()]);
    expect(maxInside).toBe(1);
    await expect(readFile(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('releases the lock when the action fails', async () => {
    const lock = join(dir, 'build.lock');
    await expect(
      withFileLock(lock, options, () => Promise.reject(new Error('build broke'))),
    ).rejects.toThrow('build broke');
    await expect(withFileLock(lock, options, () => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('breaks a lock left behind by a process that no longer exists', async () => {
    const lock = join(dir, 'build.lock');
    const exited = spawnSync(process.execPath, ['-e', '']);
    await writeFile(lock, String(exited.pid));
    await expect(withFileLock(lock, options, () => Promise.resolve('built'))).resolves.toBe(
      'built',
    );
  });

  it('says it is still waiting for a live holder, with the time waited so far', async () => {
    const lock = join(dir, 'build.lock');
    await writeFile(lock, String(process.pid));
    const lines: string[] = [];
    const logger = createLogger({
      destination: { write: (line: string) => void lines.push(line) },
    });
    await expect(
      withFileLock(
        lock,
        { timeoutMs: 2_500, purpose: 'the test build', logger, progressIntervalMs: 500 },
        () => Promise.resolve(),
      ),
    ).rejects.toThrow('Timed out');
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages[0]).toBe('waiting for another process: the test build');
    expect(messages.slice(1).length).toBeGreaterThanOrEqual(1);
    for (const message of messages.slice(1)) {
      expect(message).toMatch(/^still waiting for another process: the test build \(\d+ s\)$/);
    }
  });

  it('gives up on a live holder after the timeout, naming the lock and its holder', async () => {
    const lock = join(dir, 'build.lock');
    await writeFile(lock, String(process.pid));
    await expect(
      withFileLock(lock, { timeoutMs: 100, purpose: 'the kube-testenv build' }, () =>
        Promise.resolve(),
      ),
    ).rejects.toThrow(`waiting for the kube-testenv build: ${lock} is held by pid ${process.pid}`);
  });
});

describe('toolCacheRoot', () => {
  const saved = process.env.XDG_CACHE_HOME;
  afterEach(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  });

  it('follows XDG_CACHE_HOME', () => {
    process.env.XDG_CACHE_HOME = '/var/cache/ci';
    expect(toolCacheRoot()).toBe('/var/cache/ci/vp-operator');
  });
});
