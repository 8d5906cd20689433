import { describe, expect, it } from '@jest/globals';
import { findCondition, setCondition, toKubernetesTime, type Condition } from './conditions';
import { createMergePatch } from '../json';

const t0 = new Date('2026-01-01T10:00:00.123Z');
const t1 = new Date('2026-01-01T10:05:00.000Z');

describe('setCondition', () => {
  it('appends a new condition with the transition time and generation', () => {
    expect(
      setCondition(
        undefined,
        { type: 'Ready', status: 'False', reason: 'Creating' },
        { now: t0, observedGeneration: 3 },
      ),
    ).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Creating',
        message: '',
        lastTransitionTime: '2026-01-01T10:00:00Z',
        observedGeneration: 3,
      },
    ]);
  });

  it('keeps lastTransitionTime while the status stays, updating reason, message and generation', () => {
    const before = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: 'Creating' },
      { now: t0, observedGeneration: 1 },
    );
    const after = setCondition(
      before,
      { type: 'Ready', status: 'False', reason: 'Unavailable', message: 'VVP answers 503' },
      { now: t1, observedGeneration: 2 },
    );
    expect(findCondition(after, 'Ready')).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'Unavailable',
      message: 'VVP answers 503',
      lastTransitionTime: '2026-01-01T10:00:00Z',
      observedGeneration: 2,
    });
  });

  it('moves lastTransitionTime when the status flips', () => {
    const before = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: 'Creating' },
      { now: t0 },
    );
    const after = setCondition(
      before,
      { type: 'Ready', status: 'True', reason: 'Available' },
      { now: t1 },
    );
    expect(findCondition(after, 'Ready')?.lastTransitionTime).toBe('2026-01-01T10:05:00Z');
  });

  it('is a no-op (deep-equal result) when nothing changes, so the status write can be skipped', () => {
    const conditions: Condition[] = setCondition(
      setCondition(
        undefined,
        { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
        { now: t0, observedGeneration: 4 },
      ),
      { type: 'Ready', status: 'True', reason: 'Available' },
      { now: t0, observedGeneration: 4 },
    );
    const again = setCondition(
      conditions,
      { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
      { now: t1, observedGeneration: 4 },
    );
    expect(again).toEqual(conditions);
    expect(again.map((condition) => condition.type)).toEqual(['Synced', 'Ready']);
    expect(createMergePatch({ conditions }, { conditions: again })).toBeUndefined();
  });

  it('does not modify its input', () => {
    const before = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: 'Creating' },
      { now: t0 },
    );
    const snapshot = structuredClone(before);
    setCondition(before, { type: 'Ready', status: 'True', reason: 'Available' }, { now: t1 });
    expect(before).toEqual(snapshot);
  });

  it('rejects values the API server would reject, naming the field', () => {
    const now = { now: t0 };
    expect(() =>
      setCondition([], { type: 'not ready', status: 'True', reason: 'Ok' }, now),
    ).toThrow(/condition type "not ready" is invalid/);
    expect(() =>
      setCondition([], { type: 'Ready', status: 'True', reason: 'all good' }, now),
    ).toThrow(/condition Ready: reason "all good" is invalid/);
    expect(() =>
      setCondition([], { type: 'Ready', status: 'Yes' as 'True', reason: 'Ok' }, now),
    ).toThrow(/status "Yes" is invalid/);
    expect(() =>
      setCondition(
        [],
        { type: 'Ready', status: 'True', reason: 'Ok', message: 'x'.repeat(40_000) },
        now,
      ),
    ).toThrow(/at most 32768/);
  });

  it('formats metav1.Time with whole seconds', () => {
    expect(toKubernetesTime(t0)).toBe('2026-01-01T10:00:00Z');
  });
});
