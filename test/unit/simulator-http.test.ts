import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DEFAULT_SPEC_URL } from '../../src/simulator/contract';
import type { RunningSimulator, StartOptions } from '../../src/simulator';
import { eventually } from '../../src/testing/eventually';
import { call, field, messageOf, startQuietSimulator, type HttpAnswer } from '../support/simulator';

const AM = '/api/v1/namespaces';

const TARGET = { metadata: { name: 'prod' }, spec: { kubernetes: { namespace: 'flink' } } };

function deployment(name: string, state: string, extra: Record<string, unknown> = {}): unknown {
  return {
    metadata: { name, labels: { app: name.toLowerCase().replaceAll(' ', '-') } },
    spec: {
      state,
      deploymentTargetName: 'prod',
      template: {
        spec: { artifact: { kind: 'JAR', jarUri: 's3://jars/app.jar' }, parallelism: 2 },
      },
      ...extra,
    },
  };
}

const items = (answer: HttpAnswer): Record<string, unknown>[] =>
  (field(answer.body, 'items') as Record<string, unknown>[] | undefined) ?? [];

describe('VVP simulator over HTTP', () => {
  let simulator: RunningSimulator;
  const start = async (options: StartOptions = {}): Promise<RunningSimulator> => {
    simulator = await startQuietSimulator({ seed: 42, ...options });
    return simulator;
  };
  const vvp = (
    method: string,
    path: string,
    options: Parameters<typeof call>[3] = {},
  ): Promise<HttpAnswer> => call(simulator.url, method, path, options);

  afterEach(async () => {
    const { response } = simulator.admin.violations();
    await simulator.close();
    expect(response).toBe(0);
  });

  it('runs, suspends, cancels and deletes a deployment, and its events tell the same story', async () => {
    await start({ knobs: { transitionMs: 30 } });
    expect((await vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET })).status).toBe(
      201,
    );
    const created = await vvp('POST', `${AM}/default/deployments`, {
      body: deployment('orders', 'RUNNING'),
    });
    expect(created.status).toBe(201);
    const id = String(field(created.body, 'metadata', 'id'));
    const path = `${AM}/default/deployments/orders`;
    const stateIs = (state: string) => async () => {
      const answer = await vvp('GET', path);
      return field(answer.body, 'status', 'state') === state ? answer : undefined;
    };

    const running = await eventually('deployment RUNNING', stateIs('RUNNING'), {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    const jobId = String(field(running.body, 'status', 'running', 'jobId'));
    const job = await vvp('GET', `${AM}/default/jobs/${jobId}`);
    expect(field(job.body, 'status', 'state')).toBe('STARTED');
    expect(field(job.body, 'metadata', 'deploymentId')).toBe(id);

    expect((await vvp('DELETE', path)).status).toBe(409);

    expect((await vvp('PATCH', path, { body: { spec: { state: 'SUSPENDED' } } })).status).toBe(200);
    await eventually('deployment SUSPENDED', stateIs('SUSPENDED'), {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    const savepoints = items(await vvp('GET', `${AM}/default/savepoints?deploymentId=${id}`));
    expect(
      savepoints.map((s) => [field(s, 'metadata', 'origin'), field(s, 'status', 'state')]),
    ).toEqual([['SUSPEND', 'COMPLETED']]);
    expect(field(savepoints[0], 'metadata', 'jobId')).toBe(jobId);

    expect((await vvp('PATCH', path, { body: { spec: { state: 'CANCELLED' } } })).status).toBe(200);
    await eventually('deployment CANCELLED', stateIs('CANCELLED'), {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    const deleted = await vvp('DELETE', path);
    expect(deleted.status).toBe(200);
    expect((await vvp('GET', path)).status).toBe(404);
    expect(items(await vvp('GET', `${AM}/default/jobs?deploymentId=${id}`))).toEqual([]);

    const events = items(await vvp('GET', `${AM}/default/events?deploymentId=${id}`));
    const story = events.map((e) => field(e, 'metadata', 'name'));
    expect(story).toEqual([
      'STATE_TRANSITION_IS_NEEDED',
      'CREATING_A_NEW_JOB',
      'SPINNING_UP_A_CLUSTER_FOR_A_JOB',
      'AWAITING_A_JOB_TO_START',
      'JOB_SUCCESSFULLY_STARTED',
      'STATE_TRANSITION_IS_COMPLETED',
      'STATE_TRANSITION_IS_NEEDED',
      'CREATING_A_SAVEPOINT_BEFORE_SUSPENSION',
      'AWAITING_SAVEPOINT_COMPLETION_TO_TRANSITION_TO_SUSPENDED',
      'FOUND_A_COMPLETED_SAVEPOINT_READY_FOR_SUSPENSION',
      'FOUND_A_JOB_TO_TERMINATE',
      'AWAITING_A_JOB_TO_TERMINATE',
      'AWAIT_FOR_A_CLUSTER_TO_TEARDOWN',
      'STATE_TRANSITION_IS_COMPLETED',
      'STATE_TRANSITION_IS_NEEDED',
      'STATE_TRANSITION_IS_COMPLETED',
    ]);
    const times = events.map((e) => String(field(e, 'metadata', 'createdAt')));
    expect([...times].sort()).toEqual(times);
    expect(new Set(events.map((e) => field(e, 'metadata', 'id'))).size).toBe(events.length);
  });

  it('refuses to delete a referenced deployment target, then deletes it once unused', async () => {
    await start({ knobs: { transitionMs: 0 } });
    await vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET });
    await vvp('POST', `${AM}/default/deployments`, { body: deployment('orders', 'CANCELLED') });
    const refused = await vvp('DELETE', `${AM}/default/deployment-targets/prod`);
    expect(refused.status).toBe(409);
    expect(messageOf(refused)).toContain("used by deployment(s) 'orders'");
    await vvp('DELETE', `${AM}/default/deployments/orders`);
    expect((await vvp('DELETE', `${AM}/default/deployment-targets/prod`)).status).toBe(200);
  });

  it('terminates a namespace: creates refused while TERMINATING, then 404', async () => {
    await start({ knobs: { transitionMs: 0, namespaceTerminationMs: 60_000 } });
    const created = await vvp('POST', '/namespaces/v1/namespaces', {
      body: { name: 'namespaces/team' },
    });
    expect(created.status).toBe(200);
    expect(field(created.body, 'namespace', 'lifecyclePhase')).toBe('LIFECYCLE_PHASE_ACTIVE');
    await vvp('POST', `${AM}/team/deployment-targets`, { body: TARGET });

    const deleting = await vvp('DELETE', '/namespaces/v1/namespaces/team');
    expect(field(deleting.body, 'namespace', 'lifecyclePhase')).toBe('LIFECYCLE_PHASE_TERMINATING');
    expect(items(await vvp('GET', `${AM}/team/deployment-targets`))).toHaveLength(1);
    const refused = await vvp('POST', `${AM}/team/deployment-targets`, { body: TARGET });
    expect(refused.status).toBe(409);
    expect(messageOf(refused)).toContain('TERMINATING');
    expect(
      (await vvp('POST', '/namespaces/v1/namespaces', { body: { name: 'namespaces/team' } }))
        .status,
    ).toBe(409);

    simulator.admin.advanceClock(60_000);
    expect((await vvp('GET', '/namespaces/v1/namespaces/team')).status).toBe(404);
    expect((await vvp('GET', `${AM}/team/deployments`)).status).toBe(404);
  });

  it('answers contract violations with 400 naming the field, and counts them', async () => {
    await start();
    const bad = await vvp('POST', `${AM}/default/deployments`, {
      body: { metadata: { name: 'x' }, spec: { state: 'STARTED', maxJobCreationAttempts: 'four' } },
    });
    expect(bad.status).toBe(400);
    expect(messageOf(bad)).toContain(
      'spec.state must be equal to one of the allowed values (RUNNING, SUSPENDED, CANCELLED)',
    );
    expect(messageOf(bad)).toContain('spec.maxJobCreationAttempts must be integer');
    const badQuery = await vvp('GET', `${AM}/default/jobs?deploymentId=not-a-uuid`);
    expect(badQuery.status).toBe(400);
    expect(messageOf(badQuery)).toContain('deploymentId');
    expect((await vvp('POST', `${AM}/default/deployments`, { body: '{"metadata":' })).status).toBe(
      400,
    );
    expect(simulator.admin.violations().request).toBe(2);
  });

  it('answers 500 and counts a response that breaks the contract', async () => {
    // A spec in which the liveness answer must carry a field the simulator never sends.
    const spec = parseYaml(await readFile(DEFAULT_SPEC_URL, 'utf8')) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const getStatus = spec.paths['/api/v1/status']?.get;
    if (getStatus === undefined) throw new Error('api-spec has no GET /api/v1/status');
    getStatus.responses['200'] = {
      description: 'stricter than the simulator',
      content: { 'application/json': { schema: { type: 'object', required: ['healthy'] } } },
    };
    const specFile = join(await mkdtemp(join(tmpdir(), 'simulator-spec-')), 'vvp-api.yaml');
    await writeFile(specFile, stringifyYaml(spec));
    await start({ specUrl: pathToFileURL(specFile) });

    const answer = await vvp('GET', '/api/v1/status');
    expect(answer.status).toBe(500);
    expect(messageOf(answer)).toBe('simulator bug: response 200 of getStatus: healthy is required');
    expect(simulator.admin.violations()).toMatchObject({ request: 0, response: 1 });
    simulator.admin.reset(); // the violation was the point of this test
  });

  it('answers unknown paths with 404 and unknown methods with 405', async () => {
    await start();
    expect((await vvp('GET', '/api/v2/whatever')).status).toBe(404);
    const wrongMethod = await vvp('DELETE', '/api/v1/status');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it('speaks YAML on the AppManager API and JSON only on the Platform API', async () => {
    await start();
    const yamlTarget = 'metadata:\n  name: prod\nspec:\n  kubernetes:\n    namespace: flink\n';
    const created = await vvp('POST', `${AM}/default/deployment-targets`, {
      body: yamlTarget,
      headers: { 'content-type': 'application/yaml', accept: 'application/yaml' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toBe('application/yaml');
    expect(field(parseYaml(created.text), 'spec', 'kubernetes', 'namespace')).toBe('flink');
    const platform = await vvp('POST', '/namespaces/v1/namespaces', {
      body: 'name: namespaces/x\n',
      headers: { 'content-type': 'application/yaml' },
    });
    expect(platform.status).toBe(415);
  });

  it('behaves like VVP 2.1 when asked: id paths, no PUT, CANCELLED-only delete', async () => {
    await start({ vvpVersion: '2.1', knobs: { transitionMs: 0 } });
    const info = await vvp('GET', '/api/v1/status/system-info');
    expect(field(info.body, 'status', 'revisionInformation', 'buildVersion')).toBe('2.1.0');
    const target = await vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET });
    const body = deployment('Orders Job', 'SUSPENDED', {
      deploymentTargetName: undefined,
      deploymentTargetId: field(target.body, 'metadata', 'id'),
    });
    const created = await vvp('POST', `${AM}/default/deployments`, { body });
    expect(created.status).toBe(201);
    const id = String(field(created.body, 'metadata', 'id'));
    expect((await vvp('GET', `${AM}/default/deployments/Orders%20Job`)).status).toBe(404);
    const put = await vvp('PUT', `${AM}/default/deployments/${id}`, { body });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, DELETE, PATCH');
    expect((await vvp('DELETE', `${AM}/default/deployments/${id}`)).status).toBe(409);
  });

  it('upserts with PUT on 2.4: 201 then 200, omitted fields back to the defaults', async () => {
    await start({ knobs: { transitionMs: 0 } });
    await vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET });
    const body = deployment('orders', 'CANCELLED', { maxJobCreationAttempts: 9 });
    expect((await vvp('PUT', `${AM}/default/deployments/orders`, { body })).status).toBe(201);
    const replaced = await vvp('PUT', `${AM}/default/deployments/orders`, {
      body: deployment('orders', 'CANCELLED'),
    });
    expect(replaced.status).toBe(200);
    expect(field(replaced.body, 'spec', 'maxJobCreationAttempts')).toBe(4);
    expect(field(replaced.body, 'metadata', 'resourceVersion')).toBe(2);
  });

  it('ignores status on input and bumps resourceVersion on a no-op PATCH', async () => {
    await start({ knobs: { transitionMs: 0 } });
    await vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET });
    const created = await vvp('POST', `${AM}/default/deployments`, {
      body: { ...(deployment('orders', 'CANCELLED') as object), status: { state: 'RUNNING' } },
    });
    expect(field(created.body, 'status', 'state')).toBe('CANCELLED');
    const version = Number(field(created.body, 'metadata', 'resourceVersion'));
    const patched = await vvp('PATCH', `${AM}/default/deployments/orders`, {
      body: { status: { state: 'FAILED' } },
    });
    expect(field(patched.body, 'metadata', 'resourceVersion')).toBe(version + 1);
    expect(field(patched.body, 'status', 'state')).toBe('CANCELLED');
  });

  it('filters deployments by label selector', async () => {
    await start({ knobs: { transitionMs: 0 } });
    await vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET });
    await vvp('POST', `${AM}/default/deployments`, { body: deployment('orders', 'CANCELLED') });
    await vvp('POST', `${AM}/default/deployments`, { body: deployment('payments', 'CANCELLED') });
    const selected = await vvp(
      'GET',
      `${AM}/default/deployments?labelSelector=${encodeURIComponent('app=payments')}`,
    );
    expect(items(selected).map((d) => field(d, 'metadata', 'name'))).toEqual(['payments']);
    expect((await vvp('GET', `${AM}/default/deployments?labelSelector=%3Dx`)).status).toBe(400);
  });
});

