// End to end: kubectl → the real API server → bin/manager (the unprivileged operator identity
// with exactly config/rbac) → the VVP simulator with enforced auth, and back into status.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startQuietSimulator, call, field } from '../support/simulator';
import { adminKubeConfig, testCluster, uniqueNamespace } from '../support/cluster';
import { readClusterState } from '../support/cluster-state';
import { kubectl } from '../support/kube-cli';
import { killManager, type ManagerRun } from '../support/manager-process';
import { grantOperatorRbac, installOperatorCrds, startOperator } from '../support/operator';
import { eventually } from '../../src/testing/eventually';
import type { RunningSimulator } from '../../src/simulator';

const GROUP = 'vpoperator.dev';
const VERSION = 'v1alpha1';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

interface ObservedObject {
  metadata: { name: string; resourceVersion: string; finalizers?: string[] };
  status?: { conditions?: Condition[]; lifecyclePhase?: string; id?: string; adopted?: boolean };
}

let manifestCount = 0;

/** `kubectl apply` as the cluster administrator (a user of the operator would). */
async function apply(manifest: Record<string, unknown>): Promise<string> {
  const file = join(readClusterState().scratchDir, `e2e-${process.pid}-${manifestCount++}.json`);
  writeFileSync(file, JSON.stringify(manifest));
  return kubectl(testCluster().adminKubeconfigPath, ['apply', '-f', file]);
}

