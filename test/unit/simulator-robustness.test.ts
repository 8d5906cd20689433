import { afterEach, describe, expect, it } from '@jest/globals';
import { PIPELINE_STAGES, type RunningSimulator } from '../../src/simulator';
import { call, field, messageOf, startQuietSimulator, type HttpAnswer } from '../support/simulator';

const AM = '/api/v1/namespaces';

/** A call's arguments after the base URL. */
type Tail<T extends unknown[]> = T extends [unknown, ...infer Rest] ? Rest : never;
const DEPLOYMENTS = '/api/v1/namespaces/{namespace}/deployments';
const DEPLOYMENT = '/api/v1/namespaces/{namespace}/deployments/{deploymentIdOrName}';
const TARGET = { metadata: { name: 'prod' }, spec: { kubernetes: { namespace: 'flink' } } };

/** JSON text of `levels` objects nested inside each other (built as text: too deep to stringify). */
function nest(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

/**
 * A deployment whose open pod affinity holds `affinityLevels` nested objects; the body then
 * nests 6 + affinityLevels levels (root, spec, template, spec, kubernetes, pods).
 */
function deepDeployment(name: string, affinityLevels: number): string {
  const artifact = JSON.stringify({ kind: 'JAR', jarUri: 's3://jars/app.jar' });
  return (
    `{"metadata":{"name":"${name}"},"spec":{"state":"CANCELLED","deploymentTargetName":"prod",` +
    `"template":{"spec":{"artifact":${artifact},"kubernetes":{"pods":{"affinity":${nest(affinityLevels)}}}}}}}`
  );
}

describe('VVP simulator robustness', () => {
  let simulator: RunningSimulator;
  const vvp = (...request: Tail<Parameters<typeof call>>): Promise<HttpAnswer> =>
    call(simulator.url, ...request);

  /** Everything a client can read of the default namespace. */
  const snapshot = async (): Promise<unknown[]> =>
    Promise.all(
      ['deployments', 'deployment-targets', 'jobs', 'savepoints', 'events'].map(
        async (kind) => (await vvp('GET', `${AM}/default/${kind}`)).body,
      ),
    );

  afterEach(async () => {
    await simulator.close();
  });

  it('refuses a body nested beyond 1,000 levels with 400 naming the limit, and stores nothing', async () => {
    simulator = await startQuietSimulator({ knobs: { transitionMs: 0 } });
    await vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET });
    const before = await snapshot();

    const tooDeep = await vvp('POST', `${AM}/default/deployments`, {
      body: deepDeployment('deep', 5_000),
    });
    expect(tooDeep.status).toBe(400);
    expect(messageOf(tooDeep)).toContain('deeper than 1000 levels');
    expect(await snapshot()).toEqual(before);
    expect((await vvp('GET', `${AM}/default/deployments/deep`)).status).toBe(404);

    const yaml = `${Array.from({ length: 1_200 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} 1\n`;
    const tooDeepYaml = await vvp('POST', `${AM}/default/deployments`, {
      body: yaml,
      headers: { 'content-type': 'application/yaml' },
    });
    expect(tooDeepYaml.status).toBe(400);
    expect(messageOf(tooDeepYaml)).toContain('deeper than 1000 levels');

    // Exactly at the limit: stored, readable, listable and deletable.
    const atLimit = await vvp('POST', `${AM}/default/deployments`, {
      body: deepDeployment('deep', 994),
    });
    expect(atLimit.status).toBe(201);
    expect((await vvp('GET', `${AM}/default/deployments/deep`)).status).toBe(200);
    expect((await vvp('GET', `${AM}/default/deployments`)).status).toBe(200);
    const stored = await vvp('GET', `${AM}/default/deployments/deep`);

    const deeperPatch = await vvp('PATCH', `${AM}/default/deployments/deep`, {
      body: `{"spec":{"template":{"spec":{"kubernetes":{"pods":{"affinity":${nest(5_000)}}}}}}}`,
    });
    expect(deeperPatch.status).toBe(400);
    expect((await vvp('GET', `${AM}/default/deployments/deep`)).body).toEqual(stored.body);
    expect((await vvp('DELETE', `${AM}/default/deployments/deep`)).status).toBe(200);
    expect(simulator.admin.violations()).toMatchObject({ response: 0, internal: 0 });
  });

  it.each(PIPELINE_STAGES)(
    'answers 500 for a failure in stage %s, counts it, and leaves the store unchanged',
    async (stage) => {
      simulator = await startQuietSimulator({ seed: 5, knobs: { transitionMs: 0 } });
      await vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET });
      const created = await vvp('POST', `${AM}/default/deployments`, {
        body: {
          metadata: { name: 'orders', labels: { app: 'orders' } },
          spec: {
            state: 'RUNNING',
            deploymentTargetName: 'prod',
            template: { spec: { artifact: { kind: 'JAR', jarUri: 's3://jars/app.jar' } } },
          },
        },
      });
      expect(created.status).toBe(201);
      const before = await snapshot();

      simulator.admin.addFault({ method: 'PATCH', path: DEPLOYMENT, failStage: stage });
      const patched = await vvp('PATCH', `${AM}/default/deployments/orders`, {
        body: {
          metadata: { labels: { app: 'changed' } },
          spec: { state: 'SUSPENDED', template: { spec: { parallelism: 7 } } },
        },
      });
      expect(patched.status).toBe(500);
      expect(messageOf(patched)).toContain(`internal simulator error in ${stage}`);
      expect(await snapshot()).toEqual(before);

      // A create that fails leaves no trace either: the same name can be created afterwards.
      simulator.admin.addFault({ method: 'POST', path: DEPLOYMENTS, failStage: stage });
      const body = {
        metadata: { name: 'payments' },
        spec: {
          state: 'CANCELLED',
          deploymentTargetName: 'prod',
          template: { spec: { artifact: { kind: 'JAR', jarUri: 's3://jars/app.jar' } } },
        },
      };
      expect((await vvp('POST', `${AM}/default/deployments`, { body })).status).toBe(500);
      expect(await snapshot()).toEqual(before);
      simulator.admin.clearFaults();
      expect((await vvp('POST', `${AM}/default/deployments`, { body })).status).toBe(201);

      const counted = await call(simulator.url, 'GET', '/_simulator/v1/violations');
      expect(counted.body).toMatchObject({ internal: 2, response: 2 });
      expect(field(counted.body, 'recent', '0', 'kind')).toBe('internal');
    },
  );

  it('rolls a refused write back whole', async () => {
    simulator = await startQuietSimulator({ knobs: { transitionMs: 0 } });
    await vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET });
    const before = await snapshot();
    const refused = await vvp('POST', `${AM}/default/deployments`, {
      body: {
        metadata: { name: 'orders', labels: { 'not a key': 'x' } },
        spec: {
          state: 'RUNNING',
          deploymentTargetName: 'prod',
          template: { spec: { artifact: { kind: 'JAR', jarUri: 's3://jars/app.jar' } } },
        },
      },
    });
    expect(refused.status).toBe(400);
    expect(await snapshot()).toEqual(before);
    expect(simulator.admin.violations()).toMatchObject({ response: 0, internal: 0 });
  });
  it('applies a create at once but holds its answer for answerDelayMs (the window a crashing client loses)', async () => {
    simulator = await startQuietSimulator();
    simulator.admin.addFault({
      method: 'POST',
      path: '/api/v1/namespaces/{namespace}/deployment-targets',
      answerDelayMs: 2_000,
      remaining: 1,
    });
    let answered = false;
    const create = vvp('POST', `${AM}/default/deployment-targets`, { body: TARGET }).then(
      (answer) => {
        answered = true;
        return answer;
      },
    );
    let visible = await vvp('GET', `${AM}/default/deployment-targets/prod`);
    while (visible.status === 404) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      visible = await vvp('GET', `${AM}/default/deployment-targets/prod`);
    }
    expect(visible.status).toBe(200);
    expect(answered).toBe(false);
    const answer = await create;
    expect(answer.status).toBe(201);
    expect(field(answer.body, 'metadata', 'id')).toBe(field(visible.body, 'metadata', 'id'));
  });
});
