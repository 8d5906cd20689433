import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import { adminKubeConfig, testCluster, uniqueNamespace } from '../support/cluster';
import { eventually } from '../../src/testing/eventually';
import { Widgets, grantCoreRbac, installWidgetCrd } from './controller-helpers';

const REPO = new URL('../..', import.meta.url).pathname;
const NODE = join(REPO, 'node_modules/.bin/node');
const FIXTURE = join(REPO, 'test/fixtures/leader-process.ts');
const LEASE = 'widget-controller';

interface ReconcileRecord {
  identity: string;
  event: 'start' | 'end';
  name: string;
  at: number;
}

interface Interval {
  identity: string;
  start: number;
  end: number;
}

describe('leader election across manager processes', () => {
  let namespace: string;
  let dir: string;
  const children = new Map<string, ChildProcess>();

  beforeAll(async () => {
    await installWidgetCrd();
    await grantCoreRbac();
    namespace = await uniqueNamespace('ctrl-leader');
    const widgets = new Widgets(namespace);
    await widgets.create('w1');
    await widgets.create('w2');
    dir = mkdtempSync(join(tmpdir(), 'vp-operator-leader-'));
  });

  afterAll(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  });

  function launch(identity: string): ChildProcess {
    const log = openSync(join(dir, `${identity}.log`), 'a');
    const child = spawn(
      NODE,
      [
        '--import',
        'tsx',
        FIXTURE,
        testCluster().operatorKubeconfigPath,
        namespace,
        LEASE,
        identity,
        recordFile(identity),
      ],
      { cwd: REPO, stdio: ['ignore', log, log] },
    );
    children.set(identity, child);
    return child;
  }

  function recordFile(identity: string): string {
    return join(dir, `${identity}.records`);
  }

  function records(identity: string): ReconcileRecord[] {
    const path = recordFile(identity);
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as ReconcileRecord);
  }

  /** Reconcile intervals of `identity`; one still open when the process died ends at `diedAt`. */
  function intervals(identity: string, diedAt = Number.POSITIVE_INFINITY): Interval[] {
    const open = new Map<string, number>();
    const result: Interval[] = [];
    for (const entry of records(identity)) {
      if (entry.event === 'start') open.set(entry.name, entry.at);
      else {
        result.push({ identity, start: open.get(entry.name) ?? entry.at, end: entry.at });
        open.delete(entry.name);
      }
    }
    for (const start of open.values()) result.push({ identity, start, end: diedAt });
    return result;
  }

  function overlapsBetween(a: Interval[], b: Interval[]): [Interval, Interval][] {
    return a.flatMap((x) =>
      b.filter((y) => x.start < y.end && y.start < x.end).map((y): [Interval, Interval] => [x, y]),
    );
  }

  function log(identity: string): string {
    const path = join(dir, `${identity}.log`);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  function exited(child: ChildProcess): Promise<number | null> {
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else
        child.once('exit', (code) => {
          resolve(code);
        });
    });
  }

  async function holder(): Promise<string | undefined> {
    const lease = await adminKubeConfig()
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: LEASE, namespace });
    return lease.spec?.holderIdentity;
  }

  it('never lets two processes reconcile at once; a standby takes over within 20 s of SIGKILL, at once after a graceful stop, and a leader whose lease is taken exits 1', async () => {
    const first = launch('first');
    await eventually('the first process to lead and reconcile', () =>
      Promise.resolve(records('first').some((r) => r.event === 'start') ? true : undefined),
    );
    const second = launch('second');
    await eventually('the second process to wait as a standby', () =>
      Promise.resolve(log('second').includes('waiting for leadership') ? true : undefined),
    );
    // A few renewals later the standby still has not reconciled anything.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(records('second')).toEqual([]);
    expect(await holder()).toBe('first');

    const killedAt = Date.now();
    first.kill('SIGKILL');
    await exited(first);
    const takeover = await eventually(
      'the standby to take over',
      () => Promise.resolve(records('second').find((r) => r.event === 'start')?.at),
      { timeoutMs: 40_000, intervalMs: 100 },
    );
    expect(takeover - killedAt).toBeLessThan(20_000);
    expect(await holder()).toBe('second');
    expect(overlapsBetween(intervals('first', killedAt), intervals('second'))).toEqual([]);

    const third = launch('third');
    await eventually('the third process to wait as a standby', () =>
      Promise.resolve(log('third').includes('waiting for leadership') ? true : undefined),
    );
    const stoppedAt = Date.now();
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
    expect(log('second')).toContain('released leadership');
    const handover = await eventually(
      'the third process to take over',
      () => Promise.resolve(records('third').find((r) => r.event === 'start')?.at),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    // Released, not expired: one retry period (2 s) instead of the 15 s lease duration.
    expect(handover - stoppedAt).toBeLessThan(8_000);
    expect(overlapsBetween(intervals('second'), intervals('third'))).toEqual([]);
    // The graceful stop let the in-flight reconcile finish: every start of 'second' has its end.
    expect(intervals('second').every((interval) => Number.isFinite(interval.end))).toBe(true);

    // Another holder takes the lease (as after a network partition): the leader stops at once
    // and exits non-zero so that Kubernetes restarts it as a standby.
    const leases = adminKubeConfig().makeApiClient(CoordinationV1Api);
    const lease = await leases.readNamespacedLease({ name: LEASE, namespace });
    const takenAt = Date.now();
    const spec = lease.spec;
    if (spec === undefined) throw new Error(`lease ${LEASE} has no spec`);
    spec.holderIdentity = 'intruder';
    spec.renewTime = new V1MicroTime();
    await leases.replaceNamespacedLease({ name: LEASE, namespace, body: lease });
    expect(await exited(third)).toBe(1);
    expect(log('third')).toContain('leadership lost: lease taken by another holder');
    const lastReconcile = Math.max(...intervals('third').map((interval) => interval.start));
    // No reconcile started later than one renew cycle (2 s, plus slack) after the lease was taken.
    expect(lastReconcile - takenAt).toBeLessThan(4_000);
  });
});
