import { beforeEach, describe, expect, it } from '@jest/globals';
import { VP_DEPLOYMENT, VP_SAVEPOINT, type VpDeployment, type VpSavepoint } from '../api';
import type { CacheReader, KubeObject, ReconcileResult, ResourceDescriptor } from '../controller';
import { VvpCallAbortedError, type Savepoint } from '../vvp';
import { FakeObject, FakeTokens, useSimulatedVvp } from './test-support';
import { DependencyIndex } from './managed/dependencies';
import {
  VpSavepointReconciler,
  findTriggeredSavepoint,
  retryDelay,
  vpDeploymentDependency,
} from './vp-savepoint';

const SAVEPOINTS = '/api/v1/namespaces/{namespace}/savepoints';

function savepointCr(spec: VpSavepoint['spec'], name = 'sp-1'): VpSavepoint {
  return {
    apiVersion: 'vpoperator.dev/v1alpha1',
    kind: 'VpSavepoint',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, generation: 1 },
    spec,
  };
}

/** A cache holding the given objects, by kind. */
function cacheOf(objects: { resource: ResourceDescriptor; object: KubeObject }[]): CacheReader {
  const of = (resource: ResourceDescriptor) =>
    objects.filter((entry) => entry.resource.kind === resource.kind).map((entry) => entry.object);
  // The tests put objects of the asked kind only, so the generic casts hold.
  return {
    get: (resource, name, namespace) =>
      of(resource).find(
        (object) => object.metadata?.name === name && object.metadata.namespace === namespace,
      ) as never,
    list: (resource) => of(resource) as never,
  };
}

interface RunOptions {
  cache?: CacheReader;
  now?: Date;
  signal?: AbortSignal;
}

function run(
  cr: FakeObject<VpSavepoint>,
  reconciler: VpSavepointReconciler,
  options: RunOptions = {},
): Promise<ReconcileResult | undefined> {
  const context = cr.context(options.signal);
  const { cache, now } = options;
  return reconciler.reconcile(structuredClone(cr.object), {
    ...context,
    ...(cache === undefined ? {} : { cache }),
    ...(now === undefined ? {} : { now: () => now }),
  });
}

describe('finding the savepoint an interrupted trigger made', () => {
  const intent = {
    operation: 'Create' as const,
    vvpNamespace: 'default',
    name: 'd-1',
    startedAt: '2026-12-01T10:00:00Z',
  };
  const sp = (id: string, createdAt: string, origin = 'USER_REQUEST'): Savepoint => ({
    metadata: { id, createdAt, origin: origin as 'USER_REQUEST' },
  });

  it('takes the oldest USER_REQUEST savepoint at or after the intent, not claimed, not older than the last attempt', () => {
    const listed = [
      sp('old', '2026-12-01T09:50:00Z'),
      sp('suspend', '2026-12-01T10:00:01Z', 'SUSPEND'),
      sp('claimed', '2026-12-01T10:00:01Z'),
      sp('ours', '2026-12-01T10:00:02Z'),
      sp('later', '2026-12-01T10:00:09Z'),
    ];
    expect(findTriggeredSavepoint(listed, intent, undefined, new Set(['claimed']))).toBe(listed[3]);
    const previous = sp('previous', '2026-12-01T10:00:05Z');
    expect(
      findTriggeredSavepoint([...listed, previous], intent, previous, new Set(['claimed'])),
    ).toBe(listed[4]);
    expect(findTriggeredSavepoint([listed[0] as Savepoint], intent, undefined, new Set())).toBe(
      undefined,
    );
    // One taken just before the intent (another VpSavepoint's, since deleted) loses to ours;
    // alone, it is taken as ours (VVP's clock may be behind).
    const before = sp('before', '2026-12-01T09:59:30Z');
    expect(findTriggeredSavepoint([before, ...listed], intent, undefined, new Set())).toBe(
      listed[2],
    );
    expect(findTriggeredSavepoint([before], intent, undefined, new Set())).toBe(before);
  });

  it('backs off 10 s, 20 s, 40 s … up to the maximum', () => {
    expect([1, 2, 3, 4, 10].map((n) => retryDelay(n, 10_000, 300_000))).toEqual([
      10_000, 20_000, 40_000, 80_000, 300_000,
    ]);
  });
});

