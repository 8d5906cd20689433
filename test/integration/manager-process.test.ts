// bin/manager as a real process: the local API server, the VVP simulator, probes, metrics,
// the leader Lease, graceful shutdown, and what its debug logs may never contain.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { startSimulator, type RunningSimulator } from '../../src/simulator';
import { adminKubeConfig, testCluster, uniqueNamespace } from '../support/cluster';
import { eventually } from '../../src/testing/eventually';
import { httpStatus, logRecords, loggedPort, runManager } from '../support/manager-process';
import { installOperatorCrds } from '../support/operator';

describe('bin/manager against the local API server and the VVP simulator', () => {
  let simulator: RunningSimulator;

  beforeAll(async () => {
    simulator = await startSimulator({ auth: 'open' });
    // The manager's controllers are ready only once the caches of their kinds synced.
    await installOperatorCrds();
  });

  afterAll(async () => {
    await simulator.close();
  });

  it('serves probes and metrics, leads through a Lease, hides tokens at debug level and stops on SIGTERM', async () => {
    const namespace = await uniqueNamespace('manager-e2e');
    const leaseName = 'vp-operator-e2e';
    const envToken = `env-token-${randomBytes(16).toString('hex')}`;
    const namespaceToken = `ns-token-${randomBytes(16).toString('hex')}`;
    const fileToken = `file-token-${randomBytes(16).toString('hex')}`;
    const envFile = join(mkdtempSync(join(tmpdir(), 'vp-operator-e2e-')), 'operator.env');
    writeFileSync(envFile, `APPMANAGER_API_TOKEN_FROM_FILE=${fileToken}\n`);

    const run = runManager(
      [
        `--app-manager-api-url=${simulator.url}/api`,
        `--kubeconfig=${testCluster().adminKubeconfigPath}`,
        `--env-file=${envFile}`,
        '--debug',
        '--enable-leader-election',
        `--leader-election-namespace=${namespace}`,
        `--leader-election-id=${leaseName}`,
        '--metrics-addr=127.0.0.1:0',
        '--health-probe-addr=127.0.0.1:0',
      ],
      {
        ...process.env,
        APPMANAGER_API_TOKEN: envToken,
        APPMANAGER_API_TOKEN_TEAM_A: namespaceToken,
      },
    );

    try {
      const metricsPort = await loggedPort(run, 'serving metrics at /metrics');
      const healthProbePort = await loggedPort(
        run,
        'serving health probes at /healthz and /readyz',
      );

      expect(await httpStatus(`http://127.0.0.1:${healthProbePort}/healthz`)).toBe(200);
      await eventually('/readyz to answer 200', async () =>
        (await httpStatus(`http://127.0.0.1:${healthProbePort}/readyz`)) === 200 ? true : undefined,
      );

      const coordination = adminKubeConfig().makeApiClient(CoordinationV1Api);
      const lease = await eventually('the leader Lease to be held', async () => {
        const current = await coordination.readNamespacedLease({ name: leaseName, namespace });
        return current.spec?.holderIdentity ? current : undefined;
      });
      expect(lease.spec?.leaseDurationSeconds).toBe(15);

      const metrics = await eventually('metrics to show leadership and the VVP probe', async () => {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        return text.includes(`leader_election_master_status{name="${leaseName}"} 1`) &&
          text.includes('vvp_api_requests_total{')
          ? text
          : undefined;
      });
      expect(metrics).toContain('process_cpu_seconds_total');
      expect(
        simulator.admin.requests().entries.some((entry) => entry.url.startsWith('/api/v1/status')),
      ).toBe(true);

      run.child.kill('SIGTERM');
      // Exit code 0 also proves the shutdown finished within the manager's 10 s budget.
      expect(await run.exit).toBe(0);

      const released = await coordination.readNamespacedLease({ name: leaseName, namespace });
      expect(released.spec?.holderIdentity ?? '').toBe('');

      const records = logRecords(run);
      expect(records.some((record) => record.level === 20)).toBe(true);
      expect(records.some((record) => record.msg === 'stopped')).toBe(true);
      const tokenVariables = records.find(
        (record) => record.msg === 'VVP API token variables found in the environment',
      );
      expect(tokenVariables?.variables).toEqual(
        expect.arrayContaining([
          'APPMANAGER_API_TOKEN',
          'APPMANAGER_API_TOKEN_TEAM_A',
          'APPMANAGER_API_TOKEN_FROM_FILE',
        ]),
      );
      const everything = run.stdout.join('\n') + run.stderr.join('');
      for (const token of [envToken, namespaceToken, fileToken]) {
        expect(everything).not.toContain(token);
      }
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('exits 2 with one line when the API server cannot be reached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vp-operator-e2e-'));
    const kubeconfig = join(dir, 'unreachable.kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
    const run = runManager(
      [`--app-manager-api-url=${simulator.url}/api`, `--kubeconfig=${kubeconfig}`],
      process.env,
    );
    expect(await run.exit).toBe(2);
    const stderr = run.stderr.join('');
    expect(stderr).toMatch(
      /^vp-operator: cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1 \(.+\): check --kubeconfig/,
    );
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
