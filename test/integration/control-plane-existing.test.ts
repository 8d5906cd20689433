// VP_OPERATOR_TEST_KUBECONFIG mode, exercised against this run's own cluster as the "existing" one.
import { describe, expect, it } from '@jest/globals';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { connectExistingCluster, IDENTITY_NAMESPACE } from '../../src/testing/existing-cluster';
import { adminKubeConfig, testCluster, uniqueNamespace } from '../support/cluster';
import { eventually } from '../../src/testing/eventually';

function kubeConfigAt(path: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(path);
  return config;
}

describe('connectExistingCluster', () => {
  it('provides an unprivileged service account identity and removes it on stop', async () => {
    const existing = await connectExistingCluster(testCluster().adminKubeconfigPath);
    const serviceAccount = existing.operatorUser.split(':').at(-1) ?? '';
    try {
      expect(existing.server).toBe(testCluster().server);
      expect(existing.operatorUser).toBe(
        `system:serviceaccount:${IDENTITY_NAMESPACE}:${serviceAccount}`,
      );

      const namespace = await uniqueNamespace('existing');
      const asOperator = kubeConfigAt(existing.operatorKubeconfigPath).makeApiClient(CoreV1Api);
      await expect(asOperator.listNamespacedSecret({ namespace })).rejects.toMatchObject({
        code: 403,
      });
      const rbac = adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
      await rbac.createNamespacedRoleBinding({
        namespace,
        body: {
          metadata: { name: 'operator-views' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
          subjects: [
            { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: existing.operatorUser },
          ],
        },
      });
      await eventually('the RoleBinding to take effect', () =>
        asOperator.listNamespacedConfigMap({ namespace }),
      );

      await expect(existing.restartApiServer()).rejects.toThrow(
        /needs the local test control plane.*Unset VP_OPERATOR_TEST_KUBECONFIG/,
      );
    } finally {
      await existing.stop();
    }

    await expect(
      adminKubeConfig()
        .makeApiClient(CoreV1Api)
        .readNamespacedServiceAccount({ namespace: IDENTITY_NAMESPACE, name: serviceAccount }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('names the kubeconfig it cannot read', async () => {
    await expect(connectExistingCluster('/nonexistent/kubeconfig')).rejects.toThrow(
      'Cannot read the kubeconfig /nonexistent/kubeconfig',
    );
  });
});
