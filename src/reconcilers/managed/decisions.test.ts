import { describe, expect, it } from '@jest/globals';
import { OWNER_LABELS } from '../../api';
import { DependencyIndex, secretDependency } from './dependencies';
import { diffManaged } from './diff';
import { judgeOwnership, ownerLabelsFor } from './ownership';
import type { ManagedResource } from './types';

describe('diffManaged', () => {
  it('compares only the members the CR sets, arrays whole, and patches only the difference', () => {
    const observed = {
      parallelism: 1,
      resources: { jobmanager: { cpu: 1, memory: '1G' } },
      args: ['a', 'b'],
      untouched: true,
    };
    expect(
      diffManaged({ parallelism: 1, resources: { jobmanager: { cpu: 1 } } }, observed),
    ).toEqual({
      paths: [],
      patch: undefined,
    });
    expect(
      diffManaged(
        {
          parallelism: 2,
          resources: { jobmanager: { memory: '2G' } },
          args: ['a'],
          unset: undefined,
        },
        observed,
        'spec.spec',
      ),
    ).toEqual({
      paths: ['spec.spec.parallelism', 'spec.spec.resources.jobmanager.memory', 'spec.spec.args'],
      patch: { parallelism: 2, resources: { jobmanager: { memory: '2G' } }, args: ['a'] },
    });
  });

  it('treats a missing observed object as empty and ignores nulls in the desired state', () => {
    expect(diffManaged({ a: { b: 1 }, c: null }, undefined)).toEqual({
      paths: ['a.b'],
      patch: { a: { b: 1 } },
    });
  });
});

function cr(status: ManagedResource['status'] = {}): ManagedResource {
  return {
    kind: 'VpDeploymentTarget',
    metadata: { name: 'n', namespace: 'ns', uid: 'u1' },
    status,
  };
}
const here = { vvpNamespace: 'default', name: 'n' };

describe('judgeOwnership', () => {
  it('trusts our owner-uid label, then status.id, and names another owner', () => {
    expect(judgeOwnership(cr(), here, { id: 'x', labels: { [OWNER_LABELS.uid]: 'u1' } })).toEqual({
      owner: 'us',
      proof: 'ownerLabel',
    });
    expect(judgeOwnership(cr({ id: 'x' }), here, { id: 'x', labels: {} })).toEqual({
      owner: 'us',
      proof: 'statusId',
    });
    const other = judgeOwnership(cr(), here, {
      id: 'x',
      labels: {
        [OWNER_LABELS.uid]: 'u2',
        [OWNER_LABELS.kind]: 'VpDeploymentTarget',
        [OWNER_LABELS.name]: 'm',
      },
    });
    expect(other).toEqual({ owner: 'other', holder: 'VpDeploymentTarget m (uid u2)' });
  });

  it('never takes a labelled-kind object without our label, even with a create intent', () => {
    const intent = {
      operation: 'Create' as const,
      vvpNamespace: 'default',
      name: 'n',
      startedAt: '2026-01-01T00:00:00Z',
    };
    expect(
      judgeOwnership(cr({ pendingOperation: intent }), here, { id: 'x', labels: {} }).owner,
    ).toBe('other');
  });

  it('for kinds without labels, takes an object our intent names unless it predates the intent', () => {
    const intent = {
      operation: 'Create' as const,
      vvpNamespace: 'default',
      name: 'n',
      startedAt: '2026-01-01T12:00:00Z',
    };
    const status = { pendingOperation: intent };
    expect(
      judgeOwnership(cr(status), here, { id: 'x', createdAt: '2026-01-01T12:00:03Z' }).owner,
    ).toBe('us');
    expect(
      judgeOwnership(cr(status), here, { id: 'x', createdAt: '2026-01-01T11:00:00Z' }).owner,
    ).toBe('other');
    expect(judgeOwnership(cr(status), { ...here, name: 'm' }, { id: 'x' }).owner).toBe('other');
    expect(judgeOwnership(cr(), here, { id: 'x' }).owner).toBe('other');
  });
});

describe('ownerLabelsFor', () => {
  it('leaves out values that are not valid label values; the uid decides', () => {
    const long = 'x'.repeat(64);
    expect(
      ownerLabelsFor(
        { kind: 'VpDeploymentTarget', metadata: { name: long, namespace: 'ns', uid: 'u1' } },
        undefined,
      ),
    ).toEqual({
      [OWNER_LABELS.kind]: 'VpDeploymentTarget',
      [OWNER_LABELS.namespace]: 'ns',
      [OWNER_LABELS.uid]: 'u1',
    });
  });
});

describe('DependencyIndex', () => {
  it('answers the dependants of a dependency and forgets replaced and deleted ones', () => {
    const index = new DependencyIndex();
    const a = { metadata: { name: 'a', namespace: 'ns' } };
    const b = { metadata: { name: 'b', namespace: 'ns' } };
    index.record(a, [secretDependency('ns', 's1')]);
    index.record(b, [secretDependency('ns', 's1')]);
    expect(index.dependantsOf(secretDependency('ns', 's1'))).toEqual([
      { name: 'a', namespace: 'ns' },
      { name: 'b', namespace: 'ns' },
    ]);
    index.record(a, [secretDependency('ns', 's2')]);
    index.forget(b);
    expect(index.dependantsOf(secretDependency('ns', 's1'))).toEqual([]);
    expect(index.dependantsOf(secretDependency('ns', 's2'))).toEqual([
      { name: 'a', namespace: 'ns' },
    ]);
  });
});
