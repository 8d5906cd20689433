import { describe, expect, it } from '@jest/globals';
import { createMergePatch } from '../json';
import { WrittenStatuses } from './resource';

function version(resourceVersion: string, status: Record<string, unknown>) {
  return { metadata: { uid: 'u1', resourceVersion }, status };
}

describe('WrittenStatuses', () => {
  it('diffs against the cached status when nothing was written', () => {
    const written = new WrittenStatuses();
    expect(written.baseFor(version('1', { phase: 'A' }))).toEqual({ phase: 'A' });
  });

  it('diffs against our last write while the cache still holds the version we wrote over', () => {
    const written = new WrittenStatuses();
    const cached = version('1', { phase: 'A' });
    written.remember(cached, version('2', { phase: 'B', error: 'boom' }));
    // A requeue fires before the informer delivered version 2: back to phase A, error cleared.
    const base = written.baseFor(cached);
    expect(base).toEqual({ phase: 'B', error: 'boom' });
    expect(createMergePatch(base, { phase: 'A' })).toEqual({ phase: 'A', error: null });
  });

  it('trusts the cache once it moved past the version we wrote over', () => {
    const written = new WrittenStatuses();
    written.remember(version('1', { phase: 'A' }), version('2', { phase: 'B' }));
    expect(written.baseFor(version('3', { phase: 'B', note: 'edited' }))).toEqual({
      phase: 'B',
      note: 'edited',
    });
  });

  it('keeps a bounded number of objects', () => {
    const written = new WrittenStatuses(2);
    for (const uid of ['a', 'b', 'c']) {
      written.remember({ metadata: { uid, resourceVersion: '1' } }, { status: { uid } });
    }
    expect(
      written.baseFor({ metadata: { uid: 'a', resourceVersion: '1' }, status: { cached: true } }),
    ).toEqual({ cached: true });
    expect(written.baseFor({ metadata: { uid: 'c', resourceVersion: '1' }, status: {} })).toEqual({
      uid: 'c',
    });
  });
});
