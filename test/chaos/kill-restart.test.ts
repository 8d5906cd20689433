// The manager is SIGKILLed at random moments while 200 VpDeployments on four targets (two
// Kubernetes namespaces, two VVP namespaces) are created, changed, savepointed and deleted, and
// restarted each time. Afterwards VVP must hold exactly what the CRs ask: nothing duplicated,
// orphaned, lost or repeated, every mirrored event once, every finalizer resolved.
import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { uniqueNamespace } from '../support/cluster';
import { waitForCustomObject } from '../support/custom-resources';
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
  createReadyTargets,
  createVvpNamespace,
  deploymentManifest,
  deploymentSpec,
  forEachConcurrently,
  savepointManifest,
  type ChaosObject,
  type DeploymentShape,
  type TargetPlacement,
  vvpOf,
} from './support/resources';

const DEPLOYMENTS = 200;
const SECOND_VVP_NAMESPACE = 'chaos-kill';
/** At least this many kills, the last ones while the operator converges after the workload. */
const MIN_KILLS = 10;

type Fate = 'keep' | 'update' | 'suspend' | 'savepoint' | 'nonce' | 'delete' | 'savepoint-delete';

/** Shares of the 200 deployments by what happens to them after their creation. */
const FATES: readonly [Fate, number][] = [
  ['update', 0.25],
  ['suspend', 0.05],
  ['savepoint', 0.15],
  ['nonce', 0.1],
  ['delete', 0.2],
  ['savepoint-delete', 0.05],
  ['keep', 0.2],
];

describe('SIGKILL of the manager at random moments under load', () => {
  let secondNamespace = '';
  const bed = useOperatorTestbed({
    appNamespacePrefix: 'chaos-kill',
    watchNamespaces: () => [bed.appNamespace, secondNamespace],
    knobs: { transitionMs: 200 },
    operator: {
      resyncPeriod: '10s',
      // Every restart reconciles all 200 again: VVP's rate limit must not be what the test measures.
      extraArgs: [
        '--vvp-requests-per-second=400',
        '--vvp-burst=400',
        '--max-concurrent-reconciles=8',
      ],
    },
    beforeStart: async () => {
      secondNamespace = await uniqueNamespace('chaos-kill-b');
      await createVvpNamespace(vvpOf(bed), SECOND_VVP_NAMESPACE);
    },
  });

  it('converges to exactly what the CRs ask after every kill', async () => {
    const random = chaosRandom('kill-restart');
    const kube = adminKube();
    const namespaces = [bed.appNamespace, secondNamespace];
    // VVP target names are unique per VVP namespace: one name per target.
    const targets: TargetPlacement[] = namespaces.flatMap((namespace, index) => [
      { name: `flink-${index}-a`, namespace, vvpNamespace: 'default' },
      { name: `flink-${index}-b`, namespace, vvpNamespace: SECOND_VVP_NAMESPACE },
    ]);
    await createReadyTargets(kube, targets);

    const fateOf = (): Fate => {
      let roll = random.next();
      for (const [fate, share] of FATES) {
        if (roll < share) return fate;
        roll -= share;
      }
      return 'keep';
    };
    const plans = Array.from({ length: DEPLOYMENTS }, (_, index) => {
      const target = random.pick(targets);
      const shape: DeploymentShape = {
        name: `job-${String(index).padStart(3, '0')}`,
        namespace: target.namespace,
        target: target.name,
        vvpNamespace: target.vvpNamespace,
        savepointNonce: 1,
      };
      const fate = fateOf();
      if (fate === 'savepoint-delete') shape.deletionPolicy = 'SavepointThenDelete';
      return { shape, fate };
    });

    // Kills at random moments from the first create until the workload is done and at least
    // MIN_KILLS happened; each restart waits until the new manager is ready.
    const workload = { done: false };
    let kills = 0;
    const killer = (async () => {
      while (!workload.done || kills < MIN_KILLS) {
        await sleep(random.int(1_500, 5_000));
        await bed.restartOperator();
        kills += 1;
      }
    })();

    const started = Date.now();
    try {
      await forEachConcurrently(plans, 8, async ({ shape }) => {
        await kube.create(PLURALS.deployment, shape.namespace, deploymentManifest(shape));
      });
      await forEachConcurrently(random.shuffled(plans), 4, async ({ shape, fate }) => {
        await sleep(random.int(0, 600));
        const { name, namespace } = shape;
        switch (fate) {
          case 'update':
            await kube.patch(PLURALS.deployment, namespace, name, {
              spec: { spec: deploymentSpec({ parallelism: random.int(2, 4) }) },
            });
            break;
          case 'suspend':
            await kube.patch(PLURALS.deployment, namespace, name, {
              spec: { spec: deploymentSpec({ state: 'SUSPENDED' }) },
            });
            break;
          case 'savepoint':
            await kube.create(
              PLURALS.savepoint,
              namespace,
              savepointManifest(`${name}-sp`, namespace, name, shape.vvpNamespace),
            );
            break;
          case 'nonce':
            // Only a change after the operator has seen the first nonce takes a savepoint.
            await waitForCustomObject(
              'its first nonce handled',
              { plural: PLURALS.deployment, name, namespace },
              (o: ChaosObject) => o.status?.handledSavepointNonce === 1,
              180_000,
            );
            await kube.patch(PLURALS.deployment, namespace, name, { spec: { savepointNonce: 2 } });
            break;
          case 'savepoint-delete':
            // Only a running job has state to save.
            await waitForCustomObject(
              'RUNNING',
              { plural: PLURALS.deployment, name, namespace },
              (o: ChaosObject) => o.status?.state === 'RUNNING',
              180_000,
            );
            await kube.remove(PLURALS.deployment, namespace, name);
            break;
          case 'delete':
            await kube.remove(PLURALS.deployment, namespace, name);
            break;
          case 'keep':
            break;
        }
      });
    } finally {
      workload.done = true;
      await killer;
    }

    const workloadSeconds = Math.round((Date.now() - started) / 1000);
    const deleted = plans.filter(({ fate }) => fate === 'delete' || fate === 'savepoint-delete');
    const scope = {
      kube,
      vvp: vvpOf(bed),
      namespaces,
      vvpNamespaces: ['default', SECOND_VVP_NAMESPACE],
    };
    const world = await waitForConvergence(scope, {
      timeoutMs: 180_000,
      expectedDeployments: DEPLOYMENTS - deleted.length,
    });
    const convergedSeconds = Math.round((Date.now() - started) / 1000) - workloadSeconds;
    const verdict = await checkInvariants(world);
    printFigures('kill-restart', {
      seed: random.seed,
      'kills survived': kills,
      deployments: DEPLOYMENTS,
      deleted: deleted.length,
      'savepoints checked': world.savepoints.length,
      'workload s': workloadSeconds,
      'converged after s': convergedSeconds,
      ...verdictFigures(verdict),
    });
    expectCleanVerdict(verdict);
    // Every planned savepoint is there: one per 'savepoint' and 'nonce' deployment, one
    // record per SavepointThenDelete deletion.
    const recorded = plans.filter(({ fate }) =>
      ['savepoint', 'nonce', 'savepoint-delete'].includes(fate),
    );
    expect(world.savepoints).toHaveLength(recorded.length);
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
  }, 420_000);
});
