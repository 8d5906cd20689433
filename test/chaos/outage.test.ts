// VVP answers nothing but 503 for ten resync periods, then recovers. Meanwhile the CRs say
// PlatformUnavailable, /readyz stays green (no restart storm), and the operator's requests are
// bounded by its backoff per object and by its global rate limit; afterwards all converges,
// including spec changes made during the outage.
import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_RECONCILE_BACKOFF } from '../../src/controller/backoff';
import { eventually } from '../../src/testing/eventually';
import { DEFAULT_RETRY_POLICY } from '../../src/vvp';
import { conditionOf } from '../support/custom-resources';
import { httpStatus, waitUntilReady } from '../support/manager-process';
import { useOperatorTestbed } from '../support/operator-testbed';
import { printFigures } from './support/figures';
import {
  checkInvariants,
  expectCleanVerdict,
  verdictFigures,
  waitForConvergence,
} from './support/invariants';
import {
  countBy,
  idInPath,
  peakRequestsInWindow,
  requestLog,
  requestsBetween,
} from './support/request-log';
import {
  PLURALS,
  adminKube,
  createDeployments,
  createReadyTargets,
  deploymentSpec,
  vvpOf,
} from './support/resources';

const DEPLOYMENTS = 20;
const RESYNC_SECONDS = 2;
const OUTAGE_MS = 20_000;
const REQUESTS_PER_SECOND = 10;
const BURST = 10;

/**
 * The most reconciles one object can start in `ms` of failures with the core's backoff (base
 * doubling from 1 s): attempts at 0, 1, 3, 7, 15 … s, plus one already under way.
 */
function reconcilesWithin(ms: number): number {
  let count = 1;
  let elapsed = 0;
  for (let failures = 0; elapsed <= ms; failures += 1) {
    count += 1;
    elapsed += DEFAULT_RECONCILE_BACKOFF.baseDelayMs * 2 ** failures;
  }
  return count;
}

describe('a VVP outage of several resync periods', () => {
  const bed = useOperatorTestbed({
    appNamespacePrefix: 'chaos-outage',
    watchNamespaces: () => [bed.appNamespace],
    knobs: { transitionMs: 200 },
    operator: {
      resyncPeriod: `${RESYNC_SECONDS}s`,
      extraArgs: [`--vvp-requests-per-second=${REQUESTS_PER_SECOND}`, `--vvp-burst=${BURST}`],
    },
  });

  it('reports PlatformUnavailable, stays ready, backs off within the rate limit, then converges', async () => {
    const kube = adminKube();
    const namespace = bed.appNamespace;
    const target = { name: 'flink', namespace, vvpNamespace: 'default' };
    await createReadyTargets(kube, [target]);
    const names = Array.from({ length: DEPLOYMENTS }, (_, i) => `outage-${i}`);
    await createDeployments(kube, names, target);
    const scope = { kube, vvp: vvpOf(bed), namespaces: [namespace], vvpNamespaces: ['default'] };
    await waitForConvergence(scope, { timeoutMs: 120_000, expectedDeployments: DEPLOYMENTS });
    const probePort = await waitUntilReady(bed.operator);

    bed.simulator.admin.clearRequests();
    const outageStart = Date.now();
    bed.simulator.admin.setKnobs({ outage: true });
    let readyProbes = 0;
    let outageEnd: number;
    try {
      // Spec changes during the outage must land afterwards.
      for (const name of names.slice(0, 5)) {
        await kube.patch(PLURALS.deployment, namespace, name, {
          spec: { spec: deploymentSpec({ parallelism: 3 }) },
        });
      }
      await eventually(
        'every CR to say PlatformUnavailable',
        async () => {
          // The CRs only: VVP answers nobody now.
          const all = [
            ...(await kube.list(PLURALS.target, namespace)),
            ...(await kube.list(PLURALS.deployment, namespace)),
          ];
          return all.every((o) => conditionOf(o, 'Synced')?.reason === 'PlatformUnavailable')
            ? all
            : undefined;
        },
        { timeoutMs: OUTAGE_MS },
      ).then((all) => {
        // Ready says whether the VVP object is usable: an outage does not change what VVP holds.
        expect(all.filter((o) => conditionOf(o, 'Ready')?.status !== 'True')).toEqual([]);
      });
      while (Date.now() - outageStart < OUTAGE_MS) {
        expect(await httpStatus(`http://127.0.0.1:${probePort}/readyz`)).toBe(200);
        readyProbes += 1;
        await sleep(1_000);
      }
    } finally {
      outageEnd = Date.now();
      bed.simulator.admin.setKnobs({ outage: false });
    }
    expect(bed.operator.child.exitCode).toBeNull();

    const during = requestsBetween(requestLog(bed.simulator), outageStart, outageEnd);
    const seconds = (outageEnd - outageStart) / 1000;
    // The global token bucket: at most rate × window + burst in any window.
    const peakPerSecond = peakRequestsInWindow(during, 1_000);
    const peakPer5Seconds = peakRequestsInWindow(during, 5_000);
    expect(peakPerSecond).toBeLessThanOrEqual(REQUESTS_PER_SECOND + BURST);
    expect(peakPer5Seconds).toBeLessThanOrEqual(REQUESTS_PER_SECOND * 5 + BURST);
    expect(during.length).toBeLessThanOrEqual(REQUESTS_PER_SECOND * seconds + BURST);
    // Per object: each reconcile tries a call at most maxAttempts times, and reconciles back off.
    const perObjectBound =
      DEFAULT_RETRY_POLICY.maxAttempts * reconcilesWithin(outageEnd - outageStart);
    const perDeployment = countBy(during, (entry) => idInPath(entry.url, 'deployments'));
    const busiest = perDeployment[0]?.[1] ?? 0;
    expect(busiest).toBeLessThanOrEqual(perObjectBound);
    // A resync-paced retry would reach outage / resync reconciles; the backoff stays below.
    const resyncPaced = DEFAULT_RETRY_POLICY.maxAttempts * Math.floor(seconds / RESYNC_SECONDS);

    const recoveryStart = Date.now();
    const world = await waitForConvergence(scope, {
      timeoutMs: 180_000,
      expectedDeployments: DEPLOYMENTS,
    });
    const verdict = await checkInvariants(world);
    printFigures('outage', {
      'outage s': Math.round(seconds),
      'resync s': RESYNC_SECONDS,
      'requests during outage': during.length,
      'rate-limit bound': Math.floor(REQUESTS_PER_SECOND * seconds + BURST),
      'peak per 1 s': peakPerSecond,
      'busiest deployment requests': busiest,
      'backoff bound per object': perObjectBound,
      'resync-paced equivalent': resyncPaced,
      '/readyz 200 probes': readyProbes,
      'recovered after s': Math.round((Date.now() - recoveryStart) / 1000),
      ...verdictFigures(verdict),
    });
    expectCleanVerdict(verdict);
  }, 300_000);
});
