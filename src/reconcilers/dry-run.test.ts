import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { ANNOTATION_ADOPT, type VpDeploymentTarget, type VpSavepoint } from '../api';
import type { Reconciler } from '../controller';
import { testLogger } from '../testing/test-logger';
import { DryRunWriteError, VvpClient } from '../vvp';
import { DRY_RUN_REASON, describeHeldBack } from './managed/dry-run';
import { ManagedReconciler } from './managed/reconciler';
import { FakeObject, FakeTokens, useSimulatedVvp } from './test-support';
import { VpDeploymentTargetKind } from './vp-deployment-target';
import { VpSavepointReconciler } from './vp-savepoint';

function targetCr(annotations: Record<string, string> = {}): VpDeploymentTarget {
  return {
    apiVersion: 'vpoperator.dev/v1alpha1',
    kind: 'VpDeploymentTarget',
    metadata: { name: 'flink', namespace: 'team-a', uid: 'uid-flink', generation: 1, annotations },
    spec: {
      metadata: { namespace: 'default' },
      spec: { kubernetes: { namespace: 'flink-jobs' } },
    },
  };
}

describe('--dry-run', () => {
  const env = useSimulatedVvp();
  let dryVvp: VvpClient;
  let reconciler: Reconciler<VpDeploymentTarget>;

  beforeAll(() => {
    dryVvp = new VvpClient({
      appManagerApiUrl: `${env.simulator.url}/api`,
      platformApiUrl: env.simulator.url,
      tokens: { tokenFor: () => Promise.resolve(undefined) },
      logger: testLogger,
      registry: new Registry(),
      retry: { maxAttempts: 1 },
      dryRun: true,
    });
  });
  beforeEach(() => {
    reconciler = new ManagedReconciler({
      kind: new VpDeploymentTargetKind(dryVvp),
      tokens: new FakeTokens(),
      operatorNamespace: 'vp-operator',
      dryRun: true,
    });
  });

  it('the VVP client sends reads and holds back every write with the request it would have sent', async () => {
    env.takeWrites();
    const api = dryVvp.deploymentTargets('default');
    await expect(api.list()).resolves.toEqual([]);
    const attempt = api.create({ metadata: { name: 'x' }, spec: {} });
    await expect(attempt).rejects.toThrow(DryRunWriteError);
    await expect(attempt).rejects.toMatchObject({
      method: 'POST',
      path: '/api/v1/namespaces/default/deployment-targets',
      body: { metadata: { name: 'x' }, spec: {} },
    });
    expect(env.takeWrites()).toEqual([]);
  });

  it('reports a create as WouldCreate with its body, records no create intent, and announces it once', async () => {
    const cr = new FakeObject(targetCr());
    env.takeWrites();
    expect(await cr.reconcile(reconciler)).toBeUndefined();
    expect(env.takeWrites()).toEqual([]);
    expect(cr.reasons()).toEqual(['WouldCreate']);
    const note = cr.events[0]?.note ?? '';
    expect(note).toContain(
      'Would create VVP deployment target "default/flink" (--dry-run: not sent)',
    );
    expect(note).toContain('POST /api/v1/namespaces/default/deployment-targets');
    expect(note).toContain('"namespace":"flink-jobs"');
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: DRY_RUN_REASON });
    expect(cr.condition('Ready')).toMatchObject({ status: 'False', reason: 'Unavailable' });
    expect(cr.object.status?.pendingOperation).toBeUndefined();
    expect(cr.object.status?.id).toBeUndefined();

    const writes = cr.statusWrites;
    for (let i = 0; i < 3; i++) await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.events).toHaveLength(1);
    expect(cr.statusWrites).toBe(writes);
  });

  it('adopts in status only and reports the owner labels it would write as WouldUpdate with the fields', async () => {
    await env.vvp.deploymentTargets('default').create({
      metadata: { name: 'flink', namespace: 'default' },
      spec: { kubernetes: { namespace: 'flink-jobs' } },
    });
    const cr = new FakeObject(targetCr({ [ANNOTATION_ADOPT]: 'true' }));
    env.takeWrites();
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.reasons()).toEqual(['WouldAdopt', 'WouldUpdate']);
    const note = cr.events[1]?.note ?? '';
    expect(note).toContain('at spec.metadata.labels.vpoperator.dev/owner-kind');
    expect(note).toContain('PUT /api/v1/namespaces/default/deployment-targets/flink');
    expect(note).toContain('"vpoperator.dev/owner-uid":"uid-flink"');
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: DRY_RUN_REASON });
    expect(cr.object.status?.lastSyncTime).toBeUndefined();
    const [target] = await env.vvp.deploymentTargets('default').list();
    expect(target?.metadata?.labels ?? {}).toEqual({});

    await cr.reconcile(reconciler);
    expect(cr.events).toHaveLength(2);
  });

  it('keeps a deleted object (and its finalizer) while the delete is held back', async () => {
    await env.vvp.deploymentTargets('default').create({
      metadata: { name: 'flink', namespace: 'default' },
      spec: { kubernetes: { namespace: 'flink-jobs' } },
    });
    const cr = new FakeObject(targetCr({ [ANNOTATION_ADOPT]: 'true' }));
    await cr.reconcile(reconciler);
    cr.edit((object) => {
      object.metadata = { ...object.metadata, deletionTimestamp: new Date() };
    });
    env.takeWrites();
    const result = await cr.finalize(reconciler);
    expect(result?.requeueAfter).toBeGreaterThan(0);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.reasons()).toContain('WouldDelete');
    expect(await env.vvp.deploymentTargets('default').list()).toHaveLength(1);
  });

  it('reports a savepoint trigger as WouldCreate and records no trigger intent', async () => {
    const savepoints = new VpSavepointReconciler({
      vvp: dryVvp,
      tokens: new FakeTokens(),
      dryRun: true,
    });
    const cr = new FakeObject<VpSavepoint>({
      apiVersion: 'vpoperator.dev/v1alpha1',
      kind: 'VpSavepoint',
      metadata: { name: 'sp', namespace: 'team-a', uid: 'uid-sp', generation: 1 },
      spec: { metadata: { namespace: 'default', deploymentId: 'd-1' } },
    });
    env.takeWrites();
    expect(await cr.reconcile(savepoints)).toBeUndefined();
    expect(env.takeWrites()).toEqual([]);
    expect(cr.reasons()).toEqual(['WouldCreate']);
    expect(cr.events[0]?.note).toContain('POST /api/v1/namespaces/default/savepoints');
    expect(cr.object.status?.pendingOperation).toBeUndefined();
    expect(cr.object.status?.attempts).toBeUndefined();
    await cr.reconcile(savepoints);
    expect(cr.events).toHaveLength(1);
  });

  it('cuts a long body short, keeping the fields in front', () => {
    const request = new DryRunWriteError(
      { method: 'PATCH', route: '/x/{id}', path: '/x/1' },
      { spec: { big: 'y'.repeat(5_000) } },
    );
    const message = describeHeldBack({
      reason: 'WouldUpdate',
      what: 'VVP deployment "a/b"',
      fields: ['spec.spec.big'],
      request,
    });
    expect(message).toMatch(
      /^Would update VVP deployment "a\/b" \(--dry-run: not sent\) at spec\.spec\.big: PATCH \/x\/1 \{/,
    );
    expect(message.length).toBeLessThan(1_000);
    expect(message.endsWith('…')).toBe(true);
  });
});
