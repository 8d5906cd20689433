// End to end for VpDeployment: kubectl → the real API server → bin/manager (the unprivileged
// operator identity with exactly config/rbac) → the VVP simulator with enforced auth, and back.
import { describe, expect, it } from '@jest/globals';
import { field } from '../support/simulator';
import { testCluster } from '../support/cluster';
import {
  GROUP,
  VERSION,
  applyManifest as apply,
  conditionOf as condition,
  readCustomObject,
  waitForCustomObject,
  waitForCustomObjectGone as waitForGone,
  type CustomResource,
} from '../support/custom-resources';
import { kubectl } from '../support/kube-cli';
import { useOperatorTestbed } from '../support/operator-testbed';
import { eventually } from '../../src/testing/eventually';

const DEPLOYMENTS = '/api/v1/namespaces/default/deployments';

interface ObservedDeployment extends CustomResource {
  status?: CustomResource['status'] & {
    state?: string;
    jobId?: string;
    jobs?: { id: string; state?: string }[];
  };
}

const readObject = (plural: string, name: string, namespace: string) =>
  readCustomObject<ObservedDeployment>(plural, name, namespace);

const waitFor = (
  what: string,
  plural: string,
  name: string,
  namespace: string,
  test: (object: ObservedDeployment) => boolean,
): Promise<ObservedDeployment> => waitForCustomObject(what, { plural, name, namespace }, test);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('VpDeployment end to end', () => {
  const bed = useOperatorTestbed({
    appNamespacePrefix: 'e2e-deploy',
    knobs: { transitionMs: 200 },
    // The target every deployment here runs on.
    beforeStart: async () => {
      await apply({
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'VpDeploymentTarget',
        metadata: { name: 'e2e-flink', namespace: bed.appNamespace },
        spec: { metadata: { namespace: 'default' }, spec: { kubernetes: { namespace: 'flink' } } },
      });
    },
  });

  const deploymentManifest = (
    name: string,
    spec: Record<string, unknown> = {},
    template: Record<string, unknown> = {},
    vvpSpec: Record<string, unknown> = {},
  ) => ({
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'VpDeployment',
    metadata: { name, namespace: bed.appNamespace },
    spec: {
      deploymentTargetRef: { name: 'e2e-flink' },
      spec: {
        state: 'RUNNING',
        upgradeStrategy: { kind: 'STATEFUL' },
        restoreStrategy: { kind: 'LATEST_SAVEPOINT' },
        template: {
          spec: {
            artifact: { kind: 'JAR', jarUri: 's3://jobs/wordcount.jar' },
            parallelism: 1,
            ...template,
          },
        },
        ...vvpSpec,
      },
      ...spec,
    },
  });

  const ready = (name: string) =>
    waitFor('Ready=True', 'vpdeployments', name, bed.appNamespace, (o) => {
      return condition(o, 'Ready')?.status === 'True' && o.status?.id !== undefined;
    });

  const vvpDeployment = async (id: string): Promise<unknown> =>
    (await bed.vvp('GET', `${DEPLOYMENTS}/${id}`)).body;

  /** The VpSavepoints whose names start with the deployment's (nonce and deletion records). */
  const savepointRecordsOf = async (deployment: string): Promise<string[]> =>
    (
      await kubectl(testCluster().adminKubeconfigPath, [
        'get',
        'vpsavepoints',
        '-n',
        bed.appNamespace,
        '-o',
        'name',
      ])
    )
      .split('\n')
      .filter((line) => line.startsWith(`vpsavepoint.vpoperator.dev/${deployment}-`));

  const deleteCr = (plural: string, name: string) =>
    kubectl(testCluster().adminKubeconfigPath, [
      'delete',
      '-n',
      bed.appNamespace,
      plural,
      name,
      '--wait=false',
    ]);

  it('runs a deployment from kubectl apply: RUNNING with a job id, its jobs, Ready=True', async () => {
    await apply(deploymentManifest('e2e-run'));
    const running = await ready('e2e-run');
    expect(running.status?.state).toBe('RUNNING');
    expect(running.status?.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(running.status?.jobs?.[0]).toMatchObject({
      id: running.status?.jobId,
      state: 'STARTED',
    });
    const inVvp = await vvpDeployment(running.status?.id ?? '');
    expect(field(inVvp, 'metadata', 'labels', 'vpoperator.dev/owner-name')).toBe('e2e-run');
    const listed = await kubectl(testCluster().adminKubeconfigPath, [
      'get',
      'vpdeployment',
      '-n',
      bed.appNamespace,
      'e2e-run',
    ]);
    expect(listed).toContain(running.status?.jobId ?? '?');
  });

  it('upgrades on a spec change with STATEFUL (a savepoint first), then suspends and resumes', async () => {
    await apply(deploymentManifest('e2e-upgrade'));
    const first = await ready('e2e-upgrade');
    const id = first.status?.id ?? '';

    await apply(deploymentManifest('e2e-upgrade', {}, { parallelism: 2 }));
    const upgraded = await waitFor(
      'a new job',
      'vpdeployments',
      'e2e-upgrade',
      bed.appNamespace,
      (o) =>
        o.status?.jobId !== undefined &&
        o.status.jobId !== first.status?.jobId &&
        condition(o, 'Ready')?.status === 'True',
    );
    const savepoints = field(
      (await bed.vvp('GET', `/api/v1/namespaces/default/savepoints?deploymentId=${id}`)).body,
      'items',
    ) as { metadata: { origin: string } }[];
    expect(savepoints.map((s) => s.metadata.origin)).toContain('SUSPEND_AND_UPGRADE');
    expect(field(await vvpDeployment(id), 'spec', 'template', 'spec', 'parallelism')).toBe(2);

    await apply(deploymentManifest('e2e-upgrade', {}, { parallelism: 2 }, { state: 'SUSPENDED' }));
    await waitFor(
      'SUSPENDED and Ready',
      'vpdeployments',
      'e2e-upgrade',
      bed.appNamespace,
      (o) => o.status?.state === 'SUSPENDED' && condition(o, 'Ready')?.status === 'True',
    );
    await apply(deploymentManifest('e2e-upgrade', {}, { parallelism: 2 }));
    const resumed = await waitFor(
      'resumed',
      'vpdeployments',
      'e2e-upgrade',
      bed.appNamespace,
      (o) =>
        o.status?.state === 'RUNNING' &&
        o.status.jobId !== upgraded.status?.jobId &&
        condition(o, 'Ready')?.status === 'True',
    );
    expect(resumed.status?.jobId).toBeDefined();
  });

  it('PATCH leaves a field the CR stops setting to VVP; PUT resets it', async () => {
    for (const mode of ['PATCH', 'PUT'] as const) {
      const name = `e2e-${mode.toLowerCase()}`;
      await apply(deploymentManifest(name, { syncingMode: mode }, { numberOfTaskManagers: 2 }));
      const running = await ready(name);
      expect(
        field(
          await vvpDeployment(running.status?.id ?? ''),
          'spec',
          'template',
          'spec',
          'numberOfTaskManagers',
        ),
      ).toBe(2);
      // kubectl apply without the field removes it from the CR.
      await apply(deploymentManifest(name, { syncingMode: mode }, { parallelism: 2 }));
      await waitFor('synced generation 2', 'vpdeployments', name, bed.appNamespace, (o) => {
        const synced = condition(o, 'Synced');
        return synced?.status === 'True' && synced.observedGeneration === 2;
      });
      const spec = field(await vvpDeployment(running.status?.id ?? ''), 'spec', 'template', 'spec');
      expect(field(spec, 'parallelism')).toBe(2);
      expect(field(spec, 'numberOfTaskManagers')).toBe(mode === 'PATCH' ? 2 : undefined);
    }
  });

  it('sends initFields in the create request only', async () => {
    await apply(
      deploymentManifest('e2e-init', {
        initFields: { spec: { template: { spec: { numberOfTaskManagers: 3 } } } },
      }),
    );
    const running = await ready('e2e-init');
    const id = running.status?.id ?? '';
    expect(field(await vvpDeployment(id), 'spec', 'template', 'spec', 'numberOfTaskManagers')).toBe(
      3,
    );
    // Tuned in VVP afterwards: the operator leaves it (three resyncs of 2 s).
    await bed.vvp('PATCH', `${DEPLOYMENTS}/${id}`, {
      spec: { template: { spec: { numberOfTaskManagers: 5 } } },
    });
    await sleep(6_500);
    expect(field(await vvpDeployment(id), 'spec', 'template', 'spec', 'numberOfTaskManagers')).toBe(
      5,
    );
  });

  it('repairs a VVP-side edit of a managed field and reports it once', async () => {
    await apply(deploymentManifest('e2e-drift'));
    const running = await ready('e2e-drift');
    const id = running.status?.id ?? '';
    await sleep(2_500);
    await bed.vvp('PATCH', `${DEPLOYMENTS}/${id}`, {
      spec: { template: { spec: { parallelism: 4 } } },
    });
    const drifted = await waitFor(
      'Drifted',
      'vpdeployments',
      'e2e-drift',
      bed.appNamespace,
      (o) => condition(o, 'Drifted')?.status === 'True',
    );
    expect(condition(drifted, 'Drifted')?.message).toContain('spec.spec.template.spec.parallelism');
    await eventually('the repair in VVP', async () =>
      field(await vvpDeployment(id), 'spec', 'template', 'spec', 'parallelism') === 1
        ? true
        : undefined,
    );
    await sleep(4_500);
    const events = JSON.parse(
      await kubectl(testCluster().adminKubeconfigPath, [
        'get',
        'events',
        '-n',
        bed.appNamespace,
        '--field-selector',
        'reason=Drifted',
        '-o',
        'json',
      ]),
    ) as {
      items: {
        regarding?: { name?: string };
        involvedObject?: { name?: string };
        count?: number;
      }[];
    };
    const about = events.items.filter(
      (e) => (e.involvedObject?.name ?? e.regarding?.name) === 'e2e-drift',
    );
    expect(about).toHaveLength(1);
  });

  it('makes no VVP writes and no status writes in steady state over several resync periods', async () => {
    await apply(deploymentManifest('e2e-steady'));
    await ready('e2e-steady');
    await sleep(2_500);
    const settled = await readObject('vpdeployments', 'e2e-steady', bed.appNamespace);
    bed.simulator.admin.clearRequests();
    await sleep(6_500);
    // No VVP writes at all: every deployment of this file is steady by now.
    expect(bed.vvpWrites()).toEqual([]);
    // One GET per poll: no jobs, events or savepoints lists while nothing changes.
    const id = settled?.status?.id ?? '?';
    const about = bed.simulator.admin.requests().entries.filter((entry) => entry.url.includes(id));
    expect(about.length).toBeGreaterThanOrEqual(2);
    expect(new Set(about.map((entry) => `${entry.method} ${entry.url}`))).toEqual(
      new Set([`GET ${DEPLOYMENTS}/${id}`]),
    );
    const after = await readObject('vpdeployments', 'e2e-steady', bed.appNamespace);
    expect(after?.metadata.resourceVersion).toBe(settled?.metadata.resourceVersion);
  });

  it('Delete cancels and deletes; Orphan leaves the job running', async () => {
    await apply(deploymentManifest('e2e-delete'));
    await apply(deploymentManifest('e2e-orphan', { deletionPolicy: 'Orphan' }));
    const doomed = await ready('e2e-delete');
    const kept = await ready('e2e-orphan');
    await deleteCr('vpdeployment', 'e2e-delete');
    await deleteCr('vpdeployment', 'e2e-orphan');
    await waitForGone('vpdeployments', 'e2e-delete', bed.appNamespace);
    await waitForGone('vpdeployments', 'e2e-orphan', bed.appNamespace);
    expect((await bed.vvp('GET', `${DEPLOYMENTS}/${doomed.status?.id ?? ''}`)).status).toBe(404);
    expect(field(await vvpDeployment(kept.status?.id ?? ''), 'status', 'state')).toBe('RUNNING');
  });

  it('SavepointThenDelete suspends with a savepoint, leaves a VpSavepoint of it behind, then deletes', async () => {
    await apply(deploymentManifest('e2e-keep-state', { deletionPolicy: 'SavepointThenDelete' }));
    const running = await ready('e2e-keep-state');
    const id = running.status?.id ?? '';
    await deleteCr('vpdeployment', 'e2e-keep-state');
    await waitForGone('vpdeployments', 'e2e-keep-state', bed.appNamespace);
    expect((await bed.vvp('GET', `${DEPLOYMENTS}/${id}`)).status).toBe(404);

    const savepoints = field(
      (await bed.vvp('GET', `/api/v1/namespaces/default/savepoints?deploymentId=${id}`)).body,
      'items',
    ) as { metadata: { id: string; origin: string } }[];
    const suspend = savepoints.find((s) => s.metadata.origin === 'SUSPEND');
    expect(suspend).toBeDefined();
    const name = `e2e-keep-state-${suspend?.metadata.id.slice(0, 8) ?? ''}`;
    const record = await waitFor(
      'COMPLETED',
      'vpsavepoints',
      name,
      bed.appNamespace,
      (o) => o.status?.state === 'COMPLETED',
    );
    expect(record.metadata.ownerReferences).toBeUndefined();
    expect(field(record.spec, 'metadata', 'id')).toBe(suspend?.metadata.id);
    const events = await kubectl(testCluster().adminKubeconfigPath, [
      'get',
      'events',
      '-n',
      bed.appNamespace,
      '--field-selector',
      'reason=SavepointRecorded',
    ]);
    expect(events).toContain('s3://');
  });

  it('restarts the job once on a restartNonce change and records one savepoint on a savepointNonce change', async () => {
    await apply(deploymentManifest('e2e-nonce', { restartNonce: 1, savepointNonce: 1 }));
    const first = await ready('e2e-nonce');
    // Nonces present at creation trigger nothing.
    await sleep(2_500);
    expect((await readObject('vpdeployments', 'e2e-nonce', bed.appNamespace))?.status?.jobId).toBe(
      first.status?.jobId,
    );

    await apply(deploymentManifest('e2e-nonce', { restartNonce: 2, savepointNonce: 1 }));
    const restarted = await waitFor(
      'a new job',
      'vpdeployments',
      'e2e-nonce',
      bed.appNamespace,
      (o) => o.status?.jobId !== first.status?.jobId && condition(o, 'Ready')?.status === 'True',
    );
    await sleep(4_500);
    expect((await readObject('vpdeployments', 'e2e-nonce', bed.appNamespace))?.status?.jobId).toBe(
      restarted.status?.jobId,
    );

    await apply(deploymentManifest('e2e-nonce', { restartNonce: 2, savepointNonce: 2 }));
    const savepoint = await waitFor(
      'COMPLETED',
      'vpsavepoints',
      'e2e-nonce-2',
      bed.appNamespace,
      (o) => o.status?.state === 'COMPLETED',
    );
    expect(savepoint.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'VpDeployment',
      name: 'e2e-nonce',
    });
    expect(field(savepoint.status, 'location')).toMatch(/^s3:\/\//);
    expect(await savepointRecordsOf('e2e-nonce')).toHaveLength(1);
  });

  it('finishes a SavepointThenDelete deletion after a SIGKILL while suspending: one savepoint record, the deployment gone', async () => {
    await apply(deploymentManifest('e2e-kill-delete', { deletionPolicy: 'SavepointThenDelete' }));
    const running = await ready('e2e-kill-delete');
    const id = running.status?.id ?? '';
    bed.simulator.admin.setKnobs({ transitionMs: 3_000 });
    try {
      await deleteCr('vpdeployment', 'e2e-kill-delete');
      await eventually('the suspend to be requested', async () =>
        field(await vvpDeployment(id), 'spec', 'state') === 'SUSPENDED' ? true : undefined,
      );
      await bed.restartOperator();
    } finally {
      bed.simulator.admin.setKnobs({ transitionMs: 200 });
    }
    await waitForGone('vpdeployments', 'e2e-kill-delete', bed.appNamespace);
    expect((await bed.vvp('GET', `${DEPLOYMENTS}/${id}`)).status).toBe(404);
    expect(await savepointRecordsOf('e2e-kill-delete')).toHaveLength(1);
  });

  it('mirrors each VVP event of the deployment once, and not again after a manager restart', async () => {
    await apply(deploymentManifest('e2e-events'));
    const running = await ready('e2e-events');
    const id = running.status?.id ?? '';
    const vvpEventCount = async () =>
      (
        field(
          (await bed.vvp('GET', `/api/v1/namespaces/default/events?deploymentId=${id}`)).body,
          'items',
        ) as unknown[]
      ).length;
    const mirrored = async () => {
      const listed = JSON.parse(
        await kubectl(testCluster().adminKubeconfigPath, [
          'get',
          'events',
          '-n',
          bed.appNamespace,
          '-o',
          'json',
        ]),
      ) as { items: { involvedObject?: { name?: string }; action?: string; count?: number }[] };
      return listed.items.filter(
        (e) => e.involvedObject?.name === 'e2e-events' && e.action === 'VvpEvent',
      );
    };
    const expected = await vvpEventCount();
    await eventually('every VVP event mirrored', async () =>
      (await mirrored()).length === expected ? true : undefined,
    );
    await bed.restartOperator();
    await sleep(4_500);
    const after = await mirrored();
    expect(after).toHaveLength(expected);
    expect(after.every((e) => (e.count ?? 1) === 1)).toBe(true);
  });

  it('survives a VVP outage and a 5xx storm: PlatformUnavailable while they last, Ready kept, then converges', async () => {
    await apply(deploymentManifest('e2e-outage'));
    const running = await ready('e2e-outage');
    bed.simulator.admin.setKnobs({ outage: true });
    try {
      const unavailable = await waitFor(
        'PlatformUnavailable',
        'vpdeployments',
        'e2e-outage',
        bed.appNamespace,
        (o) => condition(o, 'Synced')?.reason === 'PlatformUnavailable',
      );
      expect(condition(unavailable, 'Ready')?.status).toBe('True');
    } finally {
      bed.simulator.admin.setKnobs({ outage: false });
    }
    const storm = bed.simulator.admin.addFault({ status: 503, rate: 0.5 });
    try {
      await apply(deploymentManifest('e2e-outage', {}, { parallelism: 2 }));
      await sleep(3_000);
    } finally {
      bed.simulator.admin.removeFault(storm.id);
    }
    await waitFor(
      'synced generation 2 and Ready',
      'vpdeployments',
      'e2e-outage',
      bed.appNamespace,
      (o) => {
        const synced = condition(o, 'Synced');
        return (
          synced?.status === 'True' &&
          synced.observedGeneration === 2 &&
          condition(o, 'Ready')?.status === 'True'
        );
      },
    );
    expect(
      field(
        await vvpDeployment(running.status?.id ?? ''),
        'spec',
        'template',
        'spec',
        'parallelism',
      ),
    ).toBe(2);
  });

  it('creates exactly one VVP deployment when the manager is killed right after the VVP create', async () => {
    bed.simulator.admin.addFault({
      method: 'POST',
      path: '/api/v1/namespaces/{namespace}/deployments',
      answerDelayMs: 3_000,
      remaining: 1,
    });
    await apply(deploymentManifest('e2e-crash'));
    await eventually('the VVP create to be applied', async () =>
      (await bed.vvp('GET', `${DEPLOYMENTS}/e2e-crash`)).status === 200 ? true : undefined,
    );
    await bed.restartOperator();
    await ready('e2e-crash');
    const listed = field((await bed.vvp('GET', DEPLOYMENTS)).body, 'items') as {
      metadata: { name: string };
    }[];
    expect(listed.filter((d) => d.metadata.name === 'e2e-crash')).toHaveLength(1);
  });
});
