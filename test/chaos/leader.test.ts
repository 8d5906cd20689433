// Two managers with leader election under load; the leader is SIGKILLed. Each manager logs
// every VVP request it makes (debug level), so the logs attribute every call: the standby makes
// none while the leader lives, the new leader's calls all come after the old leader's last, and
// it takes over within 20 s of the kill. Afterwards VVP holds what the CRs ask.
import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { killManager, logRecords, type ManagerRun } from '../support/manager-process';
import { startOperator } from '../support/operator';
import { E2E_ADMIN_TOKEN, useOperatorTestbed } from '../support/operator-testbed';
import { eventually } from '../../src/testing/eventually';
import { chaosRandom } from './support/chaos-random';
import { printFigures } from './support/figures';
import {
  checkInvariants,
  expectCleanVerdict,
  verdictFigures,
  waitForConvergence,
} from './support/invariants';
import { idInPath } from './support/request-log';
import {
  PLURALS,
  adminKube,
  createDeployments,
  createReadyTargets,
  deploymentSpec,
  vvpOf,
} from './support/resources';

const DEPLOYMENTS = 40;
const TAKEOVER_BOUND_MS = 20_000;

interface VvpCallRecord {
  at: number;
  path: string;
}

/**
 * The VVP requests a manager logged for reconciles, with their times: those about objects in
 * a VVP namespace (not the version probe every manager makes at start, leader or not).
 */
function vvpCalls(run: ManagerRun): VvpCallRecord[] {
  return logRecords(run)
    .filter(
      (record) =>
        record.msg === 'VVP request' &&
        typeof record.path === 'string' &&
        record.path.includes('/namespaces/'),
    )
    .map((record) => ({ at: Date.parse(String(record.time)), path: String(record.path) }));
}

function loggedAt(run: ManagerRun, message: string): number | undefined {
  const record = logRecords(run).find((r) => r.msg === message);
  return record === undefined ? undefined : Date.parse(String(record.time));
}

describe('leader failover with two managers under load', () => {
  const bed = useOperatorTestbed({
    appNamespacePrefix: 'chaos-leader',
    watchNamespaces: () => [bed.appNamespace],
    knobs: { transitionMs: 200 },
  });

  it('never lets both reconcile, and the standby takes over within 20 s of a SIGKILL', async () => {
    const random = chaosRandom('leader');
    const kube = adminKube();
    const namespace = bed.appNamespace;
    const target = { name: 'flink', namespace, vvpNamespace: 'default' };
    await createReadyTargets(kube, [target]);
    // This test runs its own pair of managers, both electing through one Lease.
    await killManager(bed.operator);
    const start = () =>
      startOperator({
        simulatorUrl: bed.simulator.url,
        operatorNamespace: bed.operatorNamespace,
        watchNamespaces: [bed.appNamespace],
        env: { PLATFORM_API_TOKEN: E2E_ADMIN_TOKEN },
        extraArgs: [
          '--debug',
          '--enable-leader-election',
          `--leader-election-namespace=${bed.operatorNamespace}`,
          '--leader-election-id=vp-operator-chaos',
        ],
      });
    const first = await start();
    const managers = [first];
    try {
      await eventually('the first manager to lead', () =>
        Promise.resolve(loggedAt(first, 'acquired leadership')),
      );
      const second = await start();
      managers.push(second);
      const names = Array.from({ length: DEPLOYMENTS }, (_, i) => `led-${i}`);
      await createDeployments(kube, names, target);
      // Kill the leader in the middle of its work.
      await sleep(random.int(2_000, 6_000));
      const standbyCallsBeforeKill = vvpCalls(second).length;
      const killedAt = Date.now();
      await killManager(first);
      // Changes while nobody leads must be picked up by the new leader.
      for (const name of random.shuffled(names).slice(0, DEPLOYMENTS / 2)) {
        await kube.patch(PLURALS.deployment, namespace, name, {
          spec: { spec: deploymentSpec({ parallelism: random.int(2, 4) }) },
        });
      }
      const acquiredAt = await eventually(
        'the standby to take over',
        () => Promise.resolve(loggedAt(second, 'acquired leadership')),
        { timeoutMs: 60_000 },
      );

      const scope = { kube, vvp: vvpOf(bed), namespaces: [namespace], vvpNamespaces: ['default'] };
      const world = await waitForConvergence(scope, {
        timeoutMs: 180_000,
        expectedDeployments: DEPLOYMENTS,
      });
      const verdict = await checkInvariants(world);

      const oldLeader = vvpCalls(first);
      const newLeader = vvpCalls(second);
      const oldLast = Math.max(...oldLeader.map((call) => call.at));
      const newFirst = Math.min(...newLeader.map((call) => call.at));
      const objectsOf = (calls: VvpCallRecord[]) =>
        new Set(calls.flatMap((call) => idInPath(call.path, 'deployments') ?? []));
      const byBoth = [...objectsOf(oldLeader)].filter((id) => objectsOf(newLeader).has(id));
      const takeoverMs = acquiredAt - killedAt;
      printFigures('leader', {
        seed: random.seed,
        deployments: DEPLOYMENTS,
        'old leader VVP calls': oldLeader.length,
        'standby VVP calls before the kill': standbyCallsBeforeKill,
        'new leader VVP calls': newLeader.length,
        'objects handled by both, one after the other': byBoth.length,
        'overlapping calls': newLeader.filter((call) => call.at <= oldLast).length,
        'takeover ms': takeoverMs,
        ...verdictFigures(verdict),
      });
      expect(oldLeader.length).toBeGreaterThan(0);
      expect(standbyCallsBeforeKill).toBe(0);
      // No object reconciled by both at once: every call of the new leader follows the last
      // call of the old one (which is dead by then).
      expect(newFirst).toBeGreaterThan(oldLast);
      expect(acquiredAt).toBeGreaterThan(killedAt);
      expect(takeoverMs).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
      expectCleanVerdict(verdict);
    } finally {
      for (const run of managers) await killManager(run);
    }
  }, 300_000);
});
