import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/logging';
import { ApiContract } from '../../src/simulator/contract';
import type { RunningSimulator } from '../../src/simulator';
import {
  BadRequestError,
  StateConflictError,
  ForbiddenError,
  VvpClient,
  type Deployment,
  type DeploymentTarget,
} from '../../src/vvp';
import { startQuietSimulator } from '../support/simulator';

const ADMIN = 'contract-test-admin-token';
const NS = 'contract';

/**
 * The operator's own client (generated from api-spec/, through the src/vvp wrapper) drives
 * every operation of api-spec/ against the simulator; the simulator checks each response
 * against the same spec and must count no violation.
 */
describe('simulator contract with the generated client', () => {
  let simulator: RunningSimulator;
  let vvp: VvpClient;

  beforeAll(async () => {
    simulator = await startQuietSimulator({
      auth: 'enforced',
      adminToken: ADMIN,
      seed: 3,
      knobs: { transitionMs: 0 },
    });
    vvp = new VvpClient({
      appManagerApiUrl: `${simulator.url}/api`,
      platformApiUrl: simulator.url,
      tokens: { tokenFor: () => Promise.resolve(ADMIN) },
      platformTokens: { platformToken: () => Promise.resolve(ADMIN) },
      logger: createLogger({ destination: { write: () => undefined } }),
      registry: new Registry(),
      retry: { maxAttempts: 1 },
    });
  });

  afterAll(async () => {
    await simulator.close();
  });

  it('serves every operation of api-spec/ without a response violation', async () => {
    expect(await vvp.status().get()).toEqual({ status: 'OK' });
    expect(await vvp.status().capabilities()).toMatchObject({
      buildVersion: '2.4.3',
      upsert: true,
    });
    expect((await vvp.namespaces().list()).map((n) => n.name)).toEqual(['namespaces/default']);
    const namespace = await vvp.namespaces().create({
      name: `namespaces/${NS}`,
      roleBindings: [{ role: 'owner', members: ['user:admin'] }],
    });
    expect(namespace.lifecyclePhase).toBe('LIFECYCLE_PHASE_ACTIVE');
    expect((await vvp.namespaces().get(NS)).name).toBe(`namespaces/${NS}`);
    await vvp.namespaces().update(NS, {
      name: `namespaces/${NS}`,
      roleBindings: [
        { role: 'owner', members: ['user:admin'] },
        { role: 'viewer', members: ['group:readers'] },
      ],
    });

    const tokens = vvp.apiTokens(NS);
    const token = await tokens.create({ name: `namespaces/${NS}/apitokens/ci`, role: 'editor' });
    expect(token.secret).toEqual(expect.any(String));
    expect(await tokens.get('ci')).toEqual({
      name: token.name,
      role: 'editor',
      createTime: token.createTime,
    });
    expect((await tokens.list()).map((t) => t.secret)).toEqual([undefined]);
    await tokens.delete('ci');

    const targets = vvp.deploymentTargets(NS);
    const target: DeploymentTarget = {
      metadata: { name: 'prod' },
      spec: { kubernetes: { namespace: 'flink' } },
    };
    const createdTarget = await targets.create(target);
    expect((await targets.upsert('prod', target)).metadata?.id).toBe(createdTarget.metadata?.id);
    expect(await targets.get('prod')).toMatchObject(target);
    expect(await targets.list()).toHaveLength(1);

    const defaults = vvp.deploymentDefaults(NS);
    expect((await defaults.get()).spec?.upgradeStrategy?.kind).toBe('STATEFUL');
    expect(
      (await defaults.patch({ spec: { maxJobCreationAttempts: 5 } })).spec?.maxJobCreationAttempts,
    ).toBe(5);

    const deployments = vvp.deployments(NS);
    const deployment: Deployment = {
      metadata: { name: 'orders', labels: { team: 'payments' } },
      spec: {
        state: 'RUNNING',
        deploymentTargetId: createdTarget.metadata?.id,
        template: { spec: { artifact: { kind: 'JAR', jarUri: 's3://jars/orders.jar' } } },
      },
    };
    const created = await deployments.create(deployment);
    const id = created.metadata?.id ?? '';
    expect(created.spec?.maxJobCreationAttempts).toBe(5);
    expect(await deployments.list({ labelSelector: 'team=payments' })).toHaveLength(1);
    const running = await deployments.get(id);
    expect(running.status?.state).toBe('RUNNING');
    await deployments.patch(id, { spec: { template: { spec: { parallelism: 2 } } } });
    await deployments.upsert('orders', {
      ...deployment,
      spec: { ...deployment.spec, state: 'RUNNING' },
    });

    const jobs = vvp.jobs(NS);
    const jobList = await jobs.list({ deploymentId: id });
    expect(jobList.length).toBeGreaterThan(0);
    const jobId = (await deployments.get('orders')).status?.running?.jobId ?? '';
    expect((await jobs.get(jobId)).status?.state).toBe('STARTED');

    const savepoints = vvp.savepoints(NS);
    const savepoint = await savepoints.create({ metadata: { deploymentId: id } });
    expect(savepoint.metadata?.origin).toBe('USER_REQUEST');
    expect((await savepoints.get(savepoint.metadata?.id ?? '')).status?.state).toBe('COMPLETED');
    expect((await savepoints.list({ deploymentId: id, jobId })).length).toBeGreaterThan(0);

    const events = await vvp.events(NS).list({ deploymentId: id });
    expect(events.map((e) => e.metadata?.name)).toContain('JOB_SUCCESSFULLY_STARTED');
    expect(await vvp.events(NS).list({ jobId })).not.toHaveLength(0);

    await expect(targets.delete('prod')).rejects.toBeInstanceOf(StateConflictError);
    await deployments.patch(id, { spec: { state: 'CANCELLED' } });
    expect((await deployments.delete(id))?.metadata?.id).toBe(id);
    await targets.delete('prod');
    expect((await vvp.namespaces().delete(NS))?.lifecyclePhase).toBe('LIFECYCLE_PHASE_TERMINATING');

    const served = new Set(
      simulator.admin
        .requests()
        .entries.filter((e) => e.status < 400)
        .map((e) => e.operationId),
    );
    const specified = ApiContract.load().operations.map((operation) => operation.id);
    expect(specified.filter((operationId) => !served.has(operationId))).toEqual([]);
    expect(simulator.admin.violations()).toMatchObject({ request: 0, response: 0 });
  });

  it('answers a request that breaks the contract with 400 naming the field', async () => {
    const broken = {
      metadata: { name: 'broken' },
      spec: { state: 'STARTED' },
    } as unknown as Deployment;
    const error = await vvp
      .deployments('default')
      .create(broken)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).vvpMessage).toBe(
      'invalid request body: spec.state must be equal to one of the allowed values (RUNNING, SUSPENDED, CANCELLED)',
    );
    expect(simulator.admin.violations()).toMatchObject({ request: 1, response: 0 });
  });

  it('maps the role check to ForbiddenError', async () => {
    const viewer = await vvp
      .apiTokens('default')
      .create({ name: 'namespaces/default/apitokens/viewer', role: 'viewer' });
    const asViewer = new VvpClient({
      appManagerApiUrl: `${simulator.url}/api`,
      platformApiUrl: simulator.url,
      tokens: { tokenFor: () => Promise.resolve(viewer.secret) },
      logger: createLogger({ destination: { write: () => undefined } }),
      registry: new Registry(),
      retry: { maxAttempts: 1 },
    });
    expect(await asViewer.deployments('default').list()).toEqual([]);
    await expect(
      asViewer.deploymentTargets('default').create({ metadata: { name: 'x' } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});
