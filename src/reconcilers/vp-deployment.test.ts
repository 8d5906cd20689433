import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  ANNOTATION_FORCE_ORPHAN,
  OWNER_LABELS,
  VP_DEPLOYMENT_TARGET,
  type VpDeployment,
  type VpDeploymentTarget,
  type VpSavepoint,
} from '../api';
import type { CacheReader, KubeObject, Reconciler, ResourceDescriptor } from '../controller';
import { UnavailableError, type Deployment } from '../vvp';
import { ManagedReconciler } from './managed/reconciler';
import type { SavepointRecords } from './savepoint-records';
import { FakeObject, FakeTokens, useSimulatedVvp } from './test-support';
import { RESTART_NONCE_ANNOTATION, VpDeploymentKind, readiness } from './vp-deployment';

/** VpSavepoints created by the kind, kept in memory like the API server would. */
class FakeSavepointRecords implements SavepointRecords {
  readonly created: VpSavepoint[] = [];

  ensure(savepoint: VpSavepoint): Promise<'created' | 'exists'> {
    if (this.created.some((s) => s.metadata?.name === savepoint.metadata?.name)) {
      return Promise.resolve('exists');
    }
    this.created.push(structuredClone(savepoint));
    return Promise.resolve('created');
  }
}

function deploymentCr(
  spec: Partial<NonNullable<VpDeployment['spec']>> = {},
  name = 'wordcount',
): VpDeployment {
  return {
    apiVersion: 'vpoperator.dev/v1alpha1',
    kind: 'VpDeployment',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, generation: 1 },
    spec: {
      metadata: { namespace: 'default', labels: { team: 'a' } },
      deploymentTargetRef: { name: 'flink' },
      spec: {
        state: 'RUNNING',
        upgradeStrategy: { kind: 'STATEFUL' },
        restoreStrategy: { kind: 'LATEST_STATE' },
        template: {
          spec: {
            artifact: { kind: 'JAR', jarUri: 's3://jobs/wordcount.jar' },
            parallelism: 2,
            flinkConfiguration: { 'taskmanager.numberOfTaskSlots': 2 },
          },
        },
      },
      ...spec,
    },
  };
}

/** A user edit: the spec changes and so does the generation. */
function editSpec(cr: FakeObject<VpDeployment>, change: (object: VpDeployment) => void): void {
  cr.edit((o) => {
    change(o);
    o.metadata = { ...o.metadata, generation: (o.metadata?.generation ?? 1) + 1 };
  });
}

