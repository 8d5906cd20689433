// The test cluster behaves like a real one: what the operator's integration tests rely on.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
  VersionApi,
} from '@kubernetes/client-node';
import { pinnedKubernetesVersion } from '../../src/testing/kube-testenv-build';
import {
  adminKubeConfig,
  operatorKubeConfig,
  restartApiServer,
  testCluster,
  uniqueNamespace,
} from '../support/cluster';
import { readClusterState } from '../support/cluster-state';
import { eventually } from '../../src/testing/eventually';
import { helm, kubectl } from '../support/kube-cli';

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** Resolves true once reading the object answers 404. */
async function isGone(read: () => Promise<unknown>): Promise<true | undefined> {
  try {
    await read();
    return undefined;
  } catch (error) {
    if (statusOf(error) === 404) return true;
    throw error;
  }
}

const core = () => adminKubeConfig().makeApiClient(CoreV1Api);

describe('test control plane', () => {
  it('reports the pinned Kubernetes release from /version', async () => {
    const version = await adminKubeConfig().makeApiClient(VersionApi).getCode();
    if (testCluster().existingCluster) {
      expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    } else {
      expect(version.gitVersion).toBe(await pinnedKubernetesVersion());
    }
  });

  it('serves a CustomResourceDefinition once Established, and its custom objects', async () => {
    const namespace = await uniqueNamespace('crd');
    // A group unique to the run keeps repeated runs on an existing cluster apart.
    const group = `t${readClusterState().runId}.vp-operator.test`;
    const name = `widgets.${group}`;
    const extensions = adminKubeConfig().makeApiClient(ApiextensionsV1Api);
    await extensions.createCustomResourceDefinition({
      body: {
        metadata: { name },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: { type: 'object', properties: { size: { type: 'integer' } } },
                  },
                },
              },
            },
          ],
        },
      },
    });
    try {
      await eventually('the CRD to be Established', async () => {
        const crd = await extensions.readCustomResourceDefinition({ name });
        const established = crd.status?.conditions?.find((c) => c.type === 'Established');
        return established?.status === 'True' ? true : undefined;
      });

      const objects = adminKubeConfig().makeApiClient(CustomObjectsApi);
      // The discovery of a fresh CRD may lag Established by a moment.
      await eventually(
        'the custom object to be created',
        () =>
          objects.createNamespacedCustomObject({
            group,
            version: 'v1',
            namespace,
            plural: 'widgets',
            body: {
              apiVersion: `${group}/v1`,
              kind: 'Widget',
              metadata: { name: 'first' },
              spec: { size: 3 },
            },
          }) as Promise<object>,
      );
      const widget = (await objects.getNamespacedCustomObject({
        group,
        version: 'v1',
        namespace,
        plural: 'widgets',
        name: 'first',
      })) as { spec?: { size?: number } };
      expect(widget.spec?.size).toBe(3);
    } finally {
      await extensions.deleteCustomResourceDefinition({ name });
    }
  });

  it('finishes deleting a namespace together with its contents', async () => {
    const namespace = await uniqueNamespace('delete');
    await core().createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'credentials' }, stringData: { token: 'not-a-real-token' } },
    });

    await core().deleteNamespace({ name: namespace });

    await eventually('the namespace to be gone', () =>
      isGone(() => core().readNamespace({ name: namespace })),
    );
    await expect(
      core().readNamespacedSecret({ namespace, name: 'credentials' }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('garbage-collects dependents whose owner was deleted', async () => {
    const namespace = await uniqueNamespace('gc');
    const owner = await core().createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'owner' } },
    });
    const ownerUid = owner.metadata?.uid;
    if (ownerUid === undefined) throw new Error('the API server returned the owner without a uid');
    await core().createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: 'dependent',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: ownerUid }],
        },
      },
    });

    await core().deleteNamespacedConfigMap({
      namespace,
      name: 'owner',
      propagationPolicy: 'Background',
    });

    await eventually('the dependent to be garbage-collected', () =>
      isGone(() => core().readNamespacedConfigMap({ namespace, name: 'dependent' })),
    );
  });

  it('denies the operator identity until RBAC grants it access', async () => {
    const namespace = await uniqueNamespace('rbac');
    const asOperator = operatorKubeConfig().makeApiClient(CoreV1Api);
    await expect(asOperator.listNamespacedConfigMap({ namespace })).rejects.toMatchObject({
      code: 403,
    });

    const rbac = adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'read-configmaps' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'operator-reads-configmaps' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
        subjects: [
          { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: testCluster().operatorUser },
        ],
      },
    });

    const list = await eventually('the RoleBinding to take effect', () =>
      asOperator.listNamespacedConfigMap({ namespace }),
    );
    expect(list.items).toEqual(expect.any(Array));
    // Granted exactly that: writing is still forbidden.
    await expect(
      asOperator.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'x' } } }),
    ).rejects.toMatchObject({ code: 403 });
  });

  it('keeps all data across an API server restart', async () => {
    if (testCluster().existingCluster) {
      await expect(restartApiServer()).rejects.toThrow(/existing cluster/);
      return;
    }
    const namespace = await uniqueNamespace('restart');
    await core().createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'survivor' }, data: { kept: 'yes' } },
    });

    await restartApiServer();

    const survivor = await core().readNamespacedConfigMap({ namespace, name: 'survivor' });
    expect(survivor.data).toEqual({ kept: 'yes' });
  });

  it('works with kubectl and helm through the harness kubeconfigs', async () => {
    const { adminKubeconfigPath } = testCluster();
    const namespace = await uniqueNamespace('cli');
    expect(
      (await kubectl(adminKubeconfigPath, ['get', 'ns', namespace, '-o', 'name'])).trim(),
    ).toBe(`namespace/${namespace}`);

    expect(await helm(adminKubeconfigPath, ['version', '--short'])).toMatch(/^v\d+\.\d+\.\d+/);
    // A chart with a kubeVersion constraint: Helm checks it against the server's /version.
    const chart = join(readClusterState().scratchDir, 'charts', 'probe');
    await mkdir(join(chart, 'templates'), { recursive: true });
    await writeFile(
      join(chart, 'Chart.yaml'),
      'apiVersion: v2\nname: probe\nversion: 0.1.0\nkubeVersion: ">=1.30.0-0"\n',
    );
    await writeFile(
      join(chart, 'templates', 'configmap.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\ndata:\n  release: {{ .Release.Name | quote }}\n',
    );
    await helm(adminKubeconfigPath, [
      'install',
      'probe',
      chart,
      '--namespace',
      namespace,
      '--wait',
    ]);
    const installed = await core().readNamespacedConfigMap({ namespace, name: 'probe' });
    expect(installed.data).toEqual({ release: 'probe' });
    expect(await helm(adminKubeconfigPath, ['list', '--namespace', namespace, '--short'])).toBe(
      'probe\n',
    );
  });
});
