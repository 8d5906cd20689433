// A hostile or broken VVP (or something in front of it): malformed and truncated JSON, wrong
// types, missing metadata, HTML pages, empty and huge answers, the wrong content type and
// answers slower than the client's timeout. bin/manager (the unprivileged identity, at debug
// level) must report each in a condition that says what VVP answered, keep the same process,
// not loop, and recover once VVP answers properly again.
import { describe, expect, it } from '@jest/globals';
import type { FaultRuleInput } from '../../src/simulator/faults';
import {
  conditionOf,
  readCustomObject,
  waitForCustomObject,
  type CustomResource,
} from '../support/custom-resources';
import { E2E_ADMIN_TOKEN, useOperatorTestbed } from '../support/operator-testbed';
import { field } from '../support/simulator';
import { API_VERSION } from './hostile/corpus';
import {
  applyAsAdmin,
  expectNoSecretsLogged,
  expectSameHealthyManager,
  managerIdentity,
  removeCustomResources,
  printFigures,
  requestsPerPath,
  sleep,
} from './hostile/harness';

const DEPLOYMENT_PATH = '/api/v1/namespaces/{namespace}/deployments/{deploymentIdOrName}';
const TARGET_PATH = '/api/v1/namespaces/{namespace}/deployment-targets/{deploymentTargetName}';
const MB = 1024 * 1024;

interface HostileAnswer {
  title: string;
  /** The answer to every read of the deployment while the case lasts. */
  fault: (deploymentId: string) => Omit<FaultRuleInput, 'method' | 'path'>;
  /** The Synced=False reason and message expected; undefined: the answer is fine after all. */
  reported?: { reason: string; message: RegExp };
}

const deploymentJson = (deploymentId: string, overrides: Record<string, unknown>) =>
  JSON.stringify({
    kind: 'Deployment',
    apiVersion: 'v1',
    metadata: { id: deploymentId, name: 'victim', namespace: 'default', resourceVersion: 1 },
    spec: { state: 'CANCELLED' },
    status: { state: 'CANCELLED' },
    ...overrides,
  });

const NOT_JSON = /answered 200 with a body that is not JSON/;

const HOSTILE_ANSWERS: readonly HostileAnswer[] = [
  {
    title: 'truncated JSON',
    fault: (id) => ({ body: deploymentJson(id, {}).slice(0, 60) }),
    reported: { reason: 'ReconcileError', message: NOT_JSON },
  },
  {
    title: 'malformed JSON',
    fault: () => ({ body: "{kind: 'Deployment', metadata: {name: victim,}}" }),
    reported: { reason: 'ReconcileError', message: NOT_JSON },
  },
  {
    title: 'an HTML login page with 200',
    fault: () => ({
      body: '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>…</form></body></html>',
      contentType: 'text/html',
    }),
    reported: {
      reason: 'ReconcileError',
      message: /not JSON: <!DOCTYPE html><html><head><title>Sign in/,
    },
  },
  {
    title: 'an empty 200',
    fault: () => ({ body: '' }),
    reported: { reason: 'ReconcileError', message: /answered 200 without a body/ },
  },
  {
    title: 'a JSON null',
    fault: () => ({ body: 'null' }),
    reported: { reason: 'ReconcileError', message: /answered 200 without a body/ },
  },
  {
    title: 'an HTML 502 page from a gateway',
    fault: () => ({
      status: 502,
      body: '<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>',
      contentType: 'text/html',
    }),
    reported: {
      reason: 'PlatformUnavailable',
      message: /answered 502: <html><body><h1>502 Bad Gateway/,
    },
  },
  {
    title: 'an HTML 500 page',
    fault: () => ({
      status: 500,
      body: '<html><body>Internal Server Error</body></html>',
      contentType: 'text/html',
    }),
    reported: { reason: 'PlatformUnavailable', message: /answered 500: .*Internal Server Error/ },
  },
  {
    title: 'YAML where JSON was asked for',
    fault: () => ({
      body: 'kind: Deployment\nmetadata:\n  name: victim\n',
      contentType: 'application/yaml',
    }),
    reported: { reason: 'ReconcileError', message: NOT_JSON },
  },
  {
    title: 'the state as a number',
    fault: (id) => ({ body: deploymentJson(id, { spec: { state: 7 }, status: { state: 7 } }) }),
    reported: {
      reason: 'ReconcileError',
      message: /answered 200 with an object whose spec\.state is of type number, not string/,
    },
  },
  {
    title: 'no metadata',
    fault: (id) => ({ body: deploymentJson(id, { metadata: undefined }) }),
    reported: {
      reason: 'ReconcileError',
      message: /answered 200 with an object without metadata\./,
    },
  },
  {
    title: 'metadata of the wrong types',
    fault: (id) => ({
      body: deploymentJson(id, { metadata: { id: 42, name: ['victim'], labels: 'none' } }),
    }),
    reported: {
      reason: 'ReconcileError',
      message: /answered 200 with an object whose metadata\.id is of type number, not string/,
    },
  },
  {
    title: 'a JSON array',
    fault: () => ({ body: '[1, 2, 3]' }),
    reported: {
      reason: 'ReconcileError',
      message: /answered 200 with JSON that is not an object \(an array\)/,
    },
  },
  {
    title: 'a 24 MB body that is not JSON',
    fault: () => ({ body: 'x'.repeat(MB), bodyRepeat: 24 }),
    reported: { reason: 'ReconcileError', message: NOT_JSON },
  },
  {
    title: 'a 503 with a 4 MB HTML body',
    fault: () => ({
      status: 503,
      body: `<p>${'busy '.repeat(MB / 5)}</p>`,
      bodyRepeat: 4,
      contentType: 'text/html',
    }),
    reported: { reason: 'PlatformUnavailable', message: /answered 503: <p>busy busy/ },
  },
];