describe('VpDeployment on the managed reconciler (VVP 2.4)', () => {
  const env = useSimulatedVvp();
  let records: FakeSavepointRecords;
  let reconciler: Reconciler<VpDeployment>;
  let target: VpDeploymentTarget;

  beforeEach(async () => {
    records = new FakeSavepointRecords();
    reconciler = new ManagedReconciler({
      kind: new VpDeploymentKind(env.vvp, records),
      tokens: new FakeTokens(),
      operatorNamespace: 'vp-operator',
    });
    const created = await env.vvp.deploymentTargets('default').create({
      metadata: { name: 'flink' },
      spec: { kubernetes: { namespace: 'flink-jobs' } },
    });
    target = {
      apiVersion: 'vpoperator.dev/v1alpha1',
      kind: 'VpDeploymentTarget',
      metadata: { name: 'flink', namespace: 'team-a' },
      spec: { metadata: { namespace: 'default' }, spec: { kubernetes: {} } },
      status: {
        id: created.metadata?.id ?? '',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Available',
            message: '',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    };
    env.takeWrites();
  });

  function withTarget(cr: FakeObject<VpDeployment>, ready = true): void {
    const cached: VpDeploymentTarget = ready ? target : { ...target, status: {} };
    const get = (resource: ResourceDescriptor, name: string): KubeObject | undefined =>
      resource === VP_DEPLOYMENT_TARGET && name === 'flink' ? cached : undefined;
    // The cache hands out whatever kind is asked for; the test stores only targets.
    cr.cache = { get: get as CacheReader['get'], list: () => [] };
  }

  async function running(spec: Partial<NonNullable<VpDeployment['spec']>> = {}) {
    const cr = new FakeObject(deploymentCr(spec));
    withTarget(cr);
    await cr.reconcile(reconciler);
    // Instant transitions: the next poll sees the job running.
    await cr.reconcile(reconciler);
    return cr;
  }

  async function vvpDeployment(cr: FakeObject<VpDeployment>): Promise<Deployment> {
    return env.vvp.deployments('default').get(cr.object.status?.id ?? '');
  }

  it('waits for the referenced target (DependencyNotReady), then creates, runs and makes no writes in steady state', async () => {
    const cr = new FakeObject(deploymentCr());
    withTarget(cr, false);
    await expect(cr.reconcile(reconciler)).rejects.toThrow('not Ready');
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: 'DependencyNotReady' });
    expect(env.takeWrites()).toEqual([]);

    withTarget(cr);
    const result = await cr.reconcile(reconciler);
    expect(result).toEqual({ requeueAfter: 5_000 });
    expect(env.takeWrites()).toEqual(['POST /api/v1/namespaces/default/deployments']);
    const created = await vvpDeployment(cr);
    expect(created.spec?.deploymentTargetId).toBe(target.status?.id);
    expect(created.metadata?.labels).toMatchObject({
      team: 'a',
      [OWNER_LABELS.uid]: 'uid-wordcount',
    });
    expect(created.spec?.template?.spec?.flinkConfiguration).toEqual({
      'taskmanager.numberOfTaskSlots': '2',
    });

    await cr.reconcile(reconciler);
    expect(cr.object.status).toMatchObject({
      id: created.metadata?.id,
      state: 'RUNNING',
      jobId: expect.any(String),
      deploymentTargetId: target.status?.id,
    });
    expect(cr.object.status?.jobs?.[0]).toMatchObject({
      id: cr.object.status?.jobId,
      state: 'STARTED',
    });
    expect(cr.condition('Ready')).toMatchObject({ status: 'True', reason: 'Available' });
    expect(cr.condition('Synced')).toMatchObject({ status: 'True', reason: 'ReconcileSuccess' });
    // VVP's events of the deployment are mirrored once, with the cursor in status.
    expect(cr.object.status?.eventCursor?.lastEventTime).toEqual(expect.any(String));
    // A deployment the operator created: all of them, not only the newest few.
    const vvpEvents = await env.vvp
      .events('default')
      .list({ deploymentId: created.metadata?.id ?? '' });
    expect(vvpEvents.length).toBeGreaterThan(5);
    expect([...cr.postedOnce.values()].map((e) => e.reason).sort()).toEqual(
      vvpEvents.map((e) => e.metadata?.name).sort(),
    );

    env.simulator.admin.clearRequests();
    const writes = cr.statusWrites;
    for (let i = 0; i < 3; i++) expect(await cr.reconcile(reconciler)).toBeUndefined();
    const requests = env.simulator.admin.requests().entries.map((e) => `${e.method} ${e.url}`);
    expect(requests).toEqual(
      Array(3).fill(`GET /api/v1/namespaces/default/deployments/${created.metadata?.id}`),
    );
    expect(cr.statusWrites).toBe(writes);
  });

  it('PATCH mode: sends only the difference, leaves unmanaged VVP fields alone, repairs drift once with a Drifted report', async () => {
    const cr = await running();
    env.takeWrites();
    editSpec(cr, (o) => {
      if (o.spec?.spec.template?.spec !== undefined) o.spec.spec.template.spec.parallelism = 3;
    });
    await cr.reconcile(reconciler);
    const [patch] = env.simulator.admin.requests().entries.filter((e) => e.method === 'PATCH');
    expect(patch).toBeDefined();
    expect(cr.reasons()).toContain('Updated');
    expect((await vvpDeployment(cr)).spec?.template?.spec?.parallelism).toBe(3);
    await cr.reconcile(reconciler);
    env.takeWrites();

    // Behind our back: a managed field and an unmanaged one.
    await env.vvp.deployments('default').patch(cr.object.status?.id ?? '', {
      spec: { template: { spec: { parallelism: 7, numberOfTaskManagers: 4 } } },
    });
    env.takeWrites();
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([
      `PATCH /api/v1/namespaces/default/deployments/${cr.object.status?.id}`,
    ]);
    const repaired = await vvpDeployment(cr);
    expect(repaired.spec?.template?.spec?.parallelism).toBe(3);
    expect(repaired.spec?.template?.spec?.numberOfTaskManagers).toBe(4);
    expect(cr.condition('Drifted')).toMatchObject({ status: 'True', reason: 'DriftRepaired' });
    expect(cr.condition('Drifted')?.message).toContain('spec.spec.template.spec.parallelism');
    expect(cr.events.filter((e) => e.reason === 'Drifted')).toHaveLength(1);
    expect(cr.events.find((e) => e.reason === 'Drifted')?.type).toBe('Warning');

    for (let i = 0; i < 3; i++) await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.events.filter((e) => e.reason === 'Drifted')).toHaveLength(1);
  });

  it('PUT mode: the CR is the whole deployment, so a field it omits is reset', async () => {
    const cr = await running({ syncingMode: 'PUT' });
    // Created with POST; no PUT follows the create.
    expect(env.takeWrites()).toEqual(['POST /api/v1/namespaces/default/deployments']);
    await env.vvp.deployments('default').patch(cr.object.status?.id ?? '', {
      spec: { template: { spec: { numberOfTaskManagers: 4 } } },
    });
    editSpec(cr, (o) => {
      if (o.spec?.spec.template?.spec !== undefined) o.spec.spec.template.spec.parallelism = 3;
    });
    env.takeWrites();
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual(['PUT /api/v1/namespaces/default/deployments/wordcount']);
    const replaced = await vvpDeployment(cr);
    expect(replaced.spec?.template?.spec?.parallelism).toBe(3);
    expect(replaced.spec?.template?.spec?.numberOfTaskManagers).toBeUndefined();
    for (let i = 0; i < 2; i++) await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
  });

  it('sends initFields in the create request only', async () => {
    const cr = await running({
      initFields: { spec: { template: { spec: { numberOfTaskManagers: 2 } } } },
    });
    expect((await vvpDeployment(cr)).spec?.template?.spec?.numberOfTaskManagers).toBe(2);
    await env.vvp.deployments('default').patch(cr.object.status?.id ?? '', {
      spec: { template: { spec: { numberOfTaskManagers: 5 } } },
    });
    env.takeWrites();
    for (let i = 0; i < 2; i++) await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect((await vvpDeployment(cr)).spec?.template?.spec?.numberOfTaskManagers).toBe(5);
  });

  it('restartNonce: present at creation triggers nothing; a change restarts the job once, also after a lost status write', async () => {
    const cr = await running({ restartNonce: 1 });
    expect(cr.object.status?.handledRestartNonce).toBe(1);
    const firstJob = cr.object.status?.jobId;
    env.takeWrites();

    editSpec(cr, (o) => {
      if (o.spec !== undefined) o.spec.restartNonce = 2;
    });
    cr.failStatusWrite = () => true;
    await expect(cr.reconcile(reconciler)).rejects.toThrow('crashed');
    expect(env.takeWrites()).toHaveLength(1);
    const annotated = await vvpDeployment(cr);
    expect(annotated.spec?.template?.metadata?.annotations?.[RESTART_NONCE_ANNOTATION]).toBe('2');

    await cr.reconcile(reconciler);
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.object.status?.handledRestartNonce).toBe(2);
    expect(cr.object.status?.jobId).toEqual(expect.any(String));
    expect(cr.object.status?.jobId).not.toBe(firstJob);
    expect(cr.condition('Ready')?.status).toBe('True');
  });

  it('savepointNonce: a change records one VpSavepoint owned by the deployment; a nonce at creation none', async () => {
    const cr = await running({ savepointNonce: 1 });
    expect(records.created).toEqual([]);
    expect(cr.object.status?.handledSavepointNonce).toBe(1);
    env.takeWrites();
    editSpec(cr, (o) => {
      if (o.spec !== undefined) o.spec.savepointNonce = 2;
    });
    await cr.reconcile(reconciler);
    await cr.reconcile(reconciler);
    expect(records.created).toHaveLength(1);
    expect(records.created[0]).toMatchObject({
      metadata: {
        name: 'wordcount-2',
        namespace: 'team-a',
        ownerReferences: [{ kind: 'VpDeployment', name: 'wordcount', uid: 'uid-wordcount' }],
      },
      spec: { deploymentRef: { name: 'wordcount' } },
    });
    expect(cr.object.status?.handledSavepointNonce).toBe(2);
    expect(env.takeWrites()).toEqual([]);
    expect(records.created[0]?.metadata?.labels).toBeUndefined();
  });

  it('suspends on request: SUSPENDED is Ready, with the suspend savepoint as the last savepoint', async () => {
    const cr = await running();
    editSpec(cr, (o) => {
      if (o.spec !== undefined) o.spec.spec.state = 'SUSPENDED';
    });
    await cr.reconcile(reconciler);
    await cr.reconcile(reconciler);
    expect(cr.object.status?.state).toBe('SUSPENDED');
    expect(cr.condition('Ready')).toMatchObject({ status: 'True', reason: 'Available' });
    expect(cr.object.status?.lastSavepoint).toMatchObject({
      origin: 'SUSPEND',
      state: 'COMPLETED',
      location: expect.stringMatching(/^s3:\/\//),
    });
  });

  it('reports an outage as PlatformUnavailable and keeps Ready', async () => {
    const cr = await running();
    env.simulator.admin.setKnobs({ outage: true });
    await expect(cr.reconcile(reconciler)).rejects.toBeInstanceOf(UnavailableError);
    expect(cr.condition('Synced')).toMatchObject({
      status: 'False',
      reason: 'PlatformUnavailable',
    });
    expect(cr.condition('Ready')?.status).toBe('True');
    env.simulator.admin.setKnobs({ outage: false });
    await cr.reconcile(reconciler);
    expect(cr.condition('Synced')?.status).toBe('True');
  });

  it('reports a failed job as Failed with VVP message', async () => {
    const cr = await running();
    env.simulator.admin.failJob('default', cr.object.status?.jobId ?? '', 'OutOfMemoryError');
    await cr.reconcile(reconciler);
    expect(cr.object.status?.state).toBe('FAILED');
    expect(cr.condition('Ready')).toMatchObject({ status: 'False', reason: 'Failed' });
    expect(cr.condition('Ready')?.message).toContain('OutOfMemoryError');
  });

  it('adopts the deployment an interrupted create made instead of creating a second one', async () => {
    const cr = new FakeObject(deploymentCr());
    withTarget(cr);
    cr.failStatusWrite = (desired) => desired.id !== undefined;
    await expect(cr.reconcile(reconciler)).rejects.toThrow('crashed');
    expect(cr.object.status?.pendingOperation).toMatchObject({ operation: 'Create' });
    await cr.reconcile(reconciler);
    expect(await env.vvp.deployments('default').list()).toHaveLength(1);
    expect(cr.object.status?.pendingOperation).toBeUndefined();
    expect(cr.object.status?.id).toEqual(expect.any(String));
  });

  it('lets a CR that never got a deployment go, also while its target is not Ready', async () => {
    const cr = new FakeObject(deploymentCr());
    withTarget(cr, false);
    cr.edit((o) => {
      o.metadata = { ...o.metadata, deletionTimestamp: new Date() };
    });
    expect(await cr.finalize(reconciler)).toBeUndefined();
    expect(env.takeWrites()).toEqual([]);
  });

  it('Delete: cancels, waits for CANCELLED, then deletes', async () => {
    const cr = await running();
    env.takeWrites();
    const first = await cr.finalize(reconciler);
    expect(first).toEqual({ requeueAfter: 5_000 });
    expect(cr.condition('Ready')).toMatchObject({ status: 'False', reason: 'Deleting' });
    let result = first;
    for (let i = 0; i < 5 && result !== undefined; i++) result = await cr.finalize(reconciler);
    expect(result).toBeUndefined();
    const id = cr.object.status?.id ?? '';
    expect(env.takeWrites()).toEqual([
      `PATCH /api/v1/namespaces/default/deployments/${id}`,
      `DELETE /api/v1/namespaces/default/deployments/${id}`,
    ]);
    expect(await env.vvp.deployments('default').list()).toEqual([]);
    expect(cr.reasons()).toContain('Deleted');
  });

  it('SavepointThenDelete: suspends with a savepoint, records it as a VpSavepoint that outlives the deployment, then deletes', async () => {
    const cr = await running({ deletionPolicy: 'SavepointThenDelete' });
    const id = cr.object.status?.id ?? '';
    let result = await cr.finalize(reconciler);
    for (let i = 0; i < 5 && result !== undefined; i++) result = await cr.finalize(reconciler);
    expect(result).toBeUndefined();
    const [savepoint] = await env.vvp.savepoints('default').list({ deploymentId: id });
    expect(savepoint?.metadata?.origin).toBe('SUSPEND');
    expect(records.created).toHaveLength(1);
    const record = records.created[0];
    expect(record?.metadata?.ownerReferences).toBeUndefined();
    expect(record?.spec).toMatchObject({
      deletionPolicy: 'Orphan',
      metadata: { id: savepoint?.metadata?.id, deploymentId: id, namespace: 'default' },
    });
    const recorded = cr.events.find((e) => e.reason === 'SavepointRecorded');
    expect(recorded?.note).toContain(savepoint?.spec?.savepointLocation ?? '?');
    expect(await env.vvp.deployments('default').list()).toEqual([]);
  });

  it('SavepointThenDelete keeps the finalizer of a FAILED deployment, saying why', async () => {
    const cr = await running({ deletionPolicy: 'SavepointThenDelete' });
    env.simulator.admin.failJob('default', cr.object.status?.jobId ?? '', 'boom');
    const result = await cr.finalize(reconciler);
    expect(result?.requeueAfter).toBeGreaterThan(0);
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: 'DeletionBlocked' });
    expect(await env.vvp.deployments('default').list()).toHaveLength(1);
  });

  it('Orphan leaves the job running; force-orphan drops the finalizer of a stuck deletion with a Warning', async () => {
    const orphan = await running({ deletionPolicy: 'Orphan' });
    env.takeWrites();
    expect(await orphan.finalize(reconciler)).toBeUndefined();
    expect(env.takeWrites()).toEqual([]);
    expect((await vvpDeployment(orphan)).status?.state).toBe('RUNNING');

    const stuck = new FakeObject(deploymentCr({ deletionPolicy: 'SavepointThenDelete' }, 'stuck'));
    withTarget(stuck);
    await stuck.reconcile(reconciler);
    await stuck.reconcile(reconciler);
    env.simulator.admin.failJob('default', stuck.object.status?.jobId ?? '', 'boom');
    await stuck.finalize(reconciler);
    stuck.edit((o) => {
      o.metadata = { ...o.metadata, annotations: { [ANNOTATION_FORCE_ORPHAN]: 'true' } };
    });
    env.takeWrites();
    expect(await stuck.finalize(reconciler)).toBeUndefined();
    expect(env.takeWrites()).toEqual([]);
    expect(stuck.events.find((e) => e.reason === 'ForceOrphaned')?.type).toBe('Warning');
  });
});