async function applyFailure(manifest: Record<string, unknown>): Promise<string> {
  try {
    await apply(manifest);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('kubectl apply succeeded but should have been rejected');
}

const customObjects = (): CustomObjectsApi => adminKubeConfig().makeApiClient(CustomObjectsApi);

async function readObject(
  plural: string,
  name: string,
  namespace?: string,
): Promise<ObservedObject | undefined> {
  try {
    const object: unknown =
      namespace === undefined
        ? await customObjects().getClusterCustomObject({
            group: GROUP,
            version: VERSION,
            plural,
            name,
          })
        : await customObjects().getNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            plural,
            name,
            namespace,
          });
    return object as ObservedObject;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

function condition(object: ObservedObject | undefined, type: string): Condition | undefined {
  return object?.status?.conditions?.find((c) => c.type === type);
}

function waitForCondition(
  plural: string,
  name: string,
  namespace: string | undefined,
  type: string,
  expected: { status: string; reason?: string },
): Promise<ObservedObject> {
  return eventually(
    `${plural} ${name}: ${type}=${expected.status}${expected.reason === undefined ? '' : ` (${expected.reason})`}`,
    async () => {
      const object = await readObject(plural, name, namespace);
      const found = condition(object, type);
      return found?.status === expected.status &&
        (expected.reason === undefined || found.reason === expected.reason)
        ? object
        : undefined;
    },
    { timeoutMs: 30_000 },
  );
}

async function waitForGone(plural: string, name: string, namespace?: string): Promise<void> {
  try {
    await eventually(`${plural} ${name} to be deleted`, async () =>
      (await readObject(plural, name, namespace)) === undefined ? true : undefined,
    );
  } catch (error) {
    // Say why it is stuck: the conditions the operator reported.
    const stuck = await readObject(plural, name, namespace);
    throw new Error(`${String(error)}; its status: ${JSON.stringify(stuck?.status)}`, {
      cause: error,
    });
  }
}

describe('VpNamespace and VpDeploymentTarget end to end', () => {
  let simulator: RunningSimulator;
  let operatorNamespace: string;
  let appNamespace: string;
  let operator: ManagerRun | undefined;

  const vvp = (method: string, path: string, body?: unknown) =>
    call(simulator.url, method, path, {
      token: ADMIN_TOKEN,
      ...(body === undefined ? {} : { body }),
    });

  const vvpWrites = () =>
    simulator.admin.requests().entries.filter((entry) => WRITE_METHODS.has(entry.method));

  const start = async (): Promise<ManagerRun> => {
    operator = await startOperator({
      simulatorUrl: simulator.url,
      operatorNamespace,
      env: { PLATFORM_API_TOKEN: ADMIN_TOKEN },
    });
    return operator;
  };

  const targetManifest = (
    name: string,
    spec: Record<string, unknown> = {},
    annotations: Record<string, string> = {},
  ) => ({
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'VpDeploymentTarget',
    metadata: { name, namespace: appNamespace, annotations },
    spec: {
      metadata: { namespace: 'default' },
      spec: { kubernetes: { namespace: 'flink-jobs' } },
      ...spec,
    },
  });

  beforeAll(async () => {
    simulator = await startQuietSimulator({ auth: 'enforced', adminToken: ADMIN_TOKEN });
    await installOperatorCrds();
    operatorNamespace = await uniqueNamespace('vp-operator');
    appNamespace = await uniqueNamespace('e2e-apps');
    await grantOperatorRbac(operatorNamespace);
    await start();
  });

  afterEach(async () => {
    // Tests that kill the operator restart it; every test starts with one running.
    if (
      operator === undefined ||
      operator.child.exitCode !== null ||
      operator.child.signalCode !== null
    ) {
      await start();
    }
  });

  afterAll(async () => {
    if (operator !== undefined) await killManager(operator);
    await simulator.close();
  });

  it('creates a VVP namespace and a target from kubectl apply; both become Ready and show in kubectl get vp', async () => {
    await apply({
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'VpNamespace',
      metadata: { name: 'e2e-team' },
      spec: { roleBindings: [{ role: 'owner', members: ['user:admin'] }] },
    });
    await apply({
      ...targetManifest('e2e-target'),
      spec: {
        metadata: { namespace: 'e2e-team' },
        spec: { kubernetes: { namespace: 'flink-team' } },
      },
    });

    const namespace = await waitForCondition('vpnamespaces', 'e2e-team', undefined, 'Ready', {
      status: 'True',
    });
    expect(namespace.status?.lifecyclePhase).toBe('LIFECYCLE_PHASE_ACTIVE');
    const target = await waitForCondition(
      'vpdeploymenttargets',
      'e2e-target',
      appNamespace,
      'Ready',
      {
        status: 'True',
      },
    );
    expect(target.status?.id).toMatch(/^[0-9a-f-]{36}$/);

    const inVvp = await vvp('GET', '/api/v1/namespaces/e2e-team/deployment-targets/e2e-target');
    expect(inVvp.status).toBe(200);
    expect(field(inVvp.body, 'spec', 'kubernetes', 'namespace')).toBe('flink-team');
    expect(field(inVvp.body, 'metadata', 'id')).toBe(target.status?.id);

    const listed = await kubectl(testCluster().adminKubeconfigPath, ['get', 'vp', '-A']);
    expect(listed).toMatch(/vpnamespace\.vpoperator\.dev\/e2e-team/);
    expect(listed).toMatch(/vpdeploymenttarget\.vpoperator\.dev\/e2e-target/);
  });

  it('rejects an invalid object at kubectl apply, naming the field', async () => {
    const message = await applyFailure(
      targetManifest('Not_A_Valid_Name', { deletionPolicy: 'Sometimes' }),
    );
    expect(message).toMatch(/deletionPolicy/);
  });

  it('reuses the owner token it created across a restart', async () => {
    // e2e-team (first test) has no token in the environment: the operator created one.
    const secrets = await adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .listNamespacedSecret({ namespace: operatorNamespace });
    expect(secrets.items.length).toBeGreaterThanOrEqual(1);
    const tokensBefore = await vvp('GET', '/apitokens/v1/namespaces/e2e-team/apitokens');
    const before = field(tokensBefore.body, 'apiTokens') as unknown[];
    expect(before).toHaveLength(1);

    simulator.admin.clearRequests();
    if (operator !== undefined) await killManager(operator);
    await start();
    await apply({
      ...targetManifest('e2e-target-after-restart'),
      spec: {
        metadata: { namespace: 'e2e-team' },
        spec: { kubernetes: { namespace: 'flink-team' } },
      },
    });
    await waitForCondition(
      'vpdeploymenttargets',
      'e2e-target-after-restart',
      appNamespace,
      'Ready',
      {
        status: 'True',
      },
    );
    const tokenCreates = simulator.admin
      .requests()
      .entries.filter((entry) => entry.method === 'POST' && entry.url.includes('/apitokens'));
    expect(tokenCreates).toHaveLength(0);
    const tokensAfter = await vvp('GET', '/apitokens/v1/namespaces/e2e-team/apitokens');
    expect(field(tokensAfter.body, 'apiTokens')).toEqual(before);
  });

  it('uses the token Secret an object names once the opt-in reader role is granted', async () => {
    const token = await vvp('POST', '/apitokens/v1/namespaces/default/apitokens', {
      name: 'namespaces/default/apitokens/e2e-ci',
      role: 'owner',
    });
    expect(token.status).toBeLessThan(300);
    const secret = String(field(token.body, 'apiToken', 'secret'));
    await adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespacedSecret({
        namespace: appNamespace,
        body: { metadata: { name: 'e2e-vvp-token' }, stringData: { token: secret } },
      });
    await apply(
      targetManifest('secret-ref-target', { apiTokenSecretRef: { name: 'e2e-vvp-token' } }),
    );

    const refused = await waitForCondition(
      'vpdeploymenttargets',
      'secret-ref-target',
      appNamespace,
      'Synced',
      {
        status: 'False',
        reason: 'TokenUnavailable',
      },
    );
    expect(condition(refused, 'Synced')?.message).toContain(`${appNamespace}/e2e-vvp-token`);
    expect(
      (await vvp('GET', '/api/v1/namespaces/default/deployment-targets/secret-ref-target')).status,
    ).toBe(404);

    await grantOperatorRbac(operatorNamespace, { tokenSecretReaderIn: [appNamespace] });
    await waitForCondition('vpdeploymenttargets', 'secret-ref-target', appNamespace, 'Ready', {
      status: 'True',
    });
    expect(
      (await vvp('GET', '/api/v1/namespaces/default/deployment-targets/secret-ref-target')).status,
    ).toBe(200);
  });

  it('makes no VVP writes and no Kubernetes writes in steady state over several resync periods', async () => {
    await apply(targetManifest('steady-target'));
    const ready = await waitForCondition(
      'vpdeploymenttargets',
      'steady-target',
      appNamespace,
      'Ready',
      {
        status: 'True',
      },
    );
    // Let in-flight work settle, then watch three resync periods (2 s each).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const settled = await readObject('vpdeploymenttargets', 'steady-target', appNamespace);
    simulator.admin.clearRequests();
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    expect(vvpWrites()).toEqual([]);
    const reads = simulator.admin
      .requests()
      .entries.filter((entry) => entry.url.includes('/deployment-targets/steady-target'));
    expect(reads.length).toBeGreaterThanOrEqual(2);
    const after = await readObject('vpdeploymenttargets', 'steady-target', appNamespace);
    expect(after?.metadata.resourceVersion).toBe(settled?.metadata.resourceVersion);
    expect(ready.status?.id).toBe(after?.status?.id);
  });

  it('deletes from VVP with deletionPolicy Delete and leaves VVP alone with Orphan', async () => {
    await apply(targetManifest('delete-me'));
    await apply(targetManifest('orphan-me', { deletionPolicy: 'Orphan' }));
    await waitForCondition('vpdeploymenttargets', 'delete-me', appNamespace, 'Ready', {
      status: 'True',
    });
    await waitForCondition('vpdeploymenttargets', 'orphan-me', appNamespace, 'Ready', {
      status: 'True',
    });

    const admin = testCluster().adminKubeconfigPath;
    await kubectl(admin, [
      'delete',
      '-n',
      appNamespace,
      'vpdeploymenttarget',
      'delete-me',
      'orphan-me',
      '--wait=false',
    ]);
    await waitForGone('vpdeploymenttargets', 'delete-me', appNamespace);
    await waitForGone('vpdeploymenttargets', 'orphan-me', appNamespace);

    expect(
      (await vvp('GET', '/api/v1/namespaces/default/deployment-targets/delete-me')).status,
    ).toBe(404);
    expect(
      (await vvp('GET', '/api/v1/namespaces/default/deployment-targets/orphan-me')).status,
    ).toBe(200);
  });

  it('deletes a VVP namespace through TERMINATING and its owner token with Delete, keeps one with Orphan', async () => {
    const bindings = [{ role: 'owner', members: ['user:admin'] }];
    for (const [name, deletionPolicy] of [
      ['e2e-doomed', 'Delete'],
      ['e2e-kept', 'Orphan'],
    ] as const) {
      await apply({
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'VpNamespace',
        metadata: { name },
        spec: { deletionPolicy, roleBindings: bindings },
      });
      await waitForCondition('vpnamespaces', name, undefined, 'Ready', { status: 'True' });
    }
    // A target inside makes the operator create and store an owner token for the namespace.
    await apply({
      ...targetManifest('doomed-target'),
      spec: {
        metadata: { namespace: 'e2e-doomed' },
        spec: { kubernetes: { namespace: 'flink-doomed' } },
      },
    });
    await waitForCondition('vpdeploymenttargets', 'doomed-target', appNamespace, 'Ready', {
      status: 'True',
    });
    const ownerTokenSecrets = async (): Promise<string[]> =>
      (
        await adminKubeConfig()
          .makeApiClient(CoreV1Api)
          .listNamespacedSecret({ namespace: operatorNamespace })
      ).items
        .map((secret) => secret.metadata?.name ?? '')
        .filter((name) => name.endsWith('.e2e-doomed'));
    expect(await ownerTokenSecrets()).toHaveLength(1);

    const admin = testCluster().adminKubeconfigPath;
    await kubectl(admin, ['delete', '-n', appNamespace, 'vpdeploymenttarget', 'doomed-target']);
    await kubectl(admin, ['delete', 'vpnamespace', 'e2e-doomed', 'e2e-kept', '--wait=false']);
    await waitForGone('vpnamespaces', 'e2e-doomed');
    await waitForGone('vpnamespaces', 'e2e-kept');

    expect((await vvp('GET', '/namespaces/v1/namespaces/e2e-doomed')).status).toBe(404);
    expect((await vvp('GET', '/namespaces/v1/namespaces/e2e-kept')).status).toBe(200);
    expect(await ownerTokenSecrets()).toEqual([]);
  });

  it('leaves a foreign object of the same name untouched and reports it, then adopts it on request', async () => {
    const created = await vvp('POST', '/api/v1/namespaces/default/deployment-targets', {
      kind: 'DeploymentTarget',
      apiVersion: 'v1',
      metadata: { name: 'foreign-target', namespace: 'default', labels: { team: 'data' } },
      spec: { kubernetes: { namespace: 'flink-jobs' } },
    });
    expect(created.status).toBe(201);
    const foreignId = field(created.body, 'metadata', 'id');

    await apply(targetManifest('foreign-target'));
    const reported = await waitForCondition(
      'vpdeploymenttargets',
      'foreign-target',
      appNamespace,
      'Synced',
      {
        status: 'False',
        reason: 'AlreadyExists',
      },
    );
    expect(condition(reported, 'Synced')?.message).toMatch(/vpoperator\.dev\/adopt/);
    const untouched = await vvp(
      'GET',
      '/api/v1/namespaces/default/deployment-targets/foreign-target',
    );
    expect(field(untouched.body, 'metadata', 'resourceVersion')).toBe(
      field(created.body, 'metadata', 'resourceVersion'),
    );

    await apply(targetManifest('foreign-target', {}, { 'vpoperator.dev/adopt': 'true' }));
    const adopted = await waitForCondition(
      'vpdeploymenttargets',
      'foreign-target',
      appNamespace,
      'Ready',
      {
        status: 'True',
      },
    );
    expect(adopted.status?.adopted).toBe(true);
    expect(adopted.status?.id).toBe(foreignId);
    const kept = await vvp('GET', '/api/v1/namespaces/default/deployment-targets/foreign-target');
    expect(field(kept.body, 'metadata', 'id')).toBe(foreignId);
    expect(field(kept.body, 'metadata', 'labels', 'team')).toBe('data');
  });

  it('keeps a target whose deletion VVP refuses (409) while a deployment uses it, then completes', async () => {
    await apply(targetManifest('busy-target'));
    const ready = await waitForCondition(
      'vpdeploymenttargets',
      'busy-target',
      appNamespace,
      'Ready',
      {
        status: 'True',
      },
    );
    const deployment = await vvp('POST', '/api/v1/namespaces/default/deployments', {
      kind: 'Deployment',
      apiVersion: 'v1',
      metadata: { name: 'blocking-deployment', namespace: 'default' },
      spec: {
        state: 'CANCELLED',
        deploymentTargetId: ready.status?.id,
        template: { spec: { artifact: { kind: 'JAR', jarUri: 'https://example.com/job.jar' } } },
      },
    });
    expect(deployment.status).toBe(201);

    await kubectl(testCluster().adminKubeconfigPath, [
      'delete',
      '-n',
      appNamespace,
      'vpdeploymenttarget',
      'busy-target',
      '--wait=false',
    ]);
    const blocked = await waitForCondition(
      'vpdeploymenttargets',
      'busy-target',
      appNamespace,
      'Synced',
      {
        status: 'False',
        reason: 'DeletionBlocked',
      },
    );
    expect(condition(blocked, 'Synced')?.message).toMatch(/blocking-deployment/);

    const deploymentId = String(field(deployment.body, 'metadata', 'id'));
    expect(
      (await vvp('DELETE', `/api/v1/namespaces/default/deployments/${deploymentId}`)).status,
    ).toBe(200);
    await waitForGone('vpdeploymenttargets', 'busy-target', appNamespace);
    expect(
      (await vvp('GET', '/api/v1/namespaces/default/deployment-targets/busy-target')).status,
    ).toBe(404);
  });

  it('creates exactly one VVP object when the manager is killed right after the VVP create', async () => {
    // The create is applied at once but answered only after 3 s: the manager dies in between.
    simulator.admin.addFault({
      method: 'POST',
      path: '/api/v1/namespaces/{namespace}/deployment-targets',
      answerDelayMs: 3_000,
      remaining: 1,
    });
    simulator.admin.clearRequests();
    await apply(targetManifest('crash-target'));
    await eventually('the VVP create to be applied', async () =>
      (await vvp('GET', '/api/v1/namespaces/default/deployment-targets/crash-target')).status ===
      200
        ? true
        : undefined,
    );
    if (operator !== undefined) await killManager(operator);
    await start();
    await waitForCondition('vpdeploymenttargets', 'crash-target', appNamespace, 'Ready', {
      status: 'True',
    });

    const targets = await vvp('GET', '/api/v1/namespaces/default/deployment-targets');
    const named = (field(targets.body, 'items') as { metadata: { name: string } }[]).filter(
      (item) => item.metadata.name === 'crash-target',
    );
    expect(named).toHaveLength(1);
    // The held answer is logged once it is out; by then the restarted manager has adopted.
    const creates = await eventually('the held create to be answered', () => {
      const posts = simulator.admin
        .requests()
        .entries.filter(
          (entry) => entry.method === 'POST' && entry.url.endsWith('/deployment-targets'),
        );
      return Promise.resolve(posts.length > 0 ? posts : undefined);
    });
    expect(creates).toHaveLength(1);
  });
});