describe('VpSavepoint on the simulated VVP', () => {
  const env = useSimulatedVvp();
  let tokens: FakeTokens;
  let reconciler: VpSavepointReconciler;
  let deploymentId: string;

  beforeEach(async () => {
    tokens = new FakeTokens();
    reconciler = new VpSavepointReconciler({ vvp: env.vvp, tokens, retryInitialMs: 0 });
    const target = await env.vvp.deploymentTargets('default').create({
      metadata: { name: 'flink' },
      spec: { kubernetes: { namespace: 'flink-jobs' } },
    });
    const deployment = await env.vvp.deployments('default').create({
      metadata: { name: 'wordcount' },
      spec: {
        state: 'RUNNING',
        deploymentTargetId: target.metadata?.id ?? '',
        template: { spec: { artifact: { kind: 'JAR', jarUri: 's3://jars/app.jar' } } },
      },
    });
    deploymentId = deployment.metadata?.id ?? '';
    // With instant transitions the job is running on the next request.
    expect((await env.vvp.deployments('default').get(deploymentId)).status?.state).toBe('RUNNING');
    env.takeWrites();
  });

  async function vvpSavepoints(): Promise<Savepoint[]> {
    return (await env.vvp.savepoints('default').list({ deploymentId })).filter(
      (savepoint) => savepoint.metadata?.origin === 'USER_REQUEST',
    );
  }

  it('triggers one savepoint, follows it to COMPLETED and reports it; no further VVP writes', async () => {
    const cr = new FakeObject(savepointCr({ metadata: { namespace: 'default', deploymentId } }));
    expect(await run(cr, reconciler)).toEqual({ requeueAfter: 5_000 });
    expect(env.takeWrites()).toEqual([`POST /api/v1/namespaces/default/savepoints`]);
    expect(cr.object.status).toMatchObject({
      state: 'STARTED',
      attempts: 1,
      deploymentId,
      origin: 'USER_REQUEST',
      lastSyncTime: expect.any(String),
    });
    expect(cr.object.status?.pendingOperation).toBeUndefined();
    expect(cr.condition('Ready')).toMatchObject({ status: 'False', reason: 'Creating' });

    expect(await run(cr, reconciler)).toBeUndefined();
    const [taken] = await vvpSavepoints();
    expect(cr.object.status).toMatchObject({
      id: taken?.metadata?.id,
      state: 'COMPLETED',
      location: expect.stringMatching(/^s3:\/\/vvp\/namespaces\/default\/deployments\//),
      jobId: expect.any(String),
    });
    expect(cr.condition('Ready')).toMatchObject({ status: 'True', reason: 'Available' });
    expect(cr.condition('Synced')).toMatchObject({ status: 'True' });
    expect(cr.reasons()).toEqual(['Triggered', 'Completed']);

    const writes = cr.statusWrites;
    expect(await run(cr, reconciler)).toBeUndefined();
    expect(await run(cr, reconciler)).toBeUndefined();
    expect(env.takeWrites()).toEqual([]);
    expect(cr.statusWrites).toBe(writes);
    expect(await vvpSavepoints()).toHaveLength(1);
  });

  it('resolves spec.deploymentRef through the cache and waits while the VpDeployment has no VVP id', async () => {
    const cr = new FakeObject(
      savepointCr({ deploymentRef: { name: 'wordcount' }, metadata: { namespace: 'default' } }),
    );
    const deployment: VpDeployment = {
      kind: 'VpDeployment',
      metadata: { name: 'wordcount', namespace: 'team-a' },
      spec: { metadata: { namespace: 'default' } } as VpDeployment['spec'],
      status: {},
    };
    const cache = cacheOf([{ resource: VP_DEPLOYMENT, object: deployment }]);
    const dependencies = new DependencyIndex();
    reconciler = new VpSavepointReconciler({ vvp: env.vvp, tokens, dependencies });
    expect(await run(cr, reconciler, { cache })).toBeUndefined();
    // A change of the VpDeployment requeues the VpSavepoint waiting for it.
    expect(dependencies.dependantsOf(vpDeploymentDependency('team-a', 'wordcount'))).toEqual([
      { name: 'sp-1', namespace: 'team-a' },
    ]);
    expect(cr.condition('Synced')).toMatchObject({
      status: 'False',
      reason: 'DependencyNotReady',
      message: expect.stringContaining('has no VVP deployment yet'),
    });
    expect(env.takeWrites()).toEqual([]);

    deployment.status = { id: deploymentId };
    expect(await run(cr, reconciler, { cache })).toEqual({ requeueAfter: 5_000 });
    expect(cr.object.status).toMatchObject({ deploymentId, state: 'STARTED' });
    expect(await vvpSavepoints()).toHaveLength(1);
  });

  it('after a crash between the trigger and its status write, finds the savepoint instead of triggering again', async () => {
    const cr = new FakeObject(savepointCr({ metadata: { namespace: 'default', deploymentId } }));
    cr.failStatusWrite = (desired) => desired.id !== undefined;
    await expect(run(cr, reconciler)).rejects.toThrow('crashed');
    expect(cr.object.status?.pendingOperation).toMatchObject({ name: deploymentId });
    expect(await vvpSavepoints()).toHaveLength(1);

    // A new operator process: a new reconciler, only the persisted status.
    const restarted = new VpSavepointReconciler({ vvp: env.vvp, tokens, retryInitialMs: 0 });
    await run(cr, restarted);
    await run(cr, restarted);
    const savepoints = await vvpSavepoints();
    expect(savepoints).toHaveLength(1);
    expect(cr.object.status).toMatchObject({
      id: savepoints[0]?.metadata?.id,
      state: 'COMPLETED',
      attempts: 1,
    });
    expect(cr.object.status?.pendingOperation).toBeUndefined();
    expect(cr.events.filter((event) => event.reason === 'Triggered').at(-1)?.note).toContain(
      'interrupted',
    );
    expect(cr.events.filter((event) => event.note.includes('interrupted'))).toHaveLength(1);
  });

  it('registers a location once (origin COPIED), also across a crash before its status write', async () => {
    const cr = new FakeObject(
      savepointCr({
        metadata: { namespace: 'default', deploymentId },
        spec: { savepointLocation: 's3://backup/sp-7' },
      }),
    );
    cr.failStatusWrite = (desired) => desired.id !== undefined;
    await expect(run(cr, reconciler)).rejects.toThrow('crashed');
    const restarted = new VpSavepointReconciler({ vvp: env.vvp, tokens, retryInitialMs: 0 });
    expect(await run(cr, restarted)).toBeUndefined();
    const copies = (await env.vvp.savepoints('default').list({ deploymentId })).filter(
      (savepoint) => savepoint.metadata?.origin === 'COPIED',
    );
    expect(copies).toHaveLength(1);
    expect(cr.object.status).toMatchObject({
      id: copies[0]?.metadata?.id,
      state: 'COMPLETED',
      origin: 'COPIED',
      location: 's3://backup/sp-7',
    });
    expect(await vvpSavepoints()).toHaveLength(0);
  });

  it('a reconcile from a stale cache that still shows the intent cannot overwrite the outcome', async () => {
    // Another VpSavepoint's savepoint of the same deployment, taken just before (since deleted).
    await env.vvp.savepoints('default').create({ metadata: { deploymentId } });
    const cr = new FakeObject(savepointCr({ metadata: { namespace: 'default', deploymentId } }));
    let stale: VpSavepoint | undefined;
    cr.failStatusWrite = (desired) => {
      if (desired.id !== undefined) stale = structuredClone(cr.object);
      return false;
    };
    await run(cr, reconciler);
    const outcome = structuredClone(cr.object.status);
    expect(stale?.status?.pendingOperation).toBeDefined();
    if (stale === undefined) throw new Error('no stale copy');
    await expect(reconciler.reconcile(stale, cr.context())).rejects.toThrow(/stale/);
    expect(cr.object.status).toEqual(outcome);
    expect(await vvpSavepoints()).toHaveLength(2);
    expect(cr.events.filter((event) => event.note.includes('interrupted'))).toEqual([]);
  });

  it('after a crash while VVP held the answer to the trigger, adopts the savepoint it made', async () => {
    env.simulator.admin.addFault({ method: 'POST', path: SAVEPOINTS, answerDelayMs: 2_000 });
    const cr = new FakeObject(savepointCr({ metadata: { namespace: 'default', deploymentId } }));
    const crash = new AbortController();
    setTimeout(() => {
      crash.abort();
    }, 300);
    await expect(run(cr, reconciler, { signal: crash.signal })).rejects.toBeInstanceOf(
      VvpCallAbortedError,
    );
    expect(cr.object.status?.pendingOperation).toBeDefined();
    env.simulator.admin.clearFaults();

    const restarted = new VpSavepointReconciler({ vvp: env.vvp, tokens, retryInitialMs: 0 });
    await run(cr, restarted);
    await run(cr, restarted);
    expect(await vvpSavepoints()).toHaveLength(1);
    expect(cr.object.status).toMatchObject({ state: 'COMPLETED', attempts: 1 });
  });

  it('with an intent whose trigger never reached VVP, triggers it once', async () => {
    env.simulator.admin.addFault({ method: 'POST', path: SAVEPOINTS, status: 503, remaining: 1 });
    const cr = new FakeObject(savepointCr({ metadata: { namespace: 'default', deploymentId } }));
    await expect(run(cr, reconciler)).rejects.toThrow();
    expect(cr.object.status?.pendingOperation).toBeDefined();
    expect(cr.condition('Synced')).toMatchObject({ reason: 'PlatformUnavailable' });
    // VVP may still be working on an unanswered trigger: nothing is sent again at once.
    expect(await run(cr, reconciler)).toEqual({ requeueAfter: 5_000 });
    expect(env.takeWrites()).toEqual([`POST /api/v1/namespaces/default/savepoints`]);
    const later = { now: new Date(Date.now() + 31_000) };
    await run(cr, reconciler, later);
    await run(cr, reconciler, later);
    expect(await vvpSavepoints()).toHaveLength(1);
    expect(cr.object.status).toMatchObject({ state: 'COMPLETED', attempts: 1 });
  });

  it('retries a FAILED savepoint up to spec.backoffLimit, then gives up with BackoffLimitExceeded', async () => {
    env.simulator.admin.setKnobs({ savepointFailureRate: 1 });
    const cr = new FakeObject(
      savepointCr({ backoffLimit: 2, metadata: { namespace: 'default', deploymentId } }),
    );
    const results: (ReconcileResult | undefined)[] = [];
    for (let round = 0; round < 8; round += 1) results.push(await run(cr, reconciler));
    expect(await vvpSavepoints()).toHaveLength(3);
    expect(cr.object.status).toMatchObject({
      state: 'FAILED',
      attempts: 3,
      failure: { message: expect.stringContaining('simulated failure') },
    });
    expect(cr.condition('Ready')).toMatchObject({
      status: 'False',
      reason: 'BackoffLimitExceeded',
      message: expect.stringContaining('spec.backoffLimit (2)'),
    });
    expect(results.at(-1)).toBeUndefined();
    expect(cr.reasons().filter((reason) => reason === 'BackoffLimitExceeded')).toHaveLength(1);
  });

  it('waits 10 s, then 20 s before triggering a FAILED savepoint again', async () => {
    env.simulator.admin.setKnobs({ savepointFailureRate: 1 });
    const backoff = new VpSavepointReconciler({ vvp: env.vvp, tokens });
    const cr = new FakeObject(savepointCr({ metadata: { namespace: 'default', deploymentId } }));
    const start = Date.parse('2026-12-01T10:00:00Z');
    const at = (seconds: number) => ({ now: new Date(start + seconds * 1000) });
    await run(cr, backoff, at(0));
    expect(await run(cr, backoff, at(1))).toEqual({ requeueAfter: 9_000 });
    expect(cr.condition('Ready')?.message).toContain('Attempt 1 of 4 failed');
    expect(await run(cr, backoff, at(10))).toEqual({ requeueAfter: 5_000 });
    expect(cr.object.status?.attempts).toBe(2);
    expect(await run(cr, backoff, at(11))).toEqual({ requeueAfter: 19_000 });
    expect(await vvpSavepoints()).toHaveLength(2);
  });

  it('reports a refused trigger (no running job) without counting an attempt, and retries with backoff', async () => {
    await env.vvp.deployments('default').patch(deploymentId, { spec: { state: 'CANCELLED' } });
    await env.vvp.deployments('default').get(deploymentId);
    const cr = new FakeObject(savepointCr({ metadata: { namespace: 'default', deploymentId } }));
    await expect(run(cr, reconciler)).rejects.toThrow();
    expect(cr.condition('Synced')).toMatchObject({
      status: 'False',
      reason: 'DependencyNotReady',
      message: expect.stringContaining('RUNNING'),
    });
    expect(cr.object.status?.pendingOperation).toBeUndefined();
    expect(cr.object.status?.attempts).toBeUndefined();
    expect(await vvpSavepoints()).toHaveLength(0);
  });

  it('imports an existing savepoint: observes it, never triggers one', async () => {
    const existing = await env.vvp
      .savepoints('default')
      .create({ metadata: { deploymentId }, spec: { savepointLocation: 's3://old/sp-1' } });
    env.takeWrites();
    const id = existing.metadata?.id ?? '';
    const cr = new FakeObject(savepointCr({ metadata: { namespace: 'default', id } }));
    const other = new FakeObject(savepointCr({ metadata: { namespace: 'default', deploymentId } }));
    const cache = cacheOf([{ resource: VP_SAVEPOINT, object: other.object }]);
    expect(await run(cr, reconciler, { cache })).toBeUndefined();
    expect(env.takeWrites()).toEqual([]);
    expect(cr.object.status).toMatchObject({
      id,
      state: 'COMPLETED',
      origin: 'COPIED',
      location: 's3://old/sp-1',
    });
    expect(cr.condition('Ready')).toMatchObject({ status: 'True' });

    const missing = new FakeObject(
      savepointCr(
        { metadata: { namespace: 'default', id: '00000000-0000-4000-8000-000000000000' } },
        'sp-missing',
      ),
    );
    expect(await run(missing, reconciler)).toBeUndefined();
    expect(missing.condition('Synced')).toMatchObject({ status: 'False', reason: 'NotFound' });
    expect(env.takeWrites()).toEqual([]);
  });

  it('reports a savepoint gone from VVP and does not take another on its own', async () => {
    const cr = new FakeObject(savepointCr({ metadata: { namespace: 'default', deploymentId } }));
    cr.edit((o) => {
      o.status = { id: '00000000-0000-4000-8000-000000000001', state: 'COMPLETED', attempts: 1 };
    });
    expect(await run(cr, reconciler)).toBeUndefined();
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: 'NotFound' });
    expect(cr.condition('Ready')).toMatchObject({ status: 'False' });
    expect(env.takeWrites()).toEqual([]);
  });

  it('does not trigger while paused', async () => {
    const cr = new FakeObject(savepointCr({ metadata: { namespace: 'default', deploymentId } }));
    cr.edit((o) => {
      o.metadata = { ...o.metadata, annotations: { 'vpoperator.dev/paused': 'true' } };
    });
    expect(await run(cr, reconciler)).toBeUndefined();
    expect(cr.condition('Synced')).toMatchObject({ reason: 'Paused' });
    expect(env.takeWrites()).toEqual([]);
  });

  it('does not send an interrupted trigger again while paused', async () => {
    env.simulator.admin.addFault({ method: 'POST', path: SAVEPOINTS, status: 503, remaining: 1 });
    const cr = new FakeObject(savepointCr({ metadata: { namespace: 'default', deploymentId } }));
    await expect(run(cr, reconciler)).rejects.toThrow();
    cr.edit((o) => {
      o.metadata = { ...o.metadata, annotations: { 'vpoperator.dev/paused': 'true' } };
    });
    env.takeWrites();
    expect(await run(cr, reconciler)).toBeUndefined();
    expect(cr.condition('Synced')).toMatchObject({ reason: 'Paused' });
    expect(cr.object.status?.pendingOperation).toBeDefined();
    expect(env.takeWrites()).toEqual([]);
  });

  it('deletion leaves the VVP savepoint: Orphan says so; Delete warns that VVP cannot delete savepoints', async () => {
    const orphan = new FakeObject(
      savepointCr({ metadata: { namespace: 'default', deploymentId } }),
    );
    await run(orphan, reconciler);
    expect(await orphan.finalize(reconciler)).toBeUndefined();
    expect(orphan.events.at(-1)).toMatchObject({ type: 'Normal', reason: 'Orphaned' });

    const deleting = new FakeObject(
      savepointCr({ deletionPolicy: 'Delete', metadata: { namespace: 'default', deploymentId } }),
    );
    await run(deleting, reconciler);
    expect(await deleting.finalize(reconciler)).toBeUndefined();
    expect(deleting.events.at(-1)).toMatchObject({
      type: 'Warning',
      reason: 'NotDeleted',
      note: expect.stringContaining('cannot delete savepoints'),
    });
    expect(env.takeWrites()).toEqual([
      'POST /api/v1/namespaces/default/savepoints',
      'POST /api/v1/namespaces/default/savepoints',
    ]);
  });
});