describe('VpDeployment on VVP 2.1 (ids only, no PUT, deletion only when CANCELLED)', () => {
  const env = useSimulatedVvp({ vvpVersion: '2.1' });
  let records: FakeSavepointRecords;
  let reconciler: Reconciler<VpDeployment>;
  let targetId: string;

  beforeEach(async () => {
    records = new FakeSavepointRecords();
    reconciler = new ManagedReconciler({
      kind: new VpDeploymentKind(env.vvp, records),
      tokens: new FakeTokens(),
      instanceId: 'prod',
      operatorNamespace: 'vp-operator',
    });
    const target = await env.vvp.deploymentTargets('default').create({
      metadata: { name: 'flink' },
      spec: { kubernetes: { namespace: 'flink-jobs' } },
    });
    targetId = target.metadata?.id ?? '';
    env.takeWrites();
  });

  function cr(spec: Partial<NonNullable<VpDeployment['spec']>> = {}): FakeObject<VpDeployment> {
    const object = deploymentCr(spec);
    object.metadata = { ...object.metadata, labels: { 'vpoperator.dev/instance': 'prod' } };
    delete object.spec?.deploymentTargetRef;
    if (object.spec !== undefined) object.spec.spec.deploymentTargetId = targetId;
    return new FakeObject(object);
  }

  it('finds an interrupted create by its owner label (names may repeat before 2.4)', async () => {
    const deployment = cr();
    deployment.failStatusWrite = (desired) => desired.id !== undefined;
    await expect(deployment.reconcile(reconciler)).rejects.toThrow('crashed');
    await deployment.reconcile(reconciler);
    await deployment.reconcile(reconciler);
    expect(await env.vvp.deployments('default').list()).toHaveLength(1);
    expect(deployment.object.status?.state).toBe('RUNNING');
    expect(env.takeWrites()).toEqual(['POST /api/v1/namespaces/default/deployments']);
  });

  it('SavepointThenDelete records the savepoint with the instance label, then cancels before deleting', async () => {
    const deployment = cr({ deletionPolicy: 'SavepointThenDelete' });
    await deployment.reconcile(reconciler);
    await deployment.reconcile(reconciler);
    let result = await deployment.finalize(reconciler);
    for (let i = 0; i < 6 && result !== undefined; i++)
      result = await deployment.finalize(reconciler);
    expect(result).toBeUndefined();
    expect(records.created).toHaveLength(1);
    expect(records.created[0]?.metadata?.labels).toEqual({ 'vpoperator.dev/instance': 'prod' });
    expect(await env.vvp.deployments('default').list()).toEqual([]);
  });
});

