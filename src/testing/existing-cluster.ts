import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../logging';
import type { TestCluster } from './control-plane';
import { writeTokenKubeconfig } from './kubeconfig';

/** Namespace holding the per-run unprivileged service accounts on an existing cluster. */
export const IDENTITY_NAMESPACE = 'vp-operator-test-identities';
/** Long enough for any test run; clusters may cap it lower, which TokenRequest reports. */
const TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

/**
 * Uses an existing cluster instead of starting a control plane: `kubeconfigPath` is the admin
 * identity, and a fresh ServiceAccount with a TokenRequest token becomes the unprivileged
 * operator identity (removed again by `stop()`). The API server cannot be restarted.
 */
export async function connectExistingCluster(
  kubeconfigPath: string,
  options: { logger?: Logger } = {},
): Promise<TestCluster> {
  const admin = new KubeConfig();
  try {
    admin.loadFromFile(kubeconfigPath);
  } catch (error) {
    throw new Error(`Cannot read the kubeconfig ${kubeconfigPath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const cluster = admin.getCurrentCluster();
  if (cluster === null) {
    throw new Error(
      `The kubeconfig ${kubeconfigPath} has no cluster for its current context ` +
        `'${admin.getCurrentContext()}'; set current-context to the cluster the tests should use.`,
    );
  }

  const core = admin.makeApiClient(CoreV1Api);
  const serviceAccount = `vp-operator-${randomBytes(4).toString('hex')}`;
  try {
    await core.createNamespace({ body: { metadata: { name: IDENTITY_NAMESPACE } } });
  } catch (error) {
    if (!isStatus(error, 409)) throw error;
  }
  await core.createNamespacedServiceAccount({
    namespace: IDENTITY_NAMESPACE,
    body: { metadata: { name: serviceAccount } },
  });
  const tokenRequest = await core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace: IDENTITY_NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: TOKEN_LIFETIME_SECONDS } },
  });
  const token = tokenRequest.status?.token;
  if (token === undefined) {
    throw new Error(`TokenRequest for ${IDENTITY_NAMESPACE}/${serviceAccount} returned no token`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'vp-operator-test-cluster-'));
  const operatorKubeconfigPath = join(dir, 'operator.kubeconfig');
  await writeTokenKubeconfig(operatorKubeconfigPath, cluster, serviceAccount, token);
  options.logger?.info(
    { server: cluster.server, serviceAccount: `${IDENTITY_NAMESPACE}/${serviceAccount}` },
    'using an existing cluster',
  );

  return {
    server: cluster.server,
    adminKubeconfigPath: kubeconfigPath,
    operatorKubeconfigPath,
    operatorUser: `system:serviceaccount:${IDENTITY_NAMESPACE}:${serviceAccount}`,
    restartApiServer() {
      return Promise.reject(
        new Error(
          'restartApiServer() needs the local test control plane, but VP_OPERATOR_TEST_KUBECONFIG ' +
            'points the tests at an existing cluster whose API server they cannot restart. ' +
            'Unset VP_OPERATOR_TEST_KUBECONFIG to run this test.',
        ),
      );
    },
    async stop() {
      try {
        await core.deleteNamespacedServiceAccount({
          name: serviceAccount,
          namespace: IDENTITY_NAMESPACE,
        });
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
