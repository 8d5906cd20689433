import { readFileSync } from 'node:fs';
import type { TestClusterConnection } from '../../src/testing/control-plane';

/** Names the JSON file through which global setup tells test files about the cluster. */
export const CLUSTER_STATE_ENV = 'VP_OPERATOR_TEST_CLUSTER_STATE';
/** Points the tests at an existing cluster (admin kubeconfig) instead of a local control plane. */
export const EXISTING_CLUSTER_ENV = 'VP_OPERATOR_TEST_KUBECONFIG';
/** Label on every namespace the tests create, valued with the run's id. */
export const TEST_RUN_LABEL = 'vp-operator.test/run';

export interface ClusterState extends TestClusterConnection {
  /** Distinguishes this test run's objects on a shared cluster. */
  runId: string;
  /** A directory for this run's files, removed by global teardown. */
  scratchDir: string;
  /** True when the tests use VP_OPERATOR_TEST_KUBECONFIG's cluster, not a local control plane. */
  existingCluster: boolean;
  /** Loopback endpoint of the global-setup process, which owns the control plane. */
  control: { url: string; token: string };
  /**
   * promtool built from tools/promtool, or why it could not be built: only the metrics test
   * needs it, so a failed build fails that test with this message, not the whole run.
   */
  promtool: { path: string } | { error: string };
}

export function readClusterState(): ClusterState {
  const path = process.env[CLUSTER_STATE_ENV];
  if (path === undefined || path === '') {
    throw new Error(
      `${CLUSTER_STATE_ENV} is not set: run integration tests through jest's 'integration' ` +
        'project (npm run test:integration), whose global setup starts the test cluster.',
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as ClusterState;
}
