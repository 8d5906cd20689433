// Jest global setup of the integration project: starts ONE cluster for the whole run (or
// connects to the one in VP_OPERATOR_TEST_KUBECONFIG) and publishes how to reach it.
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logging';
import { startControlPlane, type TestCluster } from '../../src/testing/control-plane';
import { connectExistingCluster } from '../../src/testing/existing-cluster';
import { ensurePromtoolBinary } from '../../src/testing/promtool-build';
import { CLUSTER_STATE_ENV, EXISTING_CLUSTER_ENV, type ClusterState } from './cluster-state';
import { serveClusterControl, type ControlEndpoint } from './control-endpoint';

/** What global teardown needs; it runs in this same process. */
export interface TestRun {
  cluster: TestCluster;
  control: ControlEndpoint;
  state: ClusterState;
}

const TEST_RUN_KEY = Symbol.for('vp-operator.test-run');

export function currentTestRun(): TestRun | undefined {
  return (globalThis as Record<symbol, TestRun | undefined>)[TEST_RUN_KEY];
}

function rememberTestRun(run: TestRun | undefined): void {
  (globalThis as Record<symbol, TestRun | undefined>)[TEST_RUN_KEY] = run;
}

export default async function globalSetup(): Promise<void> {
  const logger = createLogger({ pretty: true });
  const existingKubeconfig = process.env[EXISTING_CLUSTER_ENV];
  const existingCluster = existingKubeconfig !== undefined && existingKubeconfig !== '';
  const cluster = existingCluster
    ? await connectExistingCluster(existingKubeconfig, { logger })
    : await startControlPlane({ logger });
  try {
    // After the control plane, whose build CI's background `npm run testenv:build` runs first.
    const promtool = await ensurePromtoolBinary({ logger }).then(
      (path) => ({ path }),
      (error: unknown) => {
        logger.error((error as Error).message);
        return { error: (error as Error).message };
      },
    );
    const control = await serveClusterControl(cluster);
    const stateDir = await mkdtemp(join(tmpdir(), 'vp-operator-jest-'));
    const state: ClusterState = {
      server: cluster.server,
      adminKubeconfigPath: cluster.adminKubeconfigPath,
      operatorKubeconfigPath: cluster.operatorKubeconfigPath,
      operatorUser: cluster.operatorUser,
      runId: randomBytes(4).toString('hex'),
      scratchDir: stateDir,
      existingCluster,
      control: { url: control.url, token: control.token },
      promtool,
    };
    const statePath = join(stateDir, 'cluster.json');
    await writeFile(statePath, JSON.stringify(state), { mode: 0o600 });
    // Jest starts its workers after global setup, so they inherit this.
    process.env[CLUSTER_STATE_ENV] = statePath;
    rememberTestRun({ cluster, control, state });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

export function forgetTestRun(): void {
  rememberTestRun(undefined);
}
