// The operator installed the way a cluster administrator installs it: the generated CRDs, the
// RBAC in config/rbac bound to the unprivileged operator identity, and bin/manager running as
// that identity against the VVP simulator.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { operatorRbacManifest, type OperatorRbacOptions } from '../../src/testing/operator-rbac';
import { kubectl } from './kube-cli';
import { testCluster } from './cluster';
import { readClusterState } from './cluster-state';
import { runManager, waitUntilReady, type ManagerRun } from './manager-process';

const CRD_DIR = fileURLToPath(new URL('../../config/crd/', import.meta.url));

/** Applies every generated CRD (idempotent) and waits until all are established. */
export async function installOperatorCrds(
  admin: string = testCluster().adminKubeconfigPath,
): Promise<void> {
  await kubectl(admin, ['apply', '--server-side', '--force-conflicts', '-f', CRD_DIR]);
  await kubectl(admin, ['wait', '--for=condition=Established', '--timeout=60s', '-f', CRD_DIR]);
}

/**
 * Grants the operator identity exactly config/rbac ({@link operatorRbacManifest}): the
 * ClusterRole cluster-wide, the Role in `operatorNamespace`; the opt-in token Secret reader only
 * in `tokenSecretReaderIn` (bound per namespace, as for watched namespaces, so other tests'
 * namespaces stay out of reach).
 */
export async function grantOperatorRbac(
  operatorNamespace: string,
  options: OperatorRbacOptions = {},
): Promise<void> {
  const manifest = await operatorRbacManifest(
    operatorNamespace,
    testCluster().operatorUser,
    options,
  );
  const file = join(readClusterState().scratchDir, `rbac-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(file, manifest);
  await kubectl(testCluster().adminKubeconfigPath, ['apply', '-f', file]);
}

export interface OperatorRunOptions {
  simulatorUrl: string;
  operatorNamespace: string;
  /** Watched Kubernetes namespaces; all when omitted. */
  watchNamespaces?: readonly string[];
  instanceId?: string;
  resyncPeriod?: string;
  env?: NodeJS.ProcessEnv;
  extraArgs?: readonly string[];
  /** Runs as another identity (e.g. a ServiceAccount token); the operator user by default. */
  kubeconfig?: string;
  /** Runs this instead of bin/manager (e.g. a container image's entrypoint); see runManager. */
  command?: readonly string[];
}

/** Starts bin/manager (as the operator identity unless told otherwise); resolves once it is ready. */
export async function startOperator(options: OperatorRunOptions): Promise<ManagerRun> {
  const args = [
    `--app-manager-api-url=${options.simulatorUrl}/api`,
    `--kubeconfig=${options.kubeconfig ?? testCluster().operatorKubeconfigPath}`,
    `--operator-namespace=${options.operatorNamespace}`,
    `--resync-period=${options.resyncPeriod ?? '2s'}`,
    '--metrics-addr=127.0.0.1:0',
    '--health-probe-addr=127.0.0.1:0',
    ...(options.watchNamespaces === undefined
      ? []
      : [`--watch-namespace=${options.watchNamespaces.join(',')}`]),
    ...(options.instanceId === undefined ? [] : [`--instance-id=${options.instanceId}`]),
    ...(options.extraArgs ?? []),
  ];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...options.env,
  };
  const run = runManager(args, env, options.command);
  try {
    await waitUntilReady(run);
  } catch (error) {
    run.child.kill('SIGKILL');
    throw new Error(
      `the operator did not become ready:\n${run.stderr.join('')}\n${run.stdout.slice(-30).join('\n')}`,
      { cause: error },
    );
  }
  return run;
}
