import { describe, expect, it } from '@jest/globals';
import { matchesAnnotationFilter, reconcileTrigger, triggerChanged } from './predicates';
import type { KubeObject } from './kube-object';

const filter = ['vpoperator.dev/', 'example.com/exact'];

function object(metadata: KubeObject['metadata'], status?: unknown): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Widget',
    metadata,
    ...(status === undefined ? {} : { status }),
  };
}

function changed(before: KubeObject, after: KubeObject): boolean {
  return triggerChanged(reconcileTrigger(before, filter), reconcileTrigger(after, filter));
}

describe('reconcile predicates', () => {
  const base = object({
    name: 'a',
    generation: 1,
    resourceVersion: '10',
    annotations: { 'vpoperator.dev/paused': 'false' },
  });

  it('ignores status-only and resourceVersion-only updates', () => {
    expect(
      changed(base, object({ ...base.metadata, resourceVersion: '11' }, { phase: 'Ready' })),
    ).toBe(false);
  });

  it('ignores labels, managedFields and annotations outside the filter', () => {
    expect(
      changed(
        base,
        object({
          ...base.metadata,
          labels: { team: 'x' },
          managedFields: [{ manager: 'kubectl' }],
          annotations: {
            ...base.metadata?.annotations,
            'kubectl.kubernetes.io/last-applied-configuration': '{}',
          },
        }),
      ),
    ).toBe(false);
  });

  it('reacts to generation, deletion, finalizers and watched annotations', () => {
    expect(changed(base, object({ ...base.metadata, generation: 2 }))).toBe(true);
    expect(changed(base, object({ ...base.metadata, deletionTimestamp: new Date() }))).toBe(true);
    expect(
      changed(base, object({ ...base.metadata, finalizers: ['vpoperator.dev/cleanup'] })),
    ).toBe(true);
    expect(
      changed(base, object({ ...base.metadata, annotations: { 'vpoperator.dev/paused': 'true' } })),
    ).toBe(true);
    expect(changed(base, object({ ...base.metadata, annotations: {} }))).toBe(true);
    expect(
      changed(
        base,
        object({
          ...base.metadata,
          annotations: { ...base.metadata?.annotations, 'example.com/exact': 'x' },
        }),
      ),
    ).toBe(true);
  });

  it('does not care about annotation order', () => {
    const a = object({
      name: 'a',
      annotations: { 'vpoperator.dev/a': '1', 'vpoperator.dev/b': '2' },
    });
    const b = object({
      name: 'a',
      annotations: { 'vpoperator.dev/b': '2', 'vpoperator.dev/a': '1' },
    });
    expect(changed(a, b)).toBe(false);
  });

  it('matches prefixes ending in / and exact keys otherwise', () => {
    expect(matchesAnnotationFilter('vpoperator.dev/poll-interval', filter)).toBe(true);
    expect(matchesAnnotationFilter('vpoperator.devx/poll-interval', filter)).toBe(false);
    expect(matchesAnnotationFilter('example.com/exact', filter)).toBe(true);
    expect(matchesAnnotationFilter('example.com/exactly', filter)).toBe(false);
  });
});