describe('VVP simulator auth', () => {
  const ADMIN = 'admin-token-for-tests';
  let simulator: RunningSimulator;
  const vvp = (
    method: string,
    path: string,
    options: Parameters<typeof call>[3] = {},
  ): Promise<HttpAnswer> => call(simulator.url, method, path, options);

  afterEach(async () => {
    await simulator.close();
  });

  it('needs a known token, enforces roles and revokes deleted tokens at once', async () => {
    simulator = await startQuietSimulator({ auth: 'enforced', adminToken: ADMIN });
    expect((await vvp('GET', `${AM}/default/deployments`)).status).toBe(401);
    expect((await vvp('GET', `${AM}/default/deployments`, { token: 'guess' })).status).toBe(401);

    const namespace = await vvp('POST', '/namespaces/v1/namespaces', {
      token: ADMIN,
      body: { name: 'namespaces/team', roleBindings: [{ role: 'owner', members: ['user:admin'] }] },
    });
    expect(namespace.status).toBe(200);

    const created = await vvp('POST', '/apitokens/v1/namespaces/team/apitokens', {
      token: ADMIN,
      body: { name: 'namespaces/team/apitokens/ci', role: 'viewer' },
    });
    expect(created.status).toBe(200);
    const secret = String(field(created.body, 'apiToken', 'secret'));
    expect(secret.length).toBeGreaterThan(20);
    const fetched = await vvp('GET', '/apitokens/v1/namespaces/team/apitokens/ci', {
      token: ADMIN,
    });
    expect(field(fetched.body, 'apiToken', 'name')).toBe('namespaces/team/apitokens/ci');
    expect(field(fetched.body, 'apiToken', 'secret')).toBeUndefined();
    const listed = await vvp('GET', '/apitokens/v1/namespaces/team/apitokens', { token: ADMIN });
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    expect((await vvp('GET', `${AM}/team/deployments`, { token: secret })).status).toBe(200);
    const forbidden = await vvp('POST', `${AM}/team/deployment-targets`, {
      token: secret,
      body: TARGET,
    });
    expect(forbidden.status).toBe(403);
    expect(messageOf(forbidden)).toBe(
      "API token 'namespaces/team/apitokens/ci' (role viewer) may not create DeploymentTarget in namespace 'team'",
    );
    expect((await vvp('GET', `${AM}/default/deployments`, { token: secret })).status).toBe(403);
    expect((await vvp('GET', '/namespaces/v1/namespaces/team', { token: secret })).status).toBe(
      403,
    );

    expect(
      (await vvp('DELETE', '/apitokens/v1/namespaces/team/apitokens/ci', { token: ADMIN })).body,
    ).toEqual({});
    expect((await vvp('GET', `${AM}/team/deployments`, { token: secret })).status).toBe(401);
  });

  it('accepts any or no token in open mode', async () => {
    simulator = await startQuietSimulator({ auth: 'open' });
    expect((await vvp('GET', `${AM}/default/deployments`)).status).toBe(200);
    expect((await vvp('GET', `${AM}/default/deployments`, { token: 'no-op-token' })).status).toBe(
      200,
    );
  });

  it('refuses to start enforced without an admin token', async () => {
    await expect(startQuietSimulator({ auth: 'enforced' })).rejects.toThrow('needs an admin token');
    simulator = await startQuietSimulator();
  });
});

