// VVP answers one request in five with a 5xx and holds some for seconds (latency spikes), for
// the whole test: the operator still converges, never crashes, and never hot-loops (requests
// per object stay bounded by its pacing).
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_RETRY_POLICY } from '../../src/vvp';
import { logRecords } from '../support/manager-process';
import { useOperatorTestbed } from '../support/operator-testbed';
import { chaosRandom } from './support/chaos-random';
import { printFigures } from './support/figures';
import {
  checkInvariants,
  expectCleanVerdict,
  verdictFigures,
  waitForConvergence,
} from './support/invariants';
import { countBy, idInPath, requestLog } from './support/request-log';
import {
  PLURALS,
  adminKube,
  createDeployments,
  createReadyTargets,
  deploymentSpec,
  savepointManifest,
  vvpOf,
} from './support/resources';

const DEPLOYMENTS = 20;
const RESYNC_SECONDS = 2;

describe('5xx answers and latency spikes', () => {
  const bed = useOperatorTestbed({
    appNamespacePrefix: 'chaos-faults',
    watchNamespaces: () => [bed.appNamespace],
    knobs: { transitionMs: 200 },
    operator: { resyncPeriod: `${RESYNC_SECONDS}s` },
  });

  it('converges without a crash or a hot loop while 20 % of VVP answers are 5xx', async () => {
    const random = chaosRandom('faults');
    const kube = adminKube();
    const namespace = bed.appNamespace;
    const target = { name: 'flink', namespace, vvpNamespace: 'default' };
    await createReadyTargets(kube, [target]);

    bed.simulator.admin.clearRequests();
    const started = Date.now();
    // Rules are tried in order, each on what the earlier ones let through: 10 % 503, then 7 %
    // 500, then 4 % 502 (about 20 % 5xx in all), and 5 % of the rest held 1.5 s.
    const faults = [
      bed.simulator.admin.addFault({ status: 503, rate: 0.1 }),
      bed.simulator.admin.addFault({ status: 500, rate: 0.07 }),
      bed.simulator.admin.addFault({ status: 502, rate: 0.04 }),
      bed.simulator.admin.addFault({ delayMs: 1_500, rate: 0.05 }),
    ];
    const names = Array.from({ length: DEPLOYMENTS }, (_, i) => `faulty-${i}`);
    try {
      await createDeployments(kube, names, target);
      for (const name of random.shuffled(names).slice(0, 6)) {
        await kube.patch(PLURALS.deployment, namespace, name, {
          spec: { spec: deploymentSpec({ parallelism: random.int(2, 4) }) },
        });
      }
      for (const name of random.shuffled(names).slice(0, 4)) {
        await kube.create(
          PLURALS.savepoint,
          namespace,
          savepointManifest(`${name}-sp`, namespace, name, 'default'),
        );
      }
      const scope = { kube, vvp: vvpOf(bed), namespaces: [namespace], vvpNamespaces: ['default'] };
      const world = await waitForConvergence(scope, {
        timeoutMs: 180_000,
        expectedDeployments: DEPLOYMENTS,
      });
      const elapsedSeconds = (Date.now() - started) / 1000;
      const verdict = await checkInvariants(world);

      const entries = requestLog(bed.simulator);
      const perDeployment = countBy(entries, (entry) => idInPath(entry.url, 'deployments'));
      const busiest = perDeployment[0]?.[1] ?? 0;
      // At most one reconcile per second per object on average (the backoff starts at 1 s, the
      // resync is 2 s, transitions poll every 5 s), each trying a call maxAttempts times: a hot
      // loop would be orders of magnitude above.
      const bound = DEFAULT_RETRY_POLICY.maxAttempts * Math.ceil(elapsedSeconds);
      const injected = entries.filter((entry) => entry.fault && entry.status >= 500).length;
      const delayed = entries.filter((entry) => entry.fault && entry.status < 500).length;
      const panics = logRecords(bed.operator).filter((r) => String(r.msg).includes('panicked'));
      printFigures('faults', {
        seed: random.seed,
        deployments: DEPLOYMENTS,
        'VVP requests': entries.length,
        '5xx injected': injected,
        '5xx share %': Math.round((100 * injected) / Math.max(1, entries.length)),
        'latency spikes': delayed,
        'busiest deployment requests': busiest,
        'per-object bound': bound,
        'converged after s': Math.round(elapsedSeconds),
        ...verdictFigures(verdict),
      });
      expect(bed.operator.child.exitCode).toBeNull();
      expect(bed.operator.child.signalCode).toBeNull();
      expect(panics).toEqual([]);
      expect(busiest).toBeLessThanOrEqual(bound);
      expectCleanVerdict(verdict);
    } finally {
      for (const fault of faults) bed.simulator.admin.removeFault(fault.id);
    }
  }, 300_000);
});
