import { afterEach, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import type { JsonObject } from '../../src/json';
import { createLogger } from '../../src/logging';
import { serveSimulator, Simulator, type RunningSimulator } from '../../src/simulator';

const AM = '/api/v1/namespaces';
const quiet = createLogger({ destination: { write: () => undefined } });

function deploymentBody(name: string, padding = ''): JsonObject {
  return {
    metadata: { name },
    spec: {
      state: 'CANCELLED',
      deploymentTargetName: 'prod',
      template: {
        spec: {
          artifact: { kind: 'JAR', jarUri: 's3://jars/app.jar', mainArgs: padding },
        },
      },
    },
  };
}

describe('VVP simulator at scale', () => {
  let running: RunningSimulator | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('streams long lists in JSON and in YAML alike', async () => {
    const simulator = new Simulator({ seed: 2, logger: quiet, knobs: { transitionMs: 0 } });
    const handle = (method: string, url: string, body: unknown, accept?: string) =>
      simulator.handle({
        method,
        url,
        contentType: 'application/json',
        ...(accept === undefined ? {} : { accept }),
        body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
      });
    await handle('POST', `${AM}/default/deployment-targets`, {
      metadata: { name: 'prod' },
      spec: { kubernetes: {} },
    });
    for (let i = 0; i < 250; i++) {
      await handle('POST', `${AM}/default/deployments`, deploymentBody(`d${i}`));
    }
    const read = async (accept?: string): Promise<string> => {
      const answer = await handle('GET', `${AM}/default/deployments`, undefined, accept);
      if (answer.kind !== 'stream') throw new Error(`expected a streamed list, got ${answer.kind}`);
      let text = '';
      for await (const chunk of answer.body) text += chunk;
      return text;
    };
    const json = JSON.parse(await read()) as { kind: string; items: unknown[] };
    const yaml = parseYaml(await read('application/yaml')) as { kind: string; items: unknown[] };
    expect(json.kind).toBe('DeploymentList');
    expect(json.items).toHaveLength(250);
    expect(yaml).toEqual(json);
  });

  it('answers other requests while it serves a list of 10,000 deployments', async () => {
    const simulator = new Simulator({ seed: 1, logger: quiet, knobs: { transitionMs: 0 } });
    const send = async (method: string, url: string, body?: unknown): Promise<number> => {
      const response = await simulator.handle({
        method,
        url,
        contentType: 'application/json',
        body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
      });
      return response.kind === 'abort' ? 0 : response.status;
    };
    expect(
      await send('POST', `${AM}/default/deployment-targets`, {
        metadata: { name: 'prod' },
        spec: { kubernetes: { namespace: 'flink' } },
      }),
    ).toBe(201);
    // About 3 KB each: a 30 MB answer, more than loopback and client buffers hold.
    const padding = 'x'.repeat(2_000);
    for (let i = 0; i < 10_000; i++) {
      expect(
        await send('POST', `${AM}/default/deployments`, deploymentBody(`d${i}`, padding)),
      ).toBe(201);
    }
    simulator.clearRequests();
    running = await serveSimulator(simulator, { logger: quiet });

    // The list's headers arrive first; its body is not read until /status has been answered.
    const list = await fetch(`${running.url}${AM}/default/deployments`);
    expect(list.status).toBe(200);
    const status = await fetch(`${running.url}/api/v1/status`);
    expect(status.status).toBe(200);
    await status.text();
    const body = JSON.parse(await list.text()) as { items: { metadata: { name: string } }[] };
    expect(body.items).toHaveLength(10_000);
    expect(body.items[9_999]?.metadata.name).toBe('d9999');

    // The request log records a streamed list once its last chunk is out: /status came first.
    expect(simulator.requests().entries.map((e) => e.operationId)).toEqual([
      'getStatus',
      'listDeployments',
    ]);
    expect(simulator.violations()).toMatchObject({ response: 0, internal: 0 });
  }, 120_000);
});