describe('VVP simulator knobs', () => {
  let simulator: RunningSimulator;
  const vvp = (
    method: string,
    path: string,
    options: Parameters<typeof call>[3] = {},
  ): Promise<HttpAnswer> => call(simulator.url, method, path, options);

  afterEach(async () => {
    await simulator.close();
  });

  it('injects status faults per route and method, with Retry-After and a hit budget', async () => {
    simulator = await startQuietSimulator({ seed: 1 });
    const rule = await call(simulator.url, 'POST', '/_simulator/v1/faults', {
      body: {
        method: 'GET',
        path: '/api/v1/namespaces/{namespace}/deployments',
        status: 429,
        retryAfterSeconds: 3,
        remaining: 2,
      },
    });
    expect(rule.status).toBe(201);
    const limited = await vvp('GET', `${AM}/default/deployments`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect((await vvp('GET', `${AM}/default/deployment-targets`)).status).toBe(200);
    expect((await vvp('GET', `${AM}/default/deployments`)).status).toBe(429);
    expect((await vvp('GET', `${AM}/default/deployments`)).status).toBe(200);
    expect(simulator.admin.faults()).toEqual([]);

    const log = simulator.admin.requests().entries;
    expect(log.map((e) => [e.operationId, e.status, e.fault])).toEqual([
      ['listDeployments', 429, true],
      ['listDeploymentTargets', 200, false],
      ['listDeployments', 429, true],
      ['listDeployments', 200, false],
    ]);
  });

  it('hits a seeded share of requests, the same share on every run', async () => {
    const outcomes = async (): Promise<number[]> => {
      simulator = await startQuietSimulator({ seed: 7 });
      simulator.admin.addFault({ path: '*', status: 503, rate: 0.3 });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await vvp('GET', '/api/v1/status')).status);
      await simulator.close();
      return statuses;
    };
    const first = await outcomes();
    const second = await outcomes();
    expect(second).toEqual(first);
    const failures = first.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(4);
    expect(failures).toBeLessThan(24);
    simulator = await startQuietSimulator();
  });

  it('rejects fault rules for paths the API does not have', async () => {
    simulator = await startQuietSimulator();
    const answer = await call(simulator.url, 'POST', '/_simulator/v1/faults', {
      body: { path: '/api/v1/nope', status: 500 },
    });
    expect(answer.status).toBe(400);
    expect(messageOf(answer)).toContain("'/api/v1/nope' is not a path template");
  });

  it('resets connections and delays requests when told to', async () => {
    simulator = await startQuietSimulator();
    simulator.admin.addFault({ path: '/api/v1/status', abort: true, remaining: 1 });
    await expect(vvp('GET', '/api/v1/status')).rejects.toThrow();
    simulator.admin.addFault({ path: '/api/v1/status', delayMs: 200, remaining: 1 });
    const started = Date.now();
    expect((await vvp('GET', '/api/v1/status')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('answers with a raw body when told to: broken JSON, HTML, empty, huge', async () => {
    simulator = await startQuietSimulator();
    const path = `${AM}/{namespace}/deployments/{deploymentIdOrName}`;
    simulator.admin.addFault({ path, body: '{"metadata": {"na', remaining: 1 });
    const truncated = await vvp('GET', `${AM}/default/deployments/orders`);
    expect(truncated.status).toBe(200);
    expect(truncated.text).toBe('{"metadata": {"na');
    simulator.admin.addFault({
      path,
      status: 502,
      body: '<html><body>Bad Gateway</body></html>',
      contentType: 'text/html',
      remaining: 1,
    });
    const html = await vvp('GET', `${AM}/default/deployments/orders`);
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    simulator.admin.addFault({ path, body: '', remaining: 1 });
    expect((await vvp('GET', `${AM}/default/deployments/orders`)).text).toBe('');
    simulator.admin.addFault({ path, body: 'x'.repeat(1024), bodyRepeat: 2048, remaining: 1 });
    expect((await vvp('GET', `${AM}/default/deployments/orders`)).text).toHaveLength(2 * 1024 ** 2);
    expect((await vvp('GET', `${AM}/default/deployments/orders`)).status).toBe(404);
    const admin = simulator.admin;
    expect(() => admin.addFault({ status: 500, bodyRepeat: 2 })).toThrow(/body/);
  });

  it('simulates an outage and added latency through the admin API', async () => {
    simulator = await startQuietSimulator();
    const patched = await call(simulator.url, 'PATCH', '/_simulator/v1/knobs', {
      body: { outage: true },
    });
    expect(field(patched.body, 'outage')).toBe(true);
    expect((await vvp('GET', '/namespaces/v1/namespaces')).status).toBe(503);
    simulator.admin.setKnobs({ outage: false, latencyMs: 150 });
    const started = Date.now();
    expect((await vvp('GET', '/namespaces/v1/namespaces')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const bad = await call(simulator.url, 'PATCH', '/_simulator/v1/knobs', {
      body: { transitionMs: -5 },
    });
    expect(bad.status).toBe(400);
    expect(messageOf(bad)).toContain('transitionMs must be >= 0');
  });

  it('fails savepoints on request and resets to a fresh installation', async () => {
    simulator = await startQuietSimulator({ knobs: { transitionMs: 0 } });
    await vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET });
    const created = await vvp('POST', `${AM}/default/deployments`, {
      body: deployment('orders', 'RUNNING'),
    });
    const id = String(field(created.body, 'metadata', 'id'));
    await call(simulator.url, 'PATCH', '/_simulator/v1/knobs', {
      body: { savepointFailureRate: 1 },
    });
    const savepoint = await vvp('POST', `${AM}/default/savepoints`, {
      body: { metadata: { deploymentId: id } },
    });
    expect(savepoint.status).toBe(201);
    expect(field(savepoint.body, 'status', 'state')).toBe('STARTED');
    const done = await vvp(
      'GET',
      `${AM}/default/savepoints/${String(field(savepoint.body, 'metadata', 'id'))}`,
    );
    expect(field(done.body, 'status', 'state')).toBe('FAILED');
    expect(field(done.body, 'status', 'failure', 'message')).toContain('simulated failure');

    expect((await call(simulator.url, 'POST', '/_simulator/v1/reset')).status).toBe(200);
    expect(simulator.admin.knobs().savepointFailureRate).toBe(0);
    expect(items(await vvp('GET', `${AM}/default/deployments`))).toEqual([]);
    expect(simulator.admin.requests().entries).toHaveLength(1);
  });

  it('fails and finishes jobs through the admin API', async () => {
    simulator = await startQuietSimulator({ knobs: { transitionMs: 0 } });
    await vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET });
    await vvp('POST', `${AM}/default/deployments`, { body: deployment('orders', 'RUNNING') });
    const running = await vvp('GET', `${AM}/default/deployments/orders`);
    const jobId = String(field(running.body, 'status', 'running', 'jobId'));
    const failed = await call(
      simulator.url,
      'POST',
      `/_simulator/v1/namespaces/default/jobs/${jobId}/fail`,
      {
        body: { message: 'TaskManager lost' },
      },
    );
    expect(field(failed.body, 'status', 'state')).toBe('FAILED');
    expect(
      field((await vvp('GET', `${AM}/default/deployments/orders`)).body, 'status', 'state'),
    ).toBe('FAILED');
    const again = await call(
      simulator.url,
      'POST',
      `/_simulator/v1/namespaces/default/jobs/${jobId}/finish`,
    );
    expect(again.status).toBe(409);
  });
});

describe('VVP simulator admin API', () => {
  let simulator: RunningSimulator;
  const admin = (method: string, path: string, body?: unknown): Promise<HttpAnswer> =>
    call(simulator.url, method, `/_simulator/v1${path}`, body === undefined ? {} : { body });

  afterEach(async () => {
    await simulator.close();
  });

  it('lists, removes and clears faults, reads and clears the request log and the counters', async () => {
    simulator = await startQuietSimulator();
    const first = await admin('POST', '/faults', { status: 500, path: '/api/v1/status' });
    await admin('POST', '/faults', { abort: true, method: 'DELETE' });
    expect(field((await admin('GET', '/faults')).body, 'faults')).toHaveLength(2);
    expect((await admin('DELETE', `/faults/${String(field(first.body, 'id'))}`)).status).toBe(200);
    expect((await admin('DELETE', '/faults/999')).status).toBe(404);
    expect((await admin('DELETE', '/faults')).status).toBe(200);
    expect((await admin('GET', '/faults')).body).toEqual({ faults: [] });
    const invalid = await admin('POST', '/faults', { rate: 0.5 });
    expect(invalid.status).toBe(400);
    expect(messageOf(invalid)).toContain(
      'one of status, delayMs, answerDelayMs, abort, failStage or body is required',
    );

    await call(simulator.url, 'GET', '/api/v1/status');
    await call(simulator.url, 'POST', `${AM}/default/deployment-targets`, {
      body: { metadata: 1 },
    });
    expect(field((await admin('GET', '/requests')).body, 'entries')).toHaveLength(2);
    expect((await admin('GET', '/violations')).body).toMatchObject({ request: 1, response: 0 });
    await admin('DELETE', '/requests');
    expect((await admin('GET', '/requests')).body).toEqual({ entries: [], dropped: 0 });

    expect((await admin('GET', '/nothing')).status).toBe(404);
    expect((await admin('PUT', '/knobs')).status).toBe(405);
    expect(
      (await call(simulator.url, 'PATCH', '/_simulator/v1/knobs', { body: '[1' })).status,
    ).toBe(400);
  });

  it('moves simulated time forward so slow transitions complete at once', async () => {
    simulator = await startQuietSimulator({ knobs: { transitionMs: 3_600_000 } });
    const before = Date.parse(String(field((await admin('GET', '/info')).body, 'now')));
    await call(simulator.url, 'POST', `${AM}/default/deployment-targets`, { body: TARGET });
    await call(simulator.url, 'POST', `${AM}/default/deployments`, {
      body: deployment('orders', 'RUNNING'),
    });
    const get = async (): Promise<unknown> =>
      field(
        (await call(simulator.url, 'GET', `${AM}/default/deployments/orders`)).body,
        'status',
        'state',
      );
    expect(await get()).toBe('TRANSITIONING');
    const advanced = await admin('POST', '/clock/advance', { ms: 3_600_000 });
    expect(Date.parse(String(field(advanced.body, 'now'))) - before).toBeGreaterThanOrEqual(
      3_600_000,
    );
    expect(await get()).toBe('RUNNING');
    expect((await admin('POST', '/clock/advance', { ms: -1 })).status).toBe(400);
  });
});
