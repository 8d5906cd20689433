import { describe, expect, it } from '@jest/globals';
import { jsonEqual, type Json } from './json';
import { applyMergePatch, createMergePatch } from './merge-patch';

describe('applyMergePatch', () => {
  // The examples of RFC 7386 appendix A.
  const rfcCases: [Json, Json, Json][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];

  it.each(rfcCases)('patches %j with %j into %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('treats a missing target as an empty document', () => {
    expect(applyMergePatch(undefined, { spec: { state: 'RUNNING', x: null } })).toEqual({
      spec: { state: 'RUNNING' },
    });
  });

  it('modifies neither input and shares no structure with them', () => {
    const target = { spec: { template: { parallelism: 1 } }, keep: { deep: [1] } };
    const patch = { spec: { template: { parallelism: 2 } } };
    const result = applyMergePatch(target, patch) as typeof target;
    expect(target.spec.template.parallelism).toBe(1);
    expect(patch.spec.template.parallelism).toBe(2);
    result.keep.deep.push(2);
    expect(target.keep.deep).toEqual([1]);
  });
});

describe('createMergePatch', () => {
  it('returns undefined when nothing changed', () => {
    expect(
      createMergePatch({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } }),
    ).toBeUndefined();
  });

  it('writes only changed members, nulls removed ones and replaces arrays whole', () => {
    expect(
      createMergePatch(
        { observedGeneration: 1, vvp: { id: 'x', state: 'RUNNING' }, error: 'boom', list: [1, 2] },
        { observedGeneration: 2, vvp: { id: 'x', state: 'CANCELLED' }, list: [1] },
      ),
    ).toEqual({ observedGeneration: 2, vvp: { state: 'CANCELLED' }, error: null, list: [1] });
  });

  it('treats a missing before as empty', () => {
    expect(createMergePatch(undefined, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });

  it('compares structurally, treating null and undefined members as absent', () => {
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: null }, {})).toBe(true);
    expect(jsonEqual([1, { x: 2 }], [1, { x: 2 }])).toBe(true);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
  });
});
