import { beforeEach, describe, expect, it } from '@jest/globals';
import { ANNOTATION_ADOPT, type VpNamespace } from '../api';
import { ConflictError, type Reconciler } from '../controller';
import { ManagedReconciler } from './managed/reconciler';
import { FakeObject, FakeTokens, useSimulatedVvp } from './test-support';
import { VpNamespaceKind } from './vp-namespace';

const NAMESPACE = '/namespaces/v1/namespaces/{namespace}';

function namespaceCr(name = 'team-a', spec: VpNamespace['spec'] = {}): VpNamespace {
  return {
    apiVersion: 'vpoperator.dev/v1alpha1',
    kind: 'VpNamespace',
    metadata: { name, uid: `uid-${name}`, generation: 1 },
    spec: { roleBindings: [{ role: 'owner', members: ['group:team-a'] }], ...spec },
  };
}

/** The notes of Events announcing a create found after an interruption. */
function recoveryNotes(cr: FakeObject<VpNamespace>): string[] {
  return cr.events
    .map((event) => event.note)
    .filter((note) => note.includes('interrupted earlier reconcile'));
}

describe('VpNamespace on the managed reconciler', () => {
  let tokens: FakeTokens;
  let reconciler: Reconciler<VpNamespace>;

  const env = useSimulatedVvp();
  beforeEach(() => {
    tokens = new FakeTokens();
    reconciler = new ManagedReconciler({
      kind: new VpNamespaceKind(env.vvp, tokens),
      tokens,
      operatorNamespace: 'vp-operator',
    });
  });

  it('creates the namespace with role bindings and deployment defaults, then only reads', async () => {
    const cr = new FakeObject(
      namespaceCr('team-a', { deploymentDefaults: { template: { spec: { parallelism: 4 } } } }),
    );
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([
      'POST /namespaces/v1/namespaces',
      'PATCH /api/v1/namespaces/team-a/deployment-defaults',
    ]);
    const namespace = await env.vvp.namespaces().get('team-a');
    expect(namespace.roleBindings).toEqual([{ role: 'owner', members: ['group:team-a'] }]);
    const defaults = await env.vvp.deploymentDefaults('team-a').get();
    expect(defaults.spec?.template?.spec?.parallelism).toBe(4);
    expect(defaults.spec?.maxJobCreationAttempts).toBe(4);
    expect(cr.object.status).toMatchObject({
      id: 'namespaces/team-a',
      lifecyclePhase: 'LIFECYCLE_PHASE_ACTIVE',
    });
    expect(cr.condition('Ready')).toMatchObject({ status: 'True', reason: 'Available' });
    expect(tokens.resolved).toEqual([{ vvpNamespace: 'team-a' }]);

    const writes = cr.statusWrites;
    for (let i = 0; i < 3; i++) await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.statusWrites).toBe(writes);
  });

  it('patches only the deployment defaults that differ, and role bindings only when they change', async () => {
    const cr = new FakeObject(
      namespaceCr('team-a', {
        deploymentDefaults: { maxJobCreationAttempts: 4, template: { spec: { parallelism: 1 } } },
      }),
    );
    await cr.reconcile(reconciler);
    // VVP's defaults already have both values: nothing to write.
    expect(env.takeWrites()).toEqual(['POST /namespaces/v1/namespaces']);

    cr.edit((o) => {
      o.spec = { ...o.spec, deploymentDefaults: { template: { spec: { parallelism: 3 } } } };
    });
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual(['PATCH /api/v1/namespaces/team-a/deployment-defaults']);
    expect(cr.events.at(-1)?.note).toContain('spec.deploymentDefaults.template.spec.parallelism');

    cr.edit((o) => {
      o.spec = {
        ...o.spec,
        roleBindings: [
          { role: 'viewer', members: ['system:authenticated'] },
          { role: 'owner', members: ['group:team-a'] },
        ],
      };
    });
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual(['PUT /namespaces/v1/namespaces/team-a']);
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
  });

  it('adopts the namespace an interrupted create made, proven by the recorded intent', async () => {
    const cr = new FakeObject(namespaceCr());
    cr.failStatusWrite = (desired) => desired.id !== undefined;
    await expect(cr.reconcile(reconciler)).rejects.toThrow('crashed');
    expect(cr.object.status?.pendingOperation?.name).toBe('team-a');
    env.takeWrites();

    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual([]);
    expect(cr.object.status).toMatchObject({ id: 'namespaces/team-a' });
    expect(cr.object.status?.pendingOperation).toBeUndefined();
    expect(cr.condition('Synced')?.reason).toBe('ReconcileSuccess');
    expect(recoveryNotes(cr)).toHaveLength(1);
  });

  it('announces a recovered create once, with the status write that records it', async () => {
    const cr = new FakeObject(namespaceCr());
    cr.failStatusWrite = (desired) => desired.id !== undefined;
    await expect(cr.reconcile(reconciler)).rejects.toThrow('crashed');
    env.takeWrites();
    const cached = structuredClone(cr.object);
    // Someone labels the CR before the restarted manager's cache shows it.
    cr.edit((o) => {
      o.metadata = { ...o.metadata, labels: { team: 'a' } };
    });
    await expect(reconciler.reconcile(cached, cr.context())).rejects.toBeInstanceOf(ConflictError);
    expect(cr.object.status?.pendingOperation).toBeDefined();
    expect(recoveryNotes(cr)).toEqual([]);

    await cr.reconcile(reconciler);
    await cr.reconcile(reconciler);
    expect(cr.object.status?.pendingOperation).toBeUndefined();
    expect(recoveryNotes(cr)).toHaveLength(1);
    expect(env.takeWrites()).toEqual([]);
  });

  it('announces no recovery from a cached copy older than its own status write', async () => {
    const cr = new FakeObject(namespaceCr());
    let cached: VpNamespace | undefined;
    cr.failStatusWrite = (desired) => {
      if (desired.id !== undefined) cached = structuredClone(cr.object);
      return false;
    };
    const at = (time: Date) => ({ ...cr.context(), now: () => time });
    const created = new Date();
    await reconciler.reconcile(structuredClone(cr.object), at(created));
    if (cached === undefined) throw new Error('no copy of the intent write');
    expect(cached.status?.pendingOperation).toBeDefined();
    const outcome = structuredClone(cr.object.status);
    env.takeWrites();

    // A requeue reads the cache before it holds the write that resolved the intent: in the same
    // second (nothing to write beyond what this process wrote), and later (new timestamps).
    await reconciler.reconcile(structuredClone(cached), at(created));
    await expect(
      reconciler.reconcile(structuredClone(cached), at(new Date(created.getTime() + 10_000))),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(cr.object.status).toEqual(outcome);
    expect(cr.reasons()).toEqual(['Created']);
    expect(recoveryNotes(cr)).toEqual([]);
    expect(env.takeWrites()).toEqual([]);
  });

  it('treats a 409 to its create as foreign, even with an intent recorded', async () => {
    await env.vvp.namespaces().create({ name: 'namespaces/team-a' });
    // The namespace appears between our look and our create.
    env.simulator.admin.addFault({ method: 'GET', path: NAMESPACE, status: 404, remaining: 1 });
    env.takeWrites();
    const cr = new FakeObject(namespaceCr());
    await cr.reconcile(reconciler);
    expect(env.takeWrites()).toEqual(['POST /namespaces/v1/namespaces']);
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: 'AlreadyExists' });
    expect(cr.object.status?.pendingOperation).toBeUndefined();
    expect((await env.vvp.namespaces().get('team-a')).roleBindings).toEqual([]);
  });

  it('reports a foreign namespace, adopts it on request, and never deletes one it does not own', async () => {
    const cr = new FakeObject(namespaceCr('default', {}));
    await cr.reconcile(reconciler);
    expect(cr.condition('Synced')).toMatchObject({ status: 'False', reason: 'AlreadyExists' });
    expect(await cr.finalize(reconciler)).toBeUndefined();
    expect(env.takeWrites()).toEqual([]);
    expect(tokens.released).toEqual([]);

    cr.edit((o) => {
      o.metadata = { ...o.metadata, annotations: { [ANNOTATION_ADOPT]: 'true' } };
    });
    await cr.reconcile(reconciler);
    expect(cr.object.status).toMatchObject({ adopted: true, id: 'namespaces/default' });
    expect(cr.reasons()).toContain('Adopted');
  });

  it('waits through TERMINATING on deletion, then releases the owner token', async () => {
    env.simulator.admin.setKnobs({ namespaceTerminationMs: 60_000 });
    const cr = new FakeObject(namespaceCr());
    await cr.reconcile(reconciler);
    env.takeWrites();

    expect(await cr.finalize(reconciler)).toEqual({ requeueAfter: 5_000 });
    expect(env.takeWrites()).toEqual(['DELETE /namespaces/v1/namespaces/team-a']);
    expect(cr.condition('Ready')).toMatchObject({ status: 'False', reason: 'Terminating' });
    expect(await cr.finalize(reconciler)).toEqual({ requeueAfter: 5_000 });
    expect(env.takeWrites()).toEqual([]);
    expect(tokens.released).toEqual([]);

    env.simulator.admin.advanceClock(60_000);
    expect(await cr.finalize(reconciler)).toBeUndefined();
    expect(tokens.released).toEqual(['team-a']);
  });

  it('polls fast while a namespace is TERMINATING outside a deletion', async () => {
    env.simulator.admin.setKnobs({ namespaceTerminationMs: 60_000 });
    const cr = new FakeObject(namespaceCr());
    await cr.reconcile(reconciler);
    await env.vvp.namespaces().delete('team-a');
    expect(await cr.reconcile(reconciler)).toEqual({ requeueAfter: 5_000 });
    expect(cr.object.status?.lifecyclePhase).toBe('LIFECYCLE_PHASE_TERMINATING');
  });

  it('leaves the namespace and its token in place with Orphan', async () => {
    const cr = new FakeObject(namespaceCr('team-a', { deletionPolicy: 'Orphan' }));
    await cr.reconcile(reconciler);
    env.takeWrites();
    expect(await cr.finalize(reconciler)).toBeUndefined();
    expect(env.takeWrites()).toEqual([]);
    expect(tokens.released).toEqual([]);
  });

  it('reports Platform API 401 with the platform credentials, not a namespace token', async () => {
    env.simulator.admin.addFault({ method: 'GET', path: NAMESPACE, status: 401 });
    const cr = new FakeObject(namespaceCr());
    await expect(cr.reconcile(reconciler)).rejects.toThrow();
    expect(cr.condition('Synced')?.reason).toBe('Unauthorized');
    expect(cr.condition('Synced')?.message).toContain('--platform-api-token-secret');
    expect(tokens.invalidated).toEqual([]);
  });
});
