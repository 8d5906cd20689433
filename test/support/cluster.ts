// What integration test files use to reach the cluster that global setup started.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../src/cli/kube-connection';
import type { TestClusterConnection } from '../../src/testing/control-plane';
import { readClusterState, TEST_RUN_LABEL, type ClusterState } from './cluster-state';
import { requestApiServerRestart } from './control-endpoint';

let cachedState: ClusterState | undefined;

function state(): ClusterState {
  cachedState ??= readClusterState();
  return cachedState;
}

export interface TestClusterInfo extends TestClusterConnection {
  /** True when running against VP_OPERATOR_TEST_KUBECONFIG's cluster, not the local one. */
  existingCluster: boolean;
}

/** The API server, kubeconfig paths and the unprivileged operator user of this test run. */
export function testCluster(): TestClusterInfo {
  const { server, adminKubeconfigPath, operatorKubeconfigPath, operatorUser, existingCluster } =
    state();
  return { server, adminKubeconfigPath, operatorKubeconfigPath, operatorUser, existingCluster };
}

/** A fresh client configuration for the cluster administrator. */
export function adminKubeConfig(): KubeConfig {
  return loadKubeConfig(state().adminKubeconfigPath);
}

/** A fresh client configuration for the operator identity, which has only the RBAC tests grant. */
export function operatorKubeConfig(): KubeConfig {
  return loadKubeConfig(state().operatorKubeconfigPath);
}

/** Prefix + '-' + 8 hex characters must stay a DNS label (63 characters). */
const NAMESPACE_PREFIX = /^[a-z0-9]([-a-z0-9]{0,52}[a-z0-9])?$/;

/**
 * Creates a namespace no other test uses, named `<prefix>-<random>`, and returns its name.
 * Namespaces are not deleted after each test: the whole local cluster is discarded at the end,
 * and on an existing cluster global teardown deletes every namespace of the run.
 */
export async function uniqueNamespace(prefix: string): Promise<string> {
  if (!NAMESPACE_PREFIX.test(prefix)) {
    throw new Error(
      `uniqueNamespace('${prefix}'): the prefix must be 1-54 lowercase letters, digits or '-', ` +
        'starting and ending with a letter or digit.',
    );
  }
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await adminKubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespace({
      body: { metadata: { name, labels: { [TEST_RUN_LABEL]: state().runId } } },
    });
  return name;
}

/**
 * Restarts the API server (etcd and its data stay), resolving once it is ready again. Works from
 * any test file; throws a clear error when the tests run against an existing cluster.
 */
export function restartApiServer(): Promise<void> {
  return requestApiServerRestart(state().control);
}