/** Conditions are short: VVP's own words are cut to an excerpt, never copied whole. */
const MAX_MESSAGE_LENGTH = 2_000;
const REQUEST_TIMEOUT_MS = 2_000;

describe('hostile VVP answers', () => {
  const bed = useOperatorTestbed({
    appNamespacePrefix: 'hostile-vvp',
    // A short client timeout (--vvp-request-timeout) so the slow answers take seconds, not a minute.
    operator: { extraArgs: ['--debug', `--vvp-request-timeout=${REQUEST_TIMEOUT_MS / 1000}s`] },
    watchNamespaces: (bed) => [bed.appNamespace],
  });

  const victim = { plural: 'vpdeployments', name: 'victim' };
  const slowTarget = { plural: 'vpdeploymenttargets', name: 'slow-target' };

  it(`reports each of ${HOSTILE_ANSWERS.length + 1} hostile answers, recovers, and never crashes or loops`, async () => {
    const identity = await managerIdentity(bed.operator);
    const namespace = bed.appNamespace;
    for (const name of ['victim-target', slowTarget.name]) {
      expect(
        (
          await applyAsAdmin({
            apiVersion: API_VERSION,
            kind: 'VpDeploymentTarget',
            metadata: { name, namespace },
            spec: { spec: { kubernetes: { namespace: 'flink-victim' } } },
          })
        ).accepted,
      ).toBe(true);
    }
    expect(
      (
        await applyAsAdmin({
          apiVersion: API_VERSION,
          kind: 'VpDeployment',
          metadata: { name: victim.name, namespace },
          spec: {
            deploymentTargetRef: { name: 'victim-target' },
            spec: {
              state: 'CANCELLED',
              template: {
                spec: { artifact: { kind: 'JAR', jarUri: 'https://repo.example.com/v.jar' } },
              },
            },
          },
        })
      ).accepted,
    ).toBe(true);
    const synced = (object: CustomResource) => conditionOf(object, 'Synced')?.status === 'True';
    const ready = await waitForCustomObject('Synced', { ...victim, namespace }, synced);
    await waitForCustomObject('Synced', { ...slowTarget, namespace }, synced);
    const deploymentId = String(ready.status?.id);
    const deploymentPath = `/api/v1/namespaces/default/deployments/${deploymentId}`;
    const byName = `/api/v1/namespaces/default/deployments/${victim.name}`;
    const resourceVersionBefore = field(
      (await bed.vvp('GET', deploymentPath)).body,
      'metadata',
      'resourceVersion',
    );

    // Slower than the client's timeout on every attempt: runs alongside the other cases.
    const slow = bed.simulator.admin.addFault({
      method: 'GET',
      path: TARGET_PATH,
      delayMs: REQUEST_TIMEOUT_MS + 1_000,
    });
    const slowSince = Date.now();

    const problems: string[] = [];
    let busiest = 0;
    for (const hostile of HOSTILE_ANSWERS) {
      bed.simulator.admin.clearRequests();
      const rule = bed.simulator.admin.addFault({
        method: 'GET',
        path: DEPLOYMENT_PATH,
        ...hostile.fault(deploymentId),
      });
      const since = Date.now();
      try {
        const expected = hostile.reported;
        if (expected !== undefined) {
          const reported = await waitForCustomObject(
            hostile.title,
            { ...victim, namespace },
            (object) => conditionOf(object, 'Synced')?.reason === expected.reason,
            20_000,
          );
          const message = conditionOf(reported, 'Synced')?.message ?? '';
          if (!expected.message.test(message) || message.length > MAX_MESSAGE_LENGTH) {
            problems.push(
              `${hostile.title}: ${expected.reason} with an unclear message: ${message.slice(0, 600)}`,
            );
          }
        }
        // A little longer under the same answer: retried with backoff, never in a tight loop.
        await sleep(1_000);
        const reads = requestsPerPath(bed.simulator.admin.requests().entries)
          .filter(([path]) => path === deploymentPath || path === byName)
          .reduce((sum, [, count]) => sum + count, 0);
        busiest = Math.max(busiest, reads);
        // Whatever VVP claimed, the operator had nothing to change in VVP.
        const writes = bed.vvpWrites().map((entry) => `${entry.method} ${entry.url}`);
        if (writes.length > 0) problems.push(`${hostile.title}: VVP writes ${writes.join(', ')}`);
        const seconds = (Date.now() - since) / 1000;
        // Four attempts per call, one call per resync period (2 s) or backoff step at most.
        if (reads > 4 * (seconds / 2 + 2)) {
          problems.push(`${hostile.title}: ${reads} reads in ${seconds.toFixed(1)} s`);
        }
      } catch (error) {
        const seen = await readCustomObject(victim.plural, victim.name, namespace);
        problems.push(
          `${hostile.title}: ${String(error).slice(0, 200)}; Synced: ${JSON.stringify(conditionOf(seen, 'Synced'))}`,
        );
      } finally {
        bed.simulator.admin.removeFault(rule.id);
      }
      await waitForCustomObject(`${hostile.title}: recovered`, { ...victim, namespace }, synced);
    }

    // The slow target: every attempt timed out, reported as VVP being unavailable.
    const slowReported = await waitForCustomObject(
      'the slow answers reported',
      { ...slowTarget, namespace },
      (object) => conditionOf(object, 'Synced')?.reason === 'PlatformUnavailable',
      90_000,
    );
    expect(conditionOf(slowReported, 'Synced')?.message).toContain(
      `got no answer within ${REQUEST_TIMEOUT_MS} ms`,
    );
    const slowSeconds = (Date.now() - slowSince) / 1000;
    bed.simulator.admin.removeFault(slow.id);
    await waitForCustomObject(
      'the slow target recovered',
      { ...slowTarget, namespace },
      synced,
      60_000,
    );

    expect(problems).toEqual([]);
    await expectSameHealthyManager(bed, identity);
    // The deployment is still the one it was: no hostile answer made the operator write to it.
    const after = await bed.vvp('GET', deploymentPath);
    expect(field(after.body, 'metadata', 'resourceVersion')).toBe(resourceVersionBefore);
    const lines = expectNoSecretsLogged(bed.operator, [E2E_ADMIN_TOKEN]);
    printFigures('hostile VVP answers', {
      'hostile answers tried': HOSTILE_ANSWERS.length + 1,
      'manager restarts': 0,
      'most reads of the deployment during one case': busiest,
      'slow answers reported after (s)': Math.round(slowSeconds),
      'log lines checked for secrets': lines,
    });
    await removeCustomResources(bed.appNamespace);
  }, 300_000);
});
