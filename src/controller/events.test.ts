import { describe, expect, it } from '@jest/globals';
import { EventCorrelator, deterministicEventName } from './events';

function names() {
  let n = 0;
  return () => `event-${++n}`;
}

describe('EventCorrelator', () => {
  it('creates one Event and turns identical repeats into series updates', () => {
    const correlator = new EventCorrelator();
    const next = names();
    expect(correlator.observe('obj', 'e', 0, next)).toEqual({
      write: 'create',
      entry: { name: 'event-1', count: 1, lastObservedAt: 0 },
    });
    expect(correlator.observe('obj', 'e', 1_000, next)).toEqual({
      write: 'series',
      entry: { name: 'event-1', count: 2, lastObservedAt: 1_000 },
    });
    expect(correlator.observe('obj', 'e', 2_000, next)).toEqual({
      write: 'series',
      entry: { name: 'event-1', count: 3, lastObservedAt: 2_000 },
    });
  });

  it('keeps different events (other reason, note or object) apart', () => {
    const correlator = new EventCorrelator();
    const next = names();
    expect(correlator.observe('obj', 'e1', 0, next).write).toBe('create');
    expect(correlator.observe('obj', 'e2', 0, next).write).toBe('create');
    expect(correlator.observe('other', 'e3', 0, next).write).toBe('create');
  });

  it('starts a new Event when the last repeat is older than the series window', () => {
    const correlator = new EventCorrelator({ seriesWindowMs: 60_000 });
    const next = names();
    correlator.observe('obj', 'e', 0, next);
    correlator.observe('obj', 'e', 60_000, next);
    const decision = correlator.observe('obj', 'e', 120_001, next);
    expect(decision).toEqual({
      write: 'create',
      entry: { name: 'event-2', count: 1, lastObservedAt: 120_001 },
    });
  });

  it('limits writes per object to the burst, refills over time and carries the count on', () => {
    const correlator = new EventCorrelator({ burst: 3, refillIntervalMs: 60_000 });
    const next = names();
    const writes = Array.from(
      { length: 6 },
      (_, i) => correlator.observe('obj', 'e', i, next).write,
    );
    expect(writes).toEqual(['create', 'series', 'series', 'none', 'none', 'none']);
    // Another object has its own bucket.
    expect(correlator.observe('other', 'e2', 10, next).write).toBe('create');
    // One token back after a refill interval; the count includes the suppressed repeats.
    expect(correlator.observe('obj', 'e', 60_000, next)).toEqual({
      write: 'series',
      entry: { name: 'event-1', count: 7, lastObservedAt: 60_000 },
    });
    expect(correlator.observe('obj', 'e', 60_001, next).write).toBe('none');
  });

  it('forgets the least recently used entries beyond maxEntries', () => {
    const correlator = new EventCorrelator({ maxEntries: 2 });
    const next = names();
    correlator.observe('a', 'ea', 0, next);
    correlator.observe('b', 'eb', 0, next);
    correlator.observe('c', 'ec', 0, next);
    expect(correlator.observe('a', 'ea', 1, next).write).toBe('create');
    expect(correlator.observe('c', 'ec', 1, next).write).toBe('series');
  });

  it('forget() makes the next occurrence a new Event', () => {
    const correlator = new EventCorrelator();
    const next = names();
    correlator.observe('obj', 'e', 0, next);
    correlator.forget('e');
    expect(correlator.observe('obj', 'e', 1, next).write).toBe('create');
  });
});

describe('deterministicEventName', () => {
  const object = {
    kind: 'VpDeployment',
    metadata: { name: 'my-deployment', namespace: 'ns', uid: 'u1' },
  };

  it('differs between kinds and between objects of one name (a re-created object has a new uid)', () => {
    const name = deterministicEventName(object, 'vvp-event-1');
    expect(deterministicEventName({ ...object, kind: 'VpSavepoint' }, 'vvp-event-1')).not.toBe(
      name,
    );
    expect(
      deterministicEventName(
        { ...object, metadata: { ...object.metadata, uid: 'u2' } },
        'vvp-event-1',
      ),
    ).not.toBe(name);
  });

  it('is stable per external id and differs between ids', () => {
    expect(deterministicEventName(object, 'vvp-event-1')).toBe(
      deterministicEventName(object, 'vvp-event-1'),
    );
    expect(deterministicEventName(object, 'vvp-event-1')).not.toBe(
      deterministicEventName(object, 'vvp-event-2'),
    );
    expect(deterministicEventName(object, 'vvp-event-1')).toMatch(/^my-deployment\.[0-9a-f]{32}$/);
  });

  it('stays within the 253-character name limit', () => {
    expect(deterministicEventName({ metadata: { name: 'x'.repeat(253) } }, 'id')).toHaveLength(253);
  });
});
