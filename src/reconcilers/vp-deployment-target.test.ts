import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  ANNOTATION_ADOPT,
  ANNOTATION_PAUSED,
  ANNOTATION_RECONCILE_REQUESTED_AT,
  OWNER_LABELS,
  type VpDeploymentTarget,
} from '../api';
import { TerminalError, type Reconciler } from '../controller';
import { UnavailableError } from '../vvp';
import { ManagedReconciler } from './managed/reconciler';
import { FakeObject, FakeTokens, useSimulatedVvp } from './test-support';
import { VpDeploymentTargetKind } from './vp-deployment-target';

const TARGETS = '/api/v1/namespaces/{namespace}/deployment-targets';
const TARGET = `${TARGETS}/{deploymentTargetName}`;

function targetCr(name = 'flink', annotations: Record<string, string> = {}): VpDeploymentTarget {
  return {
    apiVersion: 'vpoperator.dev/v1alpha1',
    kind: 'VpDeploymentTarget',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, generation: 1, annotations },
    spec: {
      metadata: { namespace: 'default', labels: { team: 'a' } },
      spec: { kubernetes: { namespace: 'flink-jobs' } },
    },
  };
}

describe('VpDeploymentTarget on the managed reconciler (VVP 2.4)', () => {
  let tokens: FakeTokens;
  let reconciler: Reconciler<VpDeploymentTarget>;

  const env = useSimulatedVvp();
  beforeEach(() => {
    tokens = new FakeTokens();
    reconciler = new ManagedReconciler({
      kind: new VpDeploymentTargetKind(env.vvp),
      tokens,
      instanceId: 'prod',
      operatorNamespace: 'vp-operator',
    });
  });

  async function vvpTargets(): Promise<{ name?: string; labels?: Record<string, string> }[]> {
    return (await env.vvp.deploymentTargets('default').list()).map((t) => ({
      name: t.metadata?.name,
      labels: t.metadata?.labels,
    }));
  }

  it('creates the target with owner labels, reports it Ready, then makes no writes in steady state', async () => {
    const cr = new FakeObject(targetCr());
    cr.edit((o) => {
      o.spec = {
        ...o.spec,
        spec: o.spec?.spec ?? { kubernetes: {} },
        apiTokenSecretRef: { name: 'vvp-token' },
      };
    });
    expect(await cr.reconcile(reconciler)).toBeUndefined();

    expect(env.takeWrites()).toEqual([
      expect.stringMatching(/^POST \/api\/v1\/namespaces\/default\/deployment-targets$/),
    ]);
    const [created] = await env.vvp.deploymentTargets('default').list();
    expect(created?.metadata?.labels).toEqual({
      team: 'a',
      [OWNER_LABELS.kind]: 'VpDeploymentTarget',
      [OWNER_LABELS.namespace]: 'team-a',
      [OWNER_LABELS.name]: 'flink',
      [OWNER_LABELS.uid]: 'uid-flink',
      [OWNER_LABELS.instance]: 'prod',
    });
    expect(cr.object.status).toMatchObject({
      id: created?.metadata?.id,
      resourceVersion: created?.metadata?.resourceVersion,
      observedGeneration: 1,
      lastSyncTime: expect.any(String),
    });
    expect(cr.object.status?.pendingOperation).toBeUndefined();
    expect(cr.condition('Ready')).toMatchObject({ status: 'True', reason: 'Available' });
    expect(cr.condition('Synced')).toMatchObject({ status: 'True', reason: 'ReconcileSuccess' });
    expect(cr.reasons()).toEqual(['Created']);
    expect(tokens.resolved[0]).toEqual({
      vvpNamespace: 'default',
      secretRef: { namespace: 'team-a', name: 'vvp-token' },
    });

    const writes = cr.statusWrites;
    for (let i = 0; i < 3; i++) await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.statusWrites).toBe(writes);
    expect(cr.events).toHaveLength(1);
  });

  it('adopts the object an interrupted create made instead of creating a second one', async () => {
    const cr = new FakeObject(targetCr());
    cr.failStatusWrite = (desired) => desired.id !== undefined;
    await expect(cr.reconcile(reconciler)).rejects.toThrow('crashed');
    expect(cr.object.status?.pendingOperation).toMatchObject({
      operation: 'Create',
      vvpNamespace: 'default',
      name: 'flink',
    });
    expect(cr.object.status?.id).toBeUndefined();
    env.takeWrites();

    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(await vvpTargets()).toHaveLength(1);
    expect(cr.object.status?.pendingOperation).toBeUndefined();
    expect(cr.object.status?.id).toEqual(expect.any(String));
    expect(cr.condition('Synced')?.reason).toBe('ReconcileSuccess');
  });

  it('writes the create intent with a resourceVersion precondition, so a stale cache cannot create', async () => {
    const cr = new FakeObject(targetCr());
    const stale = structuredClone(cr.object);
    cr.edit(() => undefined);
    await expect(reconciler.reconcile(stale, cr.context())).rejects.toThrow('stale');
    expect(env.takeWrites()).toEqual([]);
  });

  it('leaves a same-named foreign target untouched until adopted, then labels it and keeps it', async () => {
    await env.vvp.deploymentTargets('default').create({
      metadata: { name: 'flink', labels: { owner: 'someone' } },
      spec: { kubernetes: { namespace: 'flink-jobs' } },
    });
    env.takeWrites();
    const cr = new FakeObject(targetCr());
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: 'AlreadyExists' });
    expect(cr.condition('Synced')?.message).toContain(`${ANNOTATION_ADOPT}: "true"`);
    expect(cr.object.status?.id).toBeUndefined();
    await cr.reconcile(reconciler);
    expect(cr.reasons()).toEqual(['AlreadyExists']);

    await cr.finalize(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(await vvpTargets()).toEqual([{ name: 'flink', labels: { owner: 'someone' } }]);

    cr.edit((o) => {
      o.metadata = { ...o.metadata, annotations: { [ANNOTATION_ADOPT]: 'true' } };
    });
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([
      expect.stringMatching(/^PUT .*\/deployment-targets\/flink$/),
    ]);
    const [adopted] = await env.vvp.deploymentTargets('default').list();
    expect(adopted?.metadata?.labels).toMatchObject({
      owner: 'someone',
      team: 'a',
      [OWNER_LABELS.uid]: 'uid-flink',
    });
    expect(cr.object.status).toMatchObject({ adopted: true, id: adopted?.metadata?.id });
    expect(cr.condition('Ready')?.status).toBe('True');
    expect(cr.reasons()).toContain('Adopted');
  });

  it('refuses adoption while paused, and neither creates nor updates while paused', async () => {
    const cr = new FakeObject(targetCr('paused', { [ANNOTATION_PAUSED]: 'true' }));
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: 'Paused' });

    cr.edit((o) => {
      o.metadata = { ...o.metadata, annotations: {} };
    });
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toHaveLength(1);

    cr.edit((o) => {
      o.metadata = { ...o.metadata, annotations: { [ANNOTATION_PAUSED]: 'true' } };
      o.spec = {
        ...o.spec,
        metadata: { namespace: 'default', labels: { team: 'b' } },
        spec: o.spec?.spec ?? { kubernetes: {} },
      };
    });
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.condition('Synced')?.message).toContain('spec.metadata.labels.team');

    expect(await cr.finalize(reconciler)).toEqual({ requeueAfter: expect.any(Number) });
    expect(env.takeWrites()).toEqual([]);
  });

  it('acknowledges reconcile-requested-at without writing to VVP', async () => {
    const cr = new FakeObject(targetCr());
    await cr.reconcile(reconciler);
    env.takeWrites();
    cr.edit((o) => {
      o.metadata = { ...o.metadata, annotations: { [ANNOTATION_RECONCILE_REQUESTED_AT]: 'now-1' } };
    });
    await cr.reconcile(reconciler);
    expect(cr.object.status?.lastHandledReconcileAt).toBe('now-1');
    expect(env.takeWrites()).toEqual([]);
  });

  it('updates labels in place with PUT, and reports a spec change as RecreateRequired without acting', async () => {
    const cr = new FakeObject(targetCr());
    await cr.reconcile(reconciler);
    env.takeWrites();
    cr.edit((o) => {
      o.metadata = { ...o.metadata, generation: 2 };
      o.spec = {
        ...o.spec,
        metadata: { namespace: 'default', labels: { team: 'b' } },
        spec: o.spec?.spec ?? { kubernetes: {} },
      };
    });
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([expect.stringMatching(/^PUT /)]);
    expect(cr.reasons()).toContain('Updated');

    cr.edit((o) => {
      o.metadata = { ...o.metadata, generation: 3 };
      o.spec = { ...o.spec, spec: { kubernetes: { namespace: 'elsewhere' } } };
    });
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: 'RecreateRequired' });
    expect(cr.condition('Synced')?.message).toContain('spec.spec.kubernetes.namespace');
    expect(await vvpTargets()).toHaveLength(1);
  });

  it('recreates a target deleted behind its back, with a Warning Event', async () => {
    const cr = new FakeObject(targetCr());
    await cr.reconcile(reconciler);
    const firstId = cr.object.status?.id;
    await env.vvp.deploymentTargets('default').delete('flink');
    env.takeWrites();
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([expect.stringMatching(/^POST /)]);
    expect(cr.object.status?.id).not.toBe(firstId);
    expect(cr.reasons()).toEqual(['Created', 'NotFound', 'Created']);
  });

  it('deletes with Delete, leaves VVP alone with Orphan', async () => {
    const deleted = new FakeObject(targetCr('one'));
    const orphaned = new FakeObject(targetCr('two'));
    orphaned.edit((o) => {
      o.spec = { ...o.spec, deletionPolicy: 'Orphan', spec: o.spec?.spec ?? { kubernetes: {} } };
    });
    await deleted.reconcile(reconciler);
    await orphaned.reconcile(reconciler);
    env.takeWrites();
    expect(await orphaned.finalize(reconciler)).toBeUndefined();
    expect(env.takeWrites()).toEqual([]);
    expect(await deleted.finalize(reconciler)).toBeUndefined();
    expect(env.takeWrites()).toEqual([
      expect.stringMatching(/^DELETE .*\/deployment-targets\/one$/),
    ]);
    expect((await vvpTargets()).map((t) => t.name)).toEqual(['two']);
  });

  it('keeps the finalizer while deployments use the target, naming them, with growing retry delays', async () => {
    const cr = new FakeObject(targetCr());
    await cr.reconcile(reconciler);
    const deployments = env.vvp.deployments('default');
    const deployment = await deployments.create({
      metadata: { name: 'wordcount' },
      spec: {
        state: 'CANCELLED',
        deploymentTargetId: cr.object.status?.id ?? '',
        template: { spec: { artifact: { kind: 'JAR', jarUri: 'https://example.com/job.jar' } } },
      },
    });
    expect(await cr.finalize(reconciler)).toEqual({ requeueAfter: 10_000 });
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: 'DeletionBlocked' });
    expect(cr.condition('Synced')?.message).toContain('"wordcount"');
    expect(cr.condition('Ready')).toMatchObject({ status: 'False', reason: 'Deleting' });
    expect(await cr.finalize(reconciler)).toEqual({ requeueAfter: 20_000 });
    expect(cr.reasons().filter((r) => r === 'DeletionBlocked')).toHaveLength(1);

    await deployments.delete(deployment.metadata?.id ?? '');
    expect(await cr.finalize(reconciler)).toBeUndefined();
    expect(await vvpTargets()).toEqual([]);
  });

  it('reports VVP 400 as InvalidSpec and stops retrying, clearing the create intent', async () => {
    env.simulator.admin.addFault({
      method: 'POST',
      path: TARGETS,
      status: 400,
      message: 'spec.kubernetes.namespace is not allowed',
    });
    const cr = new FakeObject(targetCr());
    await expect(cr.reconcile(reconciler)).rejects.toBeInstanceOf(TerminalError);
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(cr.condition('Synced')?.message).toContain('spec.kubernetes.namespace is not allowed');
    expect(cr.object.status?.pendingOperation).toBeUndefined();
  });

  it('reports 401 naming the namespace and token source and invalidates the token; 403 likewise', async () => {
    const cr = new FakeObject(targetCr());
    env.simulator.admin.addFault({ method: 'GET', path: TARGET, status: 401, remaining: 1 });
    await expect(cr.reconcile(reconciler)).rejects.toThrow();
    const message = cr.condition('Synced')?.message ?? '';
    expect(cr.condition('Synced')?.reason).toBe('Unauthorized');
    expect(message).toContain('VVP namespace "default"');
    expect(message).toContain('environment variable APPMANAGER_API_TOKEN');
    expect(tokens.invalidated).toEqual([{ vvpNamespace: 'default' }]);

    env.simulator.admin.addFault({ method: 'GET', path: TARGET, status: 403, remaining: 1 });
    await expect(cr.reconcile(reconciler)).rejects.toThrow();
    expect(cr.condition('Synced')?.reason).toBe('Forbidden');
    expect(tokens.invalidated).toHaveLength(1);
  });

  it('reports an outage as PlatformUnavailable, keeps Ready, and rethrows with Retry-After', async () => {
    const cr = new FakeObject(targetCr());
    await cr.reconcile(reconciler);
    env.simulator.admin.addFault({
      method: 'GET',
      path: TARGET,
      status: 503,
      retryAfterSeconds: 7,
    });
    const failure: unknown = await cr.reconcile(reconciler).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect((failure as UnavailableError).retryAfterMs).toBe(7000);
    expect(cr.condition('Synced')).toMatchObject({
      status: 'False',
      reason: 'PlatformUnavailable',
    });
    expect(cr.condition('Ready')?.status).toBe('True');
    env.simulator.admin.clearFaults();
    await cr.reconcile(reconciler);
    expect(cr.condition('Synced')?.status).toBe('True');
  });

  it('reports a missing VVP namespace as DependencyNotReady', async () => {
    const cr = new FakeObject(targetCr());
    cr.edit((o) => {
      o.spec = {
        ...o.spec,
        metadata: { namespace: 'nowhere' },
        spec: o.spec?.spec ?? { kubernetes: {} },
      };
    });
    await expect(cr.reconcile(reconciler)).rejects.toThrow();
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: 'DependencyNotReady' });
    expect(cr.object.status?.pendingOperation).toBeUndefined();
  });

  it('rejects what the CRD cannot check before calling VVP', async () => {
    const cr = new FakeObject(targetCr('bad name!'));
    cr.edit((o) => {
      o.spec = {
        ...o.spec,
        metadata: { labels: { [OWNER_LABELS.uid]: 'forged' } },
        spec: { kubernetes: {}, deploymentPatchSet: [{ op: 'add' }] },
      };
    });
    await expect(cr.reconcile(reconciler)).rejects.toBeInstanceOf(TerminalError);
    const message = cr.condition('Synced')?.message ?? '';
    expect(cr.condition('Synced')?.reason).toBe('InvalidSpec');
    expect(message).toContain('"bad name!"');
    expect(message).toContain('deploymentPatchSet');
    expect(message).toContain(OWNER_LABELS.uid);
    expect(env.simulator.admin.requests().entries).toEqual([]);
  });
  it('reports a malformed object (no spec.spec) as InvalidSpec instead of crashing', async () => {
    const malformed: unknown = { metadata: {} };
    const cr = new FakeObject(targetCr());
    cr.edit((o) => {
      o.spec = malformed as VpDeploymentTarget['spec'];
    });
    await expect(cr.reconcile(reconciler)).rejects.toBeInstanceOf(TerminalError);
    expect(cr.condition('Synced')?.message).toContain('spec.spec.kubernetes is required');
  });
});

describe('VpDeploymentTarget on VVP 2.1', () => {
  const env = useSimulatedVvp({ vvpVersion: '2.1' });

  it('reports a label change as RecreateRequired instead of deleting the target', async () => {
    const reconciler = new ManagedReconciler({
      kind: new VpDeploymentTargetKind(env.vvp),
      tokens: new FakeTokens(),
      operatorNamespace: 'vp-operator',
    });
    const cr = new FakeObject(targetCr());
    await cr.reconcile(reconciler);
    cr.edit((o) => {
      o.spec = {
        ...o.spec,
        metadata: { namespace: 'default', labels: { team: 'b' } },
        spec: o.spec?.spec ?? { kubernetes: {} },
      };
    });
    env.takeWrites();
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: 'RecreateRequired' });
    expect(cr.condition('Synced')?.message).toContain('2.4');
  });
});
