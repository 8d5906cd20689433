import { describe, expect, it } from '@jest/globals';
import { FakeClock } from './fake-clock';
import { WorkQueue } from './workqueue';

function newQueue(clock = new FakeClock()) {
  return { clock, queue: new WorkQueue<string>({ clock }) };
}

describe('WorkQueue', () => {
  it('coalesces repeated adds of a waiting key', async () => {
    const { queue } = newQueue();
    for (let i = 0; i < 50; i++) queue.add('ns/a');
    queue.add('ns/b');
    expect(queue.depth).toBe(2);
    expect(await queue.get()).toBe('ns/a');
    expect(await queue.get()).toBe('ns/b');
    expect(queue.depth).toBe(0);
  });

  it('never hands out a key twice at once; adds during processing run after done()', async () => {
    const { queue } = newQueue();
    queue.add('k');
    const first = await queue.get();
    queue.add('k');
    queue.add('k');
    expect(queue.depth).toBe(0);
    const second = queue.get();
    let handedOut = false;
    void second.then(() => (handedOut = true));
    await Promise.resolve();
    expect(handedOut).toBe(false);
    queue.done(first as string);
    expect(await second).toBe('k');
    queue.done('k');
    expect(queue.depth).toBe(0);
  });

  it('waits at least the minimum delay a retry asks for, and still counts the failure', async () => {
    const { clock, queue } = newQueue();
    expect(queue.addRateLimited('k', 30_000)).toBe(30_000);
    expect(queue.failures('k')).toBe(1);
    await clock.advance(29_999);
    expect(queue.depth).toBe(0);
    await clock.advance(1);
    expect(queue.depth).toBe(1);
    // A minimum below the backoff changes nothing: 2 s for the second failure.
    expect(queue.addRateLimited('k', 500)).toBe(2_000);
  });

  it('keeps the earliest of several delayed adds of one key', async () => {
    const { clock, queue } = newQueue();
    queue.addAfter('k', 10_000);
    queue.addAfter('k', 2_000);
    queue.addAfter('k', 5_000);
    await clock.advance(1_999);
    expect(queue.depth).toBe(0);
    await clock.advance(1);
    expect(queue.depth).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('backs off exponentially per key from 1 s, capped at 5 min, reset by forget()', () => {
    const { queue } = newQueue();
    const delays = Array.from({ length: 12 }, () => queue.addRateLimited('k'));
    expect(delays.slice(0, 9)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000,
    ]);
    expect(delays.slice(9)).toEqual([300_000, 300_000, 300_000]);
    expect(queue.addRateLimited('other')).toBe(1_000);
    queue.forget('k');
    expect(queue.addRateLimited('k')).toBe(1_000);
  });

  it('discard() cancels a pending delayed add and the backoff of a deleted object', async () => {
    const { clock, queue } = newQueue();
    queue.addRateLimited('k');
    queue.addRateLimited('k');
    queue.discard('k');
    await clock.advance(10_000);
    expect(queue.depth).toBe(0);
    expect(queue.failures('k')).toBe(0);
  });

  it('shutdown releases waiting workers, drops delayed adds and ignores later adds', async () => {
    const { clock, queue } = newQueue();
    const waiting = queue.get();
    queue.addAfter('later', 1_000);
    queue.shutdown();
    expect(await waiting).toBeUndefined();
    queue.add('k');
    await clock.advance(5_000);
    expect(queue.depth).toBe(0);
    expect(await queue.get()).toBeUndefined();
  });
});
