// The migration path end to end: VVP objects another operator made, our CRs for them with the
// adopt annotation and one new CR. With --dry-run the manager sends no VVP write and reports
// each write it would send as an Event; without it, it adopts the running deployment without
// restarting its job.
import { describe, expect, it } from '@jest/globals';
import { testCluster } from '../support/cluster';
import {
  GROUP,
  VERSION,
  applyManifest as apply,
  conditionOf as condition,
  waitForCustomObject,
  type CustomResource,
} from '../support/custom-resources';
import { kubectl } from '../support/kube-cli';
import { E2E_ADMIN_TOKEN, useOperatorTestbed } from '../support/operator-testbed';
import { field } from '../support/simulator';
import { eventually } from '../../src/testing/eventually';

const INSTANCE = `dry-run-${process.pid}`;
const ADOPT = { 'vpoperator.dev/adopt': 'true' };
const LABELS = { 'vpoperator.dev/instance': INSTANCE };
/** Each call into a VVP namespace goes with the admin token, so no owner token is needed. */
const TOKENS = { APPMANAGER_API_TOKEN: E2E_ADMIN_TOKEN };

interface ObservedObject extends CustomResource {
  status?: CustomResource['status'] & { adopted?: boolean; jobId?: string; lastSyncTime?: string };
}

