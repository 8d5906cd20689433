// End to end: kubectl → the real API server → bin/manager (the unprivileged operator identity
// with exactly config/rbac) → the VVP simulator with enforced auth, and back into status.
import { describe, expect, it } from '@jest/globals';
import { CoreV1Api, EventsV1Api } from '@kubernetes/client-node';
import { field } from '../support/simulator';
import { adminKubeConfig, testCluster } from '../support/cluster';
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
import { grantOperatorRbac } from '../support/operator';
import { useOperatorTestbed } from '../support/operator-testbed';
import { eventually } from '../../src/testing/eventually';

interface ObservedObject extends CustomResource {
  status?: CustomResource['status'] & { lifecyclePhase?: string; adopted?: boolean };
}

async function applyFailure(manifest: Record<string, unknown>): Promise<string> {
  try {
    await apply(manifest);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('kubectl apply succeeded but should have been rejected');
}

const readObject = (plural: string, name: string, namespace?: string) =>
  readCustomObject<ObservedObject>(plural, name, namespace);

function waitForCondition(
  plural: string,
  name: string,
  namespace: string | undefined,
  type: string,
  expected: { status: string; reason?: string },
): Promise<ObservedObject> {
  return waitForCustomObject<ObservedObject>(
    `${type}=${expected.status}${expected.reason === undefined ? '' : ` (${expected.reason})`}`,
    { plural, name, ...(namespace === undefined ? {} : { namespace }) },
    (object) => {
      const found = condition(object, type);
      return (
        found?.status === expected.status &&
        (expected.reason === undefined || found.reason === expected.reason)
      );
    },
    30_000,
  );
}

describe('VpNamespace and VpDeploymentTarget end to end', () => {
  const bed = useOperatorTestbed({ appNamespacePrefix: 'e2e-apps' });

  const targetManifest = (
    name: string,
    spec: Record<string, unknown> = {},
    annotations: Record<string, string> = {},
  ) => ({
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'VpDeploymentTarget',
    metadata: { name, namespace: bed.appNamespace, annotations },
    spec: {
      metadata: { namespace: 'default' },
      spec: { kubernetes: { namespace: 'flink-jobs' } },
      ...spec,
    },
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
      bed.appNamespace,
      'Ready',
      {
        status: 'True',
      },
    );
    expect(target.status?.id).toMatch(/^[0-9a-f-]{36}$/);

    const inVvp = await bed.vvp('GET', '/api/v1/namespaces/e2e-team/deployment-targets/e2e-target');
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
      .listNamespacedSecret({ namespace: bed.operatorNamespace });
    expect(secrets.items.length).toBeGreaterThanOrEqual(1);
    const tokensBefore = await bed.vvp('GET', '/apitokens/v1/namespaces/e2e-team/apitokens');
    const before = field(tokensBefore.body, 'apiTokens') as unknown[];
    expect(before).toHaveLength(1);

    bed.simulator.admin.clearRequests();
    await bed.restartOperator();
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
      bed.appNamespace,
      'Ready',
      {
        status: 'True',
      },
    );
    const tokenCreates = bed.simulator.admin
      .requests()
      .entries.filter((entry) => entry.method === 'POST' && entry.url.includes('/apitokens'));
    expect(tokenCreates).toHaveLength(0);
    const tokensAfter = await bed.vvp('GET', '/apitokens/v1/namespaces/e2e-team/apitokens');
    expect(field(tokensAfter.body, 'apiTokens')).toEqual(before);
  });

  it('uses the token Secret an object names once the opt-in reader role is granted', async () => {
    const token = await bed.vvp('POST', '/apitokens/v1/namespaces/default/apitokens', {
      name: 'namespaces/default/apitokens/e2e-ci',
      role: 'owner',
    });
    expect(token.status).toBeLessThan(300);
    const secret = String(field(token.body, 'apiToken', 'secret'));
    await adminKubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespacedSecret({
        namespace: bed.appNamespace,
        body: { metadata: { name: 'e2e-vvp-token' }, stringData: { token: secret } },
      });
    await apply(
      targetManifest('secret-ref-target', { apiTokenSecretRef: { name: 'e2e-vvp-token' } }),
    );

    const refused = await waitForCondition(
      'vpdeploymenttargets',
      'secret-ref-target',
      bed.appNamespace,
      'Synced',
      {
        status: 'False',
        reason: 'TokenUnavailable',
      },
    );
    expect(condition(refused, 'Synced')?.message).toContain(`${bed.appNamespace}/e2e-vvp-token`);
    expect(
      (await bed.vvp('GET', '/api/v1/namespaces/default/deployment-targets/secret-ref-target'))
        .status,
    ).toBe(404);

    await grantOperatorRbac(bed.operatorNamespace, { tokenSecretReaderIn: [bed.appNamespace] });
    await waitForCondition('vpdeploymenttargets', 'secret-ref-target', bed.appNamespace, 'Ready', {
      status: 'True',
    });
    expect(
      (await bed.vvp('GET', '/api/v1/namespaces/default/deployment-targets/secret-ref-target'))
        .status,
    ).toBe(200);
  });

  it('makes no VVP writes and no Kubernetes writes in steady state over several resync periods', async () => {
    await apply(targetManifest('steady-target'));
    const ready = await waitForCondition(
      'vpdeploymenttargets',
      'steady-target',
      bed.appNamespace,
      'Ready',
      {
        status: 'True',
      },
    );
    // Let in-flight work settle, then watch three resync periods (2 s each).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const settled = await readObject('vpdeploymenttargets', 'steady-target', bed.appNamespace);
    bed.simulator.admin.clearRequests();
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    expect(bed.vvpWrites()).toEqual([]);
    const reads = bed.simulator.admin
      .requests()
      .entries.filter((entry) => entry.url.includes('/deployment-targets/steady-target'));
    expect(reads.length).toBeGreaterThanOrEqual(2);
    const after = await readObject('vpdeploymenttargets', 'steady-target', bed.appNamespace);
    expect(after?.metadata.resourceVersion).toBe(settled?.metadata.resourceVersion);
    expect(ready.status?.id).toBe(after?.status?.id);
  });

  it('deletes from VVP with deletionPolicy Delete and leaves VVP alone with Orphan', async () => {
    await apply(targetManifest('delete-me'));
    await apply(targetManifest('orphan-me', { deletionPolicy: 'Orphan' }));
    await waitForCondition('vpdeploymenttargets', 'delete-me', bed.appNamespace, 'Ready', {
      status: 'True',
    });
    await waitForCondition('vpdeploymenttargets', 'orphan-me', bed.appNamespace, 'Ready', {
      status: 'True',
    });

    const admin = testCluster().adminKubeconfigPath;
    await kubectl(admin, [
      'delete',
      '-n',
      bed.appNamespace,
      'vpdeploymenttarget',
      'delete-me',
      'orphan-me',
      '--wait=false',
    ]);
    await waitForGone('vpdeploymenttargets', 'delete-me', bed.appNamespace);
    await waitForGone('vpdeploymenttargets', 'orphan-me', bed.appNamespace);

    expect(
      (await bed.vvp('GET', '/api/v1/namespaces/default/deployment-targets/delete-me')).status,
    ).toBe(404);
    expect(
      (await bed.vvp('GET', '/api/v1/namespaces/default/deployment-targets/orphan-me')).status,
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
    await waitForCondition('vpdeploymenttargets', 'doomed-target', bed.appNamespace, 'Ready', {
      status: 'True',
    });
    const ownerTokenSecrets = async (): Promise<string[]> =>
      (
        await adminKubeConfig()
          .makeApiClient(CoreV1Api)
          .listNamespacedSecret({ namespace: bed.operatorNamespace })
      ).items
        .map((secret) => secret.metadata?.name ?? '')
        .filter((name) => name.endsWith('.e2e-doomed'));
    expect(await ownerTokenSecrets()).toHaveLength(1);

    const admin = testCluster().adminKubeconfigPath;
    await kubectl(admin, ['delete', '-n', bed.appNamespace, 'vpdeploymenttarget', 'doomed-target']);
    await kubectl(admin, ['delete', 'vpnamespace', 'e2e-doomed', 'e2e-kept', '--wait=false']);
    await waitForGone('vpnamespaces', 'e2e-doomed');
    await waitForGone('vpnamespaces', 'e2e-kept');

    expect((await bed.vvp('GET', '/namespaces/v1/namespaces/e2e-doomed')).status).toBe(404);
    expect((await bed.vvp('GET', '/namespaces/v1/namespaces/e2e-kept')).status).toBe(200);
    expect(await ownerTokenSecrets()).toEqual([]);
  });

  it('leaves a foreign object of the same name untouched and reports it, then adopts it on request', async () => {
    const created = await bed.vvp('POST', '/api/v1/namespaces/default/deployment-targets', {
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
      bed.appNamespace,
      'Synced',
      {
        status: 'False',
        reason: 'AlreadyExists',
      },
    );
    expect(condition(reported, 'Synced')?.message).toMatch(/vpoperator\.dev\/adopt/);
    const untouched = await bed.vvp(
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
      bed.appNamespace,
      'Ready',
      {
        status: 'True',
      },
    );
    expect(adopted.status?.adopted).toBe(true);
    expect(adopted.status?.id).toBe(foreignId);
    const kept = await bed.vvp(
      'GET',
      '/api/v1/namespaces/default/deployment-targets/foreign-target',
    );
    expect(field(kept.body, 'metadata', 'id')).toBe(foreignId);
    expect(field(kept.body, 'metadata', 'labels', 'team')).toBe('data');
  });

  it('keeps a target whose deletion VVP refuses (409) while a deployment uses it, then completes', async () => {
    await apply(targetManifest('busy-target'));
    const ready = await waitForCondition(
      'vpdeploymenttargets',
      'busy-target',
      bed.appNamespace,
      'Ready',
      {
        status: 'True',
      },
    );
    const deployment = await bed.vvp('POST', '/api/v1/namespaces/default/deployments', {
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
      bed.appNamespace,
      'vpdeploymenttarget',
      'busy-target',
      '--wait=false',
    ]);
    const blocked = await waitForCondition(
      'vpdeploymenttargets',
      'busy-target',
      bed.appNamespace,
      'Synced',
      {
        status: 'False',
        reason: 'DeletionBlocked',
      },
    );
    expect(condition(blocked, 'Synced')?.message).toMatch(/blocking-deployment/);

    const deploymentId = String(field(deployment.body, 'metadata', 'id'));
    expect(
      (await bed.vvp('DELETE', `/api/v1/namespaces/default/deployments/${deploymentId}`)).status,
    ).toBe(200);
    await waitForGone('vpdeploymenttargets', 'busy-target', bed.appNamespace);
    expect(
      (await bed.vvp('GET', '/api/v1/namespaces/default/deployment-targets/busy-target')).status,
    ).toBe(404);
  });

  it('creates exactly one VVP object when the manager is killed right after the VVP create', async () => {
    // The create is applied at once but answered only after 3 s: the manager dies in between.
    bed.simulator.admin.addFault({
      method: 'POST',
      path: '/api/v1/namespaces/{namespace}/deployment-targets',
      answerDelayMs: 3_000,
      remaining: 1,
    });
    bed.simulator.admin.clearRequests();
    await apply(targetManifest('crash-target'));
    await eventually('the VVP create to be applied', async () =>
      (await bed.vvp('GET', '/api/v1/namespaces/default/deployment-targets/crash-target'))
        .status === 200
        ? true
        : undefined,
    );
    await bed.restartOperator();
    await waitForCondition('vpdeploymenttargets', 'crash-target', bed.appNamespace, 'Ready', {
      status: 'True',
    });

    const targets = await bed.vvp('GET', '/api/v1/namespaces/default/deployment-targets');
    const named = (field(targets.body, 'items') as { metadata: { name: string } }[]).filter(
      (item) => item.metadata.name === 'crash-target',
    );
    expect(named).toHaveLength(1);
    // The held answer is logged once it is out; by then the restarted manager has adopted.
    const creates = await eventually('the held create to be answered', () => {
      const posts = bed.simulator.admin
        .requests()
        .entries.filter(
          (entry) => entry.method === 'POST' && entry.url.endsWith('/deployment-targets'),
        );
      return Promise.resolve(posts.length > 0 ? posts : undefined);
    });
    expect(creates).toHaveLength(1);
    // The restarted manager says what it found, once (a repeat would count up the same Event).
    const recoveries = await eventually('the recovery to be announced', async () => {
      const { items } = await adminKubeConfig().makeApiClient(EventsV1Api).listNamespacedEvent({
        namespace: bed.appNamespace,
        fieldSelector: 'regarding.name=crash-target',
      });
      const found = items.filter((event) => event.note?.includes('interrupted earlier reconcile'));
      return found.length > 0 ? found : undefined;
    });
    expect(recoveries.map((event) => event.series?.count ?? 1)).toEqual([1]);
  });
});
