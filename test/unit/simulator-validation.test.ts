import { afterEach, describe, expect, it } from '@jest/globals';
import type { RunningSimulator, StartOptions } from '../../src/simulator';
import { parseCommandLine } from '../../src/simulator/cli';
import { eventually } from '../../src/testing/eventually';
import { call, field, messageOf, startQuietSimulator, type HttpAnswer } from '../support/simulator';

const AM = '/api/v1/namespaces';

/** A call's arguments after the base URL. */
type Tail<T extends unknown[]> = T extends [unknown, ...infer Rest] ? Rest : never;
const TARGET = { metadata: { name: 'prod' }, spec: { kubernetes: { namespace: 'flink' } } };

function deployment(
  name: string,
  templateSpec: Record<string, unknown> = {},
  spec: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    metadata: { name },
    spec: {
      state: 'CANCELLED',
      deploymentTargetName: 'prod',
      template: {
        spec: { artifact: { kind: 'JAR', jarUri: 's3://jars/app.jar' }, ...templateSpec },
      },
      ...spec,
    },
  };
}

describe('VVP simulator validation', () => {
  let simulator: RunningSimulator;
  const vvp = (...request: Tail<Parameters<typeof call>>): Promise<HttpAnswer> =>
    call(simulator.url, ...request);
  const start = async (options: StartOptions = {}): Promise<void> => {
    simulator = await startQuietSimulator({ knobs: { transitionMs: 0 }, ...options });
    expect((await vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET })).status).toBe(
      201,
    );
  };

  afterEach(async () => {
    const { response } = simulator.admin.violations();
    await simulator.close();
    expect(response).toBe(0);
  });

  it('refuses resources VVP refuses: CPU below 0.1, memory that is no Flink size, parallelism below 1', async () => {
    await start();
    const refusals: [Record<string, unknown>, string][] = [
      [{ resources: { jobmanager: { cpu: 0.05 } } }, 'jobmanager.cpu must be at least 0.1'],
      [{ resources: { taskmanager: { cpu: -1 } } }, 'taskmanager.cpu must be at least 0.1'],
      [
        { resources: { taskmanager: { memory: 'lots' } } },
        "memory 'lots' is not a Flink memory size",
      ],
      [{ resources: { taskmanager: { memory: '1.5g' } } }, 'is not a Flink memory size'],
      [{ parallelism: 0 }, 'parallelism must be an integer of at least 1, got 0'],
      [{ parallelism: -1 }, 'parallelism must be an integer of at least 1, got -1'],
      [{ numberOfTaskManagers: 0 }, 'numberOfTaskManagers must be an integer of at least 1'],
    ];
    for (const [templateSpec, message] of refusals) {
      const answer = await vvp('POST', `${AM}/default/deployments`, {
        body: deployment('orders', templateSpec),
      });
      expect([answer.status, messageOf(answer)]).toEqual([400, expect.stringContaining(message)]);
    }
    const accepted = await vvp('POST', `${AM}/default/deployments`, {
      body: deployment('orders', {
        parallelism: 4,
        numberOfTaskManagers: 2,
        resources: { jobmanager: { cpu: 0.1, memory: '1536m' }, taskmanager: { memory: '2 GB' } },
      }),
    });
    expect(accepted.status).toBe(201);
    const defaults = await vvp('PATCH', `${AM}/default/deployment-defaults`, {
      body: { spec: { template: { spec: { resources: { taskmanager: { cpu: 0 } } } } } },
    });
    expect(defaults.status).toBe(400);
  });

  it('wants spec.kubernetes in a deployment target, with a DNS-label namespace', async () => {
    await start();
    const empty = await vvp('POST', `${AM}/default/deployment-targets`, {
      body: { metadata: { name: 'empty' }, spec: {} },
    });
    expect(empty.status).toBe(400);
    expect(messageOf(empty)).toContain('spec.kubernetes is required');
    const bad = await vvp('POST', `${AM}/default/deployment-targets`, {
      body: { metadata: { name: 'bad' }, spec: { kubernetes: { namespace: 'Flink_Jobs' } } },
    });
    expect(bad.status).toBe(400);
    expect(messageOf(bad)).toContain("spec.kubernetes.namespace 'Flink_Jobs'");
    const upsert = await vvp('PUT', `${AM}/default/deployment-targets/none`, {
      body: { metadata: { name: 'none' } },
    });
    expect(upsert.status).toBe(400);
  });

  it('holds labels to Kubernetes label syntax', async () => {
    await start();
    const labelled = (labels: Record<string, string>): Promise<HttpAnswer> =>
      vvp('POST', `${AM}/default/deployments`, {
        body: { ...deployment('orders'), metadata: { name: 'orders', labels } },
      });
    expect(messageOf(await labelled({ 'team name': 'a' }))).toContain(
      "key 'team name' is not a valid label key",
    );
    expect(messageOf(await labelled({ app: 'x'.repeat(64) }))).toContain(
      'is not a valid label value',
    );
    expect(messageOf(await labelled({ 'Example.com/app': 'a' }))).toContain(
      'not a valid label key',
    );
    expect((await labelled({ 'app.kubernetes.io/name': 'orders', empty: '' })).status).toBe(201);
    const patched = await vvp('PATCH', `${AM}/default/deployments/orders`, {
      body: { metadata: { labels: { app: '-bad-' } } },
    });
    expect(patched.status).toBe(400);
    const target = await vvp('POST', `${AM}/default/deployment-targets`, {
      body: { ...TARGET, metadata: { name: 'other', labels: { 'x/y/z': 'a' } } },
    });
    expect(target.status).toBe(400);
  });

  it('needs savepoint support without Universal Blob Storage: JOB_IS_NOT_CONFIGURED_WITH_SAVEPOINT_SUPPORT', async () => {
    await start({ knobs: { transitionMs: 0, universalBlobStorage: false } });
    const created = await vvp('POST', `${AM}/default/deployments`, {
      body: deployment('orders', {}, { state: 'RUNNING' }),
    });
    const id = String(field(created.body, 'metadata', 'id'));
    await vvp('GET', `${AM}/default/deployments/orders`); // let the job start
    const refused = await vvp('POST', `${AM}/default/savepoints`, {
      body: { metadata: { deploymentId: id } },
    });
    expect(refused.status).toBe(400);
    expect(messageOf(refused)).toContain('JOB_IS_NOT_CONFIGURED_WITH_SAVEPOINT_SUPPORT');
    expect(messageOf(refused)).toContain('state.savepoints.dir');

    await vvp('PATCH', `${AM}/default/deployments/orders`, {
      body: { spec: { state: 'SUSPENDED' } },
    });
    const failed = await vvp('GET', `${AM}/default/deployments/orders`);
    expect(field(failed.body, 'status', 'state')).toBe('FAILED');
    const events = field(
      (await vvp('GET', `${AM}/default/events?deploymentId=${id}`)).body,
      'items',
    );
    expect((events as unknown[]).map((e) => field(e, 'metadata', 'name'))).toContain(
      'JOB_IS_NOT_CONFIGURED_WITH_SAVEPOINT_SUPPORT',
    );

    // With state.savepoints.dir the job can take savepoints, into that directory.
    await vvp('POST', `${AM}/default/deployments`, {
      body: deployment(
        'payments',
        { flinkConfiguration: { 'state.savepoints.dir': 's3://flink/savepoints' } },
        { state: 'RUNNING' },
      ),
    });
    const payments = await vvp('GET', `${AM}/default/deployments/payments`);
    const savepoint = await vvp('POST', `${AM}/default/savepoints`, {
      body: { metadata: { deploymentId: String(field(payments.body, 'metadata', 'id')) } },
    });
    expect(savepoint.status).toBe(201);
    const done = await vvp(
      'GET',
      `${AM}/default/savepoints/${String(field(savepoint.body, 'metadata', 'id'))}`,
    );
    expect(String(field(done.body, 'spec', 'savepointLocation'))).toMatch(
      /^s3:\/\/flink\/savepoints\//,
    );
  });

  it('refuses a stale resourceVersion with 409, unless told to accept it', async () => {
    await start();
    const created = await vvp('POST', `${AM}/default/deployments`, { body: deployment('orders') });
    const version = Number(field(created.body, 'metadata', 'resourceVersion'));
    const current = await vvp('GET', `${AM}/default/deployments/orders`);
    const now = Number(field(current.body, 'metadata', 'resourceVersion'));
    expect(now).toBeGreaterThanOrEqual(version);
    const stale = await vvp('PATCH', `${AM}/default/deployments/orders`, {
      body: { metadata: { resourceVersion: now - 1 }, spec: { state: 'CANCELLED' } },
    });
    expect(stale.status).toBe(409);
    expect(messageOf(stale)).toContain(`has resourceVersion ${now}`);
    const fresh = await vvp('PATCH', `${AM}/default/deployments/orders`, {
      body: { metadata: { resourceVersion: now }, spec: { state: 'CANCELLED' } },
    });
    expect(fresh.status).toBe(200);
    const put = await vvp('PUT', `${AM}/default/deployments/orders`, {
      body: { ...deployment('orders'), metadata: { name: 'orders', resourceVersion: 1 } },
    });
    expect(put.status).toBe(409);
    simulator.admin.setKnobs({ allowStaleResourceVersion: true });
    expect(
      (
        await vvp('PATCH', `${AM}/default/deployments/orders`, {
          body: { metadata: { resourceVersion: 1 } },
        })
      ).status,
    ).toBe(200);
  });

  it('refuses fields the API does not declare, unless told to accept them', async () => {
    await start();
    const unknown = await vvp('POST', `${AM}/default/deployments`, {
      body: deployment('orders', { parallelismm: 2 }),
    });
    expect(unknown.status).toBe(400);
    expect(messageOf(unknown)).toContain(
      'spec.template.spec.parallelismm is not a field of the API',
    );
    // Open Kubernetes shapes pass through whatever they hold.
    const pods = await vvp('POST', `${AM}/default/deployments`, {
      body: deployment('orders', { kubernetes: { pods: { nodeSelector: { zone: 'a' } } } }),
    });
    expect(pods.status).toBe(201);
    const patched = await call(simulator.url, 'PATCH', '/_simulator/v1/knobs', {
      body: { allowUnknownFields: true },
    });
    expect(field(patched.body, 'allowUnknownFields')).toBe(true);
    expect(
      (
        await vvp('POST', `${AM}/default/deployments`, {
          body: deployment('payments', { parallelismm: 2 }),
        })
      ).status,
    ).toBe(201);
  });

  it('keeps the default namespace and wants spec.state, unless told otherwise', async () => {
    await start({ knobs: { transitionMs: 0, namespaceTerminationMs: 0 } });
    const kept = await vvp('DELETE', '/namespaces/v1/namespaces/default');
    expect(kept.status).toBe(409);
    expect(messageOf(kept)).toContain("'default' is the installation's default namespace");
    const stateless = {
      ...deployment('orders'),
      spec: { ...(deployment('orders').spec as object), state: undefined },
    };
    const missing = await vvp('POST', `${AM}/default/deployments`, { body: stateless });
    expect(missing.status).toBe(400);
    expect(messageOf(missing)).toContain('spec.state is required');

    simulator.admin.setKnobs({ allowMissingState: true, allowDefaultNamespaceDeletion: true });
    const defaulted = await vvp('POST', `${AM}/default/deployments`, { body: stateless });
    expect(field(defaulted.body, 'spec', 'state')).toBe('CANCELLED');
    expect((await vvp('DELETE', '/namespaces/v1/namespaces/default')).status).toBe(200);
    await eventually(
      'default namespace gone',
      async () =>
        (await vvp('GET', '/namespaces/v1/namespaces/default')).status === 404 ? true : undefined,
      { timeoutMs: 5_000, intervalMs: 10 },
    );
  });

  it('takes the knobs as flags and environment variables', async () => {
    const parsed = await parseCommandLine(
      ['--universal-blob-storage=false', '--allow-unknown-fields', '--allow-missing-state=true'],
      { VVP_SIMULATOR_ALLOW_STALE_RESOURCE_VERSION: 'true' },
    );
    expect(parsed.kind === 'run' ? parsed.options.knobs : undefined).toMatchObject({
      universalBlobStorage: false,
      allowUnknownFields: true,
      allowMissingState: true,
      allowStaleResourceVersion: true,
      allowDefaultNamespaceDeletion: false,
    });
    simulator = await startQuietSimulator();
  });
});
