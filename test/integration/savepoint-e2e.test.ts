// End to end for VpSavepoints: kubectl → the real API server → bin/manager (the unprivileged
// operator identity with exactly config/rbac) → the VVP simulator with enforced auth. The
// deployment is made directly in VVP and named by spec.metadata.deploymentId.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { field } from '../support/simulator';
import { testCluster } from '../support/cluster';
import {
  GROUP,
  VERSION,
  applyManifest,
  conditionOf,
  readCustomObject,
  waitForCustomObject,
  type CustomResource,
} from '../support/custom-resources';
import { kubectl } from '../support/kube-cli';
import { useOperatorTestbed } from '../support/operator-testbed';
import { eventually } from '../../src/testing/eventually';

const SAVEPOINTS = '/api/v1/namespaces/{namespace}/savepoints';

interface ObservedSavepoint extends CustomResource {
  status?: CustomResource['status'] & {
    state?: string;
    location?: string;
    origin?: string;
    attempts?: number;
    pendingOperation?: unknown;
  };
}

interface VvpSavepoint {
  metadata: { id: string; origin: string; deploymentId: string };
  status?: { state?: string };
}

const readSavepoint = (name: string, namespace: string) =>
  readCustomObject<ObservedSavepoint>('vpsavepoints', name, namespace);

function waitForSavepoint(
  name: string,
  namespace: string,
  what: string,
  done: (savepoint: ObservedSavepoint) => boolean,
  timeoutMs = 30_000,
): Promise<ObservedSavepoint> {
  return waitForCustomObject<ObservedSavepoint>(
    what,
    { plural: 'vpsavepoints', name, namespace },
    done,
    timeoutMs,
  );
}

const ready = (savepoint: ObservedSavepoint) => conditionOf(savepoint, 'Ready');

