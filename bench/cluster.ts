// The benchmark runs on the same local control plane as the integration tests, started by the
// same code: inside Jest (the smoke test) the one global setup started, otherwise its own.
import { CLUSTER_STATE_ENV } from '../test/support/cluster-state';
import { installOperatorCrds } from '../test/support/operator';
import globalSetup from '../test/support/global-setup';
import globalTeardown from '../test/support/global-teardown';

/** Runs `work` with a test cluster and the operator's CRDs installed. */
export async function withTestCluster<T>(work: () => Promise<T>): Promise<T> {
  const own = process.env[CLUSTER_STATE_ENV] === undefined;
  if (own) await globalSetup();
  try {
    await installOperatorCrds();
    return await work();
  } finally {
    if (own) await globalTeardown();
  }
}