interface RecordedEvent {
  reason?: string;
  note?: string;
  regarding?: { kind?: string; name?: string };
  series?: { count?: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('--dry-run, then adoption (the migration path)', () => {
  let deploymentId = '';
  let jobId = '';

  const bed = useOperatorTestbed({
    appNamespacePrefix: 'e2e-dry-run',
    instanceId: INSTANCE,
    env: { ...TOKENS, VP_OPERATOR_DRY_RUN: 'true' },
    knobs: { transitionMs: 200 },
    // What "another operator" left in VVP: a namespace, a target, a RUNNING deployment.
    beforeStart: async () => {
      const ns = bed.appNamespace;
      expect(
        (
          await bed.vvp('POST', '/namespaces/v1/namespaces', {
            name: `namespaces/${ns}`,
            roleBindings: [{ role: 'owner', members: ['user:admin'] }],
          })
        ).status,
      ).toBeLessThan(300);
      const target = await bed.vvp('POST', `/api/v1/namespaces/${ns}/deployment-targets`, {
        apiVersion: 'v1',
        kind: 'DeploymentTarget',
        metadata: { name: 'flink', namespace: ns },
        spec: { kubernetes: { namespace: 'flink-jobs' } },
      });
      expect(target.status).toBeLessThan(300);
      const deployment = await bed.vvp('POST', `/api/v1/namespaces/${ns}/deployments`, {
        apiVersion: 'v1',
        kind: 'Deployment',
        metadata: { name: 'orders', namespace: ns },
        spec: {
          ...vvpSpec(),
          deploymentTargetId: field(target.body, 'metadata', 'id'),
        },
      });
      expect(deployment.status).toBeLessThan(300);
      deploymentId = String(field(deployment.body, 'metadata', 'id'));
      await eventually('the foreign deployment RUNNING with a job', async () => {
        const answer = await bed.vvp('GET', `/api/v1/namespaces/${ns}/deployments/${deploymentId}`);
        const running = field(answer.body, 'status', 'running', 'jobId');
        return field(answer.body, 'status', 'state') === 'RUNNING' && typeof running === 'string'
          ? running
          : undefined;
      }).then((id) => {
        jobId = id;
      });
      bed.simulator.admin.clearRequests();
    },
  });

  function vvpSpec(): Record<string, unknown> {
    return {
      state: 'RUNNING',
      upgradeStrategy: { kind: 'STATEFUL' },
      restoreStrategy: { kind: 'LATEST_STATE' },
      template: {
        spec: { artifact: { kind: 'JAR', jarUri: 's3://jobs/orders.jar' }, parallelism: 2 },
      },
    };
  }

  const manifests = (): Record<string, unknown>[] => {
    const ns = bed.appNamespace;
    const metadata = (name: string, annotations: Record<string, string> = ADOPT) => ({
      name,
      namespace: ns,
      labels: LABELS,
      annotations,
    });
    const targetSpec = {
      metadata: { namespace: ns },
      spec: { kubernetes: { namespace: 'flink-jobs' } },
    };
    return [
      {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'VpNamespace',
        metadata: { name: ns, labels: LABELS, annotations: ADOPT },
        spec: { deletionPolicy: 'Orphan' },
      },
      {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'VpDeploymentTarget',
        metadata: metadata('flink'),
        spec: targetSpec,
      },
      {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'VpDeploymentTarget',
        metadata: metadata('flink-new', {}),
        spec: { ...targetSpec, spec: { kubernetes: { namespace: 'flink-new' } } },
      },
      {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'VpDeployment',
        metadata: metadata('orders'),
        spec: {
          deletionPolicy: 'Orphan',
          deploymentTargetRef: { name: 'flink' },
          // The one field that differs from VVP: a label (no job restart when applied).
          metadata: { namespace: ns, labels: { team: 'payments' } },
          spec: vvpSpec(),
        },
      },
    ];
  };

  const waitFor = (plural: string, name: string, test: (object: ObservedObject) => boolean) =>
    waitForCustomObject<ObservedObject>(
      `${plural}/${name}`,
      { plural, name, ...(plural === 'vpnamespaces' ? {} : { namespace: bed.appNamespace }) },
      test,
    );

  async function events(reason: string): Promise<RecordedEvent[]> {
    const listed = JSON.parse(
      await kubectl(testCluster().adminKubeconfigPath, [
        'get',
        'events.events.k8s.io',
        '-n',
        bed.appNamespace,
        '--field-selector',
        `reason=${reason}`,
        '-o',
        'json',
      ]),
    ) as { items: RecordedEvent[] };
    return listed.items;
  }

  async function jobsOfDeployment(): Promise<unknown[]> {
    const answer = await bed.vvp(
      'GET',
      `/api/v1/namespaces/${bed.appNamespace}/jobs?deploymentId=${deploymentId}`,
    );
    const items = field(answer.body, 'items');
    return Array.isArray(items) ? (items as unknown[]) : [];
  }

  it('with --dry-run: no VVP write; WouldCreate and WouldUpdate Events with the fields; Synced=False DryRun', async () => {
    for (const manifest of manifests()) await apply(manifest);

    const orders = await waitFor(
      'vpdeployments',
      'orders',
      (o) => condition(o, 'Synced')?.reason === 'DryRun',
    );
    expect(condition(orders, 'Synced')?.status).toBe('False');
    expect(condition(orders, 'Synced')?.message).toContain('spec.metadata.labels.team');
    expect(orders.status?.id).toBe(deploymentId);
    expect(orders.status?.jobId).toBe(jobId);
    expect(orders.status?.lastSyncTime).toBeUndefined();
    const created = await waitFor(
      'vpdeploymenttargets',
      'flink-new',
      (o) => condition(o, 'Synced')?.reason === 'DryRun',
    );
    expect(condition(created, 'Ready')?.status).toBe('False');
    expect(created.status?.id).toBeUndefined();

    const wouldUpdate = await eventually('the WouldUpdate Event of the deployment', async () =>
      (await events('WouldUpdate')).find((e) => e.regarding?.name === 'orders'),
    );
    expect(wouldUpdate.note).toContain('spec.metadata.labels.team');
    expect(wouldUpdate.note).toContain(
      `PATCH /api/v1/namespaces/${bed.appNamespace}/deployments/${deploymentId}`,
    );
    expect(wouldUpdate.note).toContain('"team":"payments"');
    const wouldCreate = await eventually('the WouldCreate Event of the new target', async () =>
      (await events('WouldCreate')).find((e) => e.regarding?.name === 'flink-new'),
    );
    expect(wouldCreate.note).toContain(
      `POST /api/v1/namespaces/${bed.appNamespace}/deployment-targets`,
    );
    expect(wouldCreate.note).toContain('"namespace":"flink-new"');
    expect((await events('WouldUpdate')).some((e) => e.regarding?.name === 'flink')).toBe(true);

    // Several resync periods (2 s): still no write, and each would-be write is one Event.
    await sleep(7_000);
    expect(bed.vvpWrites().map((entry) => `${entry.method} ${entry.url}`)).toEqual([]);
    const updates = (await events('WouldUpdate')).filter((e) => e.regarding?.name === 'orders');
    // One Event: resyncs that find the same write post nothing (a reconcile working from a
    // cache that lags its own status write may repeat it, which the recorder folds into the
    // Event's series).
    expect(updates).toHaveLength(1);
    expect(await jobsOfDeployment()).toHaveLength(1);
  });

  it('without --dry-run: adopts the RUNNING deployment with zero job restarts and creates the new target', async () => {
    bed.simulator.admin.clearRequests();
    await bed.restartOperator(TOKENS);

    const adopted = await waitFor(
      'vpdeployments',
      'orders',
      (o) => condition(o, 'Synced')?.status === 'True' && condition(o, 'Ready')?.status === 'True',
    );
    expect(adopted.status?.adopted).toBe(true);
    expect(adopted.status?.jobId).toBe(jobId);
    await waitFor(
      'vpdeploymenttargets',
      'flink-new',
      (o) => condition(o, 'Ready')?.status === 'True',
    );

    const inVvp = await bed.vvp(
      'GET',
      `/api/v1/namespaces/${bed.appNamespace}/deployments/${deploymentId}`,
    );
    expect(field(inVvp.body, 'metadata', 'labels', 'team')).toBe('payments');
    expect(field(inVvp.body, 'metadata', 'labels', 'vpoperator.dev/owner-name')).toBe('orders');
    expect(field(inVvp.body, 'status', 'state')).toBe('RUNNING');
    expect(field(inVvp.body, 'status', 'running', 'jobId')).toBe(jobId);
    expect(await jobsOfDeployment()).toHaveLength(1);

    // The deployment got its labels by one merge patch; nothing else touched it.
    const deploymentWrites = bed
      .vvpWrites()
      .filter((entry) => entry.url.includes('/deployments'))
      .map((entry) => `${entry.method} ${entry.url}`);
    expect(deploymentWrites).toEqual([
      `PATCH /api/v1/namespaces/${bed.appNamespace}/deployments/${deploymentId}`,
    ]);
    await sleep(3_000);
    expect(
      field(
        (await bed.vvp('GET', `/api/v1/namespaces/${bed.appNamespace}/deployments/${deploymentId}`))
          .body,
        'status',
        'running',
        'jobId',
      ),
    ).toBe(jobId);
  });
});
