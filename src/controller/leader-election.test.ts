import { describe, expect, it } from '@jest/globals';
import { ApiException } from '@kubernetes/client-node';
import { testLogger } from '../testing/test-logger';
import { FakeClock } from './fake-clock';
import { LeaderElector, type LeaseLock, type LeaseRecord } from './leader-election';

/** A Lease in memory with the API server's optimistic locking. */
class MemoryLease implements LeaseLock {
  readonly description = 'ns/lease';
  record: LeaseRecord | undefined;
  failing = false;
  #version = 0;

  get(): Promise<LeaseRecord | undefined> {
    if (this.failing) return Promise.reject(new Error('connection refused'));
    return Promise.resolve(this.record === undefined ? undefined : { ...this.record });
  }

  create(record: LeaseRecord): Promise<LeaseRecord> {
    if (this.failing) return Promise.reject(new Error('connection refused'));
    if (this.record !== undefined) return Promise.reject(new ApiException(409, 'exists', {}, {}));
    this.record = { ...record, resourceVersion: String(++this.#version) };
    return Promise.resolve({ ...this.record });
  }

  update(record: LeaseRecord): Promise<LeaseRecord> {
    if (this.failing) return Promise.reject(new Error('connection refused'));
    if (record.resourceVersion !== this.record?.resourceVersion) {
      return Promise.reject(new ApiException(409, 'conflict', {}, {}));
    }
    this.record = { ...record, resourceVersion: String(++this.#version) };
    return Promise.resolve({ ...this.record });
  }
}

function elector(lock: LeaseLock, clock: FakeClock, identity: string): LeaderElector {
  return new LeaderElector({ lock, identity, clock, logger: testLogger, random: () => 0.5 });
}

describe('LeaderElector', () => {
  it('acquires a missing lease at once and keeps renewing it', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const a = elector(lease, clock, 'a');
    const stop = new AbortController();
    expect(await a.acquire(stop.signal)).toBe(true);
    expect(lease.record?.holderIdentity).toBe('a');
    expect(lease.record?.leaseDurationSeconds).toBe(15);
    const holding = a.hold(stop.signal);
    const renewedBefore = lease.record?.renewTime ?? 0;
    await clock.advance(60_000);
    expect(lease.record?.renewTime).toBeGreaterThan(renewedBefore);
    expect(a.isLeader).toBe(true);
    stop.abort();
    expect(await holding).toBe('stopped');
  });

  it('a standby takes over only after the lease went unrenewed for its duration', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const leader = elector(lease, clock, 'leader');
    const standby = elector(lease, clock, 'standby');
    const stopLeader = new AbortController();
    await leader.acquire(stopLeader.signal);
    void leader.hold(stopLeader.signal);
    let acquiredAt: number | undefined;
    const start = clock.now();
    void standby
      .acquire(new AbortController().signal)
      .then(() => (acquiredAt = clock.now() - start));
    await clock.advance(60_000);
    expect(acquiredAt).toBeUndefined();
    // The leader dies without releasing: the standby waits for the lease duration.
    stopLeader.abort();
    const diedAt = clock.now() - start;
    await clock.advance(30_000);
    expect(acquiredAt).toBeDefined();
    const takeover = (acquiredAt ?? 0) - diedAt;
    // 15 s after the standby last saw the lease change — at most one poll (2 s) after the last
    // renewal, itself at most one renew period (2 s) before the death: between 13 s and 17 s.
    expect(takeover).toBeGreaterThan(13_000);
    expect(takeover).toBeLessThanOrEqual(17_100);
    expect(lease.record?.holderIdentity).toBe('standby');
    expect(lease.record?.leaseTransitions).toBe(1);
  });

  it('release() clears the holder so a standby takes over within one retry period', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const leader = elector(lease, clock, 'leader');
    const standby = elector(lease, clock, 'standby');
    const stopLeader = new AbortController();
    await leader.acquire(stopLeader.signal);
    const holding = leader.hold(stopLeader.signal);
    let acquired = false;
    void standby.acquire(new AbortController().signal).then(() => (acquired = true));
    await clock.advance(10_000);
    stopLeader.abort();
    await holding;
    await leader.release();
    expect(lease.record?.holderIdentity).toBe('');
    await clock.advance(2_500);
    expect(acquired).toBe(true);
  });

  it('gives up once renewals failed for the renew deadline', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const leader = elector(lease, clock, 'leader');
    const stop = new AbortController();
    await leader.acquire(stop.signal);
    let end: string | undefined;
    let endedAt = 0;
    void leader.hold(stop.signal).then((result) => {
      end = result;
      endedAt = clock.now();
    });
    await clock.advance(4_000);
    lease.failing = true;
    const failingFrom = clock.now();
    await clock.advance(20_000);
    expect(end).toBe('lost');
    expect(leader.isLeader).toBe(false);
    // Last successful renewal was at most one retry period before the failures began.
    expect(endedAt - failingFrom).toBeLessThanOrEqual(10_000);
    expect(endedAt - failingFrom).toBeGreaterThanOrEqual(8_000);
  });

  it('gives up at once when another holder took the lease', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const leader = elector(lease, clock, 'leader');
    const stop = new AbortController();
    await leader.acquire(stop.signal);
    let end: string | undefined;
    void leader.hold(stop.signal).then((result) => (end = result));
    if (lease.record !== undefined)
      lease.record = { ...lease.record, holderIdentity: 'intruder', resourceVersion: 'x' };
    await clock.advance(2_000);
    expect(end).toBe('lost');
  });

  it('rejects timings that would let two leaders overlap', () => {
    expect(
      () =>
        new LeaderElector({
          lock: new MemoryLease(),
          identity: 'a',
          clock: new FakeClock(),
          logger: testLogger,
          timing: { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 },
        }),
    ).toThrow(/renew deadline \(10000 ms\) must be shorter than the lease duration/);
  });
});
