// Jest global teardown of the integration project: stops what global setup started.
import { rm } from 'node:fs/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { TEST_RUN_LABEL } from './cluster-state';
import { currentTestRun, forgetTestRun } from './global-setup';

/** On a shared cluster, remove the namespaces this run created; a local one is discarded whole. */
async function deleteRunNamespaces(adminKubeconfigPath: string, runId: string): Promise<void> {
  const config = new KubeConfig();
  config.loadFromFile(adminKubeconfigPath);
  const core = config.makeApiClient(CoreV1Api);
  const namespaces = await core.listNamespace({ labelSelector: `${TEST_RUN_LABEL}=${runId}` });
  const names = namespaces.items.flatMap((namespace) => namespace.metadata?.name ?? []);
  await Promise.all(names.map((name) => core.deleteNamespace({ name })));
}

export default async function globalTeardown(): Promise<void> {
  const run = currentTestRun();
  if (run === undefined) return;
  forgetTestRun();
  try {
    await run.control.close();
    if (run.state.existingCluster) {
      await deleteRunNamespaces(run.state.adminKubeconfigPath, run.state.runId);
    }
  } finally {
    await run.cluster.stop();
    await rm(run.state.scratchDir, { recursive: true, force: true });
  }
}