describe('VpSavepoint end to end', () => {
  let deploymentId: string;
  const bed = useOperatorTestbed({
    appNamespacePrefix: 'sp-apps',
    knobs: { transitionMs: 0 },
    // A running deployment made directly in VVP, which the VpSavepoints name by id.
    beforeStart: async () => {
      expect(
        (
          await bed.vvp('POST', '/api/v1/namespaces/default/deployment-targets', {
            metadata: { name: 'sp-target' },
            spec: { kubernetes: { namespace: 'flink-jobs' } },
          })
        ).status,
      ).toBe(201);
      const deployment = await bed.vvp('POST', '/api/v1/namespaces/default/deployments', {
        metadata: { name: 'sp-job' },
        spec: {
          state: 'RUNNING',
          deploymentTargetName: 'sp-target',
          template: { spec: { artifact: { kind: 'JAR', jarUri: 's3://jars/app.jar' } } },
        },
      });
      expect(deployment.status).toBe(201);
      deploymentId = String(field(deployment.body, 'metadata', 'id'));
      await eventually('the VVP deployment to run', async () =>
        field(
          (await bed.vvp('GET', `/api/v1/namespaces/default/deployments/${deploymentId}`)).body,
          'status',
          'state',
        ) === 'RUNNING'
          ? true
          : undefined,
      );
    },
  });

  const userSavepoints = async (): Promise<VvpSavepoint[]> => {
    const listed = await bed.vvp(
      'GET',
      `/api/v1/namespaces/default/savepoints?deploymentId=${deploymentId}`,
    );
    return (field(listed.body, 'items') as VvpSavepoint[]).filter(
      (savepoint) => savepoint.metadata.origin === 'USER_REQUEST',
    );
  };

  const savepointManifest = (name: string, spec: Record<string, unknown> = {}) => ({
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'VpSavepoint',
    metadata: { name, namespace: bed.appNamespace },
    spec: { metadata: { namespace: 'default', deploymentId }, ...spec },
  });

  beforeEach(() => {
    bed.simulator.admin.setKnobs({ savepointFailureRate: 0 });
    bed.simulator.admin.clearFaults();
  });

  it('takes a savepoint of a running deployment: COMPLETED with a location, exactly one in VVP', async () => {
    const before = (await userSavepoints()).length;
    await applyManifest(savepointManifest('sp-ok'));
    const taken = await waitForSavepoint(
      'sp-ok',
      bed.appNamespace,
      'COMPLETED',
      (s) => s.status?.state === 'COMPLETED',
    );
    expect(taken.status).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      origin: 'USER_REQUEST',
      attempts: 1,
      location: expect.stringContaining(`/deployments/${deploymentId}/savepoints`),
    });
    expect(ready(taken)).toMatchObject({ status: 'True', reason: 'Available' });
    expect(taken.metadata.finalizers).toEqual(['vpoperator.dev/cleanup']);
    expect(await userSavepoints()).toHaveLength(before + 1);

    const listed = await kubectl(testCluster().adminKubeconfigPath, [
      'get',
      'vpsavepoints',
      '-n',
      bed.appNamespace,
    ]);
    expect(listed).toMatch(/sp-ok\s+default\s+\S*\s*COMPLETED\s+True/);

    // Deletion (Orphan by default) keeps the VVP record.
    await kubectl(testCluster().adminKubeconfigPath, [
      'delete',
      'vpsavepoint',
      'sp-ok',
      '-n',
      bed.appNamespace,
      '--wait=true',
    ]);
    expect(await readSavepoint('sp-ok', bed.appNamespace)).toBeUndefined();
    expect(await userSavepoints()).toHaveLength(before + 1);
  });

  it('imports an existing VVP savepoint by spec.metadata.id: observed, never triggered', async () => {
    const registered = await bed.vvp('POST', '/api/v1/namespaces/default/savepoints', {
      metadata: { deploymentId },
      spec: { savepointLocation: 's3://backups/sp-import' },
    });
    expect(registered.status).toBe(201);
    const id = String(field(registered.body, 'metadata', 'id'));
    bed.simulator.admin.clearRequests();
    await applyManifest({
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'VpSavepoint',
      metadata: { name: 'sp-import', namespace: bed.appNamespace },
      spec: { metadata: { namespace: 'default', id } },
    });
    const imported = await waitForSavepoint(
      'sp-import',
      bed.appNamespace,
      'Ready',
      (s) => ready(s)?.status === 'True',
    );
    expect(imported.status).toMatchObject({
      id,
      state: 'COMPLETED',
      origin: 'COPIED',
      location: 's3://backups/sp-import',
    });
    const writes = bed.simulator.admin
      .requests()
      .entries.filter((entry) => entry.method !== 'GET' && entry.url.includes('/savepoints'));
    expect(writes).toEqual([]);
  });

  it('retries a FAILED savepoint up to backoffLimit, then reports BackoffLimitExceeded', async () => {
    bed.simulator.admin.setKnobs({ savepointFailureRate: 1 });
    const before = (await userSavepoints()).length;
    await applyManifest(savepointManifest('sp-failing', { backoffLimit: 1 }));
    const failed = await waitForSavepoint(
      'sp-failing',
      bed.appNamespace,
      'BackoffLimitExceeded',
      (s) => ready(s)?.reason === 'BackoffLimitExceeded',
      45_000,
    );
    expect(failed.status).toMatchObject({ state: 'FAILED', attempts: 2 });
    expect(ready(failed)?.message).toContain('spec.backoffLimit (1)');
    expect(await userSavepoints()).toHaveLength(before + 2);
  }, 60_000);

  it('takes exactly one savepoint when the manager is SIGKILLed during the trigger', async () => {
    // The trigger is applied at once but answered only after 3 s: the manager dies in between.
    bed.simulator.admin.addFault({
      method: 'POST',
      path: SAVEPOINTS,
      answerDelayMs: 3_000,
      remaining: 1,
    });
    const before = (await userSavepoints()).length;
    await applyManifest(savepointManifest('sp-crash'));
    await eventually('the trigger to reach VVP', async () =>
      (await userSavepoints()).length > before ? true : undefined,
    );
    const pending = await readSavepoint('sp-crash', bed.appNamespace);
    expect(pending?.status?.pendingOperation).toBeDefined();
    await bed.restartOperator();

    const taken = await waitForSavepoint(
      'sp-crash',
      bed.appNamespace,
      'COMPLETED',
      (s) => s.status?.state === 'COMPLETED',
    );
    const savepoints = await userSavepoints();
    expect(savepoints).toHaveLength(before + 1);
    expect(savepoints.map((s) => s.metadata.id)).toContain(taken.status?.id);
    expect(taken.status?.pendingOperation).toBeUndefined();
    expect(taken.status?.attempts).toBe(1);
  });
});
