// The API server restarts under load (etcd keeps the data): every watch of the manager is cut.
// Objects created, changed and deleted while it is down or right after it is back, before the
// manager's watches are re-established, must be reconciled all the same.
import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { restartApiServer } from '../support/cluster';
import { useOperatorTestbed } from '../support/operator-testbed';
import { chaosRandom } from './support/chaos-random';
import { printFigures } from './support/figures';
import {
  checkInvariants,
  expectCleanVerdict,
  verdictFigures,
  waitForConvergence,
} from './support/invariants';
import {
  PLURALS,
  adminKube,
  createDeployments,
  createReadyTargets,
  deploymentManifest,
  deploymentSpec,
  vvpOf,
  type Kube,
} from './support/resources';

const BEFORE = 30;
const DURING = 10;

/** Repeats `write` until the API server takes it (it refuses connections while restarting). */
async function whenReachable(write: () => Promise<void>): Promise<number> {
  for (let failures = 0; ; failures += 1) {
    try {
      await write();
      return failures;
    } catch (error) {
      if (failures > 1_000) throw error;
      await sleep(200);
    }
  }
}

describe('an API server restart under load', () => {
  const bed = useOperatorTestbed({
    appNamespacePrefix: 'chaos-apiserver',
    watchNamespaces: () => [bed.appNamespace],
    knobs: { transitionMs: 200 },
  });

  it('reconciles what changed while the watches were cut', async () => {
    const random = chaosRandom('apiserver');
    const kube: Kube = adminKube();
    const namespace = bed.appNamespace;
    const target = { name: 'flink', namespace, vvpNamespace: 'default' };
    await createReadyTargets(kube, [target]);
    const manifest = (name: string) =>
      deploymentManifest({ name, namespace, target: 'flink', vvpNamespace: 'default' });
    const initial = Array.from({ length: BEFORE }, (_, i) => `cut-${i}`);
    await createDeployments(kube, initial, target);
    const scope = { kube, vvp: vvpOf(bed), namespaces: [namespace], vvpNamespaces: ['default'] };
    await waitForConvergence(scope, { timeoutMs: 120_000, expectedDeployments: BEFORE });

    const shuffled = random.shuffled(initial);
    const changed = shuffled.slice(0, 10);
    const doomed = shuffled.slice(10, 15);
    const added = Array.from({ length: DURING }, (_, i) => `cut-new-${i}`);
    const restartStarted = Date.now();
    const restart = restartApiServer();
    // Give the stop a head start, then write as soon as the server is back.
    await sleep(500);
    let refusals = 0;
    for (const name of changed) {
      refusals += await whenReachable(() =>
        kube.patch(PLURALS.deployment, namespace, name, {
          spec: { spec: deploymentSpec({ parallelism: random.int(2, 4) }) },
        }),
      );
    }
    for (const name of added) {
      refusals += await whenReachable(() =>
        kube.create(PLURALS.deployment, namespace, manifest(name)),
      );
    }
    for (const name of doomed) {
      refusals += await whenReachable(() => kube.remove(PLURALS.deployment, namespace, name));
    }
    await restart;
    const restartSeconds = Math.round((Date.now() - restartStarted) / 1000);

    const world = await waitForConvergence(scope, {
      timeoutMs: 180_000,
      expectedDeployments: BEFORE + DURING - doomed.length,
    });
    const verdict = await checkInvariants(world);
    printFigures('apiserver', {
      seed: random.seed,
      deployments: BEFORE + DURING,
      'changed during the cut': changed.length,
      'created during the cut': added.length,
      'deleted during the cut': doomed.length,
      'writes refused while down': refusals,
      'restart s': restartSeconds,
      ...verdictFigures(verdict),
    });
    expect(bed.operator.child.exitCode).toBeNull();
    expectCleanVerdict(verdict);
    for (const name of changed) {
      const cr = world.deployments.find((d) => d.metadata.name === name);
      expect(cr?.metadata.generation).toBe(2);
    }
  }, 360_000);
});