describe('readiness', () => {
  const running = (
    conditions: NonNullable<NonNullable<Deployment['status']>['running']>['conditions'] = [],
  ): Deployment => ({
    spec: { state: 'RUNNING' },
    status: { state: 'RUNNING', running: { jobId: 'job-1', conditions } },
  });

  it('is Available only when the observed state is the desired one and a job runs', () => {
    expect(readiness(running(), [])).toMatchObject({ status: 'True', reason: 'Available' });
    expect(
      readiness({ spec: { state: 'RUNNING' }, status: { state: 'RUNNING' } }, []),
    ).toMatchObject({ status: 'False', reason: 'Transitioning' });
    expect(
      readiness({ spec: { state: 'SUSPENDED' }, status: { state: 'SUSPENDED' } }, []),
    ).toMatchObject({ status: 'True', reason: 'Available' });
    expect(
      readiness({ spec: { state: 'RUNNING' }, status: { state: 'CANCELLED' } }, []),
    ).toMatchObject({ status: 'False', reason: 'Transitioning' });
  });

  it('says JobFailing with VVP message for a failing running job, Finished for a finished one', () => {
    const failing = readiness(
      running([{ type: 'CLUSTER_UNHEALTHY', status: 'False', message: 'TaskManagers lost' }]),
      [],
    );
    expect(failing).toMatchObject({ status: 'False', reason: 'JobFailing' });
    expect(failing.message).toContain('TaskManagers lost');
    expect(
      readiness({ spec: { state: 'RUNNING' }, status: { state: 'FINISHED' } }, []),
    ).toMatchObject({ status: 'False', reason: 'Finished' });
  });
});
