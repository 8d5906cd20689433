import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import nock from 'nock';
import { Registry } from 'prom-client';
import { createLogger, type Logger } from '../logging';
import { USER_AGENT } from '../version';
import {
  BadRequestError,
  StateConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  RequestLimiter,
  VvpCallAbortedError,
  VvpClient,
  VvpError,
  type VvpClientOptions,
} from './index';
import { CAPABILITIES_TTL_MS } from './client';

const GATEWAY = 'http://vvp.test:8080';
const DEPLOYMENTS = '/api/v1/namespaces/team-a/deployments';
const DEPLOYMENT_ROUTE = '/api/v1/namespaces/{namespace}/deployments/{deploymentIdOrName}';
const ID = '1f0e6a44-7d5e-4a1b-9a55-3f1c2b8d9e01';

interface Harness {
  vvp: VvpClient;
  logger: Logger;
  registry: Registry;
  sleeps: number[];
  logs: () => string;
}

function harness(overrides: Partial<VvpClientOptions> = {}): Harness {
  let written = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  const registry = new Registry();
  const sleeps: number[] = [];
  const logger = createLogger({ debug: true, destination });
  const vvp = new VvpClient({
    appManagerApiUrl: `${GATEWAY}/api`,
    platformApiUrl: GATEWAY,
    tokens: { tokenFor: (namespace) => Promise.resolve(`token-for-${namespace}`) },
    logger,
    registry,
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...overrides,
  });
  return { vvp, logger, registry, sleeps, logs: () => written };
}

async function counter(registry: Registry, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric('vvp_api_requests_total')?.get();
  const matching = metric?.values.filter((value) =>
    Object.entries(labels).every(([key, expected]) => value.labels[key] === expected),
  );
  return (matching ?? []).reduce((sum, value) => sum + value.value, 0);
}

beforeAll(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
});

afterAll(() => {
  nock.enableNetConnect();
});

describe('VvpClient requests', () => {
  it('sends the namespace token as a bearer token, with the User-Agent, to the AppManager base', async () => {
    const scope = nock(GATEWAY)
      .get(`${DEPLOYMENTS}/${ID}`)
      .matchHeader('authorization', 'Bearer token-for-team-a')
      .matchHeader('user-agent', USER_AGENT)
      .reply(200, { metadata: { id: ID, name: 'orders' } });
    const { vvp } = harness();
    expect(await vvp.deployments('team-a').get(ID)).toEqual({
      metadata: { id: ID, name: 'orders' },
    });
    expect(scope.isDone()).toBe(true);
  });

  it('uses the platform credentials for Platform API calls, and no header when anonymous', async () => {
    nock(GATEWAY)
      .get('/namespaces/v1/namespaces/team-a')
      .matchHeader('authorization', 'Bearer platform-token')
      .reply(200, { namespace: { name: 'namespaces/team-a' } });
    nock(GATEWAY, { badheaders: ['authorization'] })
      .get('/namespaces/v1/namespaces')
      .reply(200, { namespaces: [] });
    const withToken = harness({
      platformTokens: { platformToken: () => Promise.resolve('platform-token') },
    });
    expect(await withToken.vvp.namespaces().get('team-a')).toEqual({ name: 'namespaces/team-a' });
    expect(await harness().vvp.namespaces().list()).toEqual([]);
  });

  it('calls anonymously when the namespace has no token', async () => {
    nock(GATEWAY, { badheaders: ['authorization'] })
      .get('/api/v1/namespaces/default/jobs')
      .reply(200, { items: [] });
    const { vvp } = harness({ tokens: { tokenFor: () => Promise.resolve(undefined) } });
    expect(await vvp.jobs('default').list()).toEqual([]);
  });

  it('unwraps lists and passes filters as query parameters', async () => {
    nock(GATEWAY)
      .get(DEPLOYMENTS)
      .query({ labelSelector: 'app=orders' })
      .reply(200, { kind: 'DeploymentList', items: [{ metadata: { id: ID } }] });
    nock(GATEWAY)
      .get('/api/v1/namespaces/team-a/savepoints')
      .query({ deploymentId: ID })
      .reply(200, { kind: 'SavepointList' });
    const { vvp } = harness();
    expect(await vvp.deployments('team-a').list({ labelSelector: 'app=orders' })).toEqual([
      { metadata: { id: ID } },
    ]);
    expect(await vvp.savepoints('team-a').list({ deploymentId: ID })).toEqual([]);
  });

  it('encodes every path parameter as a single segment', async () => {
    nock(GATEWAY).get('/api/v1/namespaces/team-a/deployment-targets/a%2Fb%20c').reply(200, {});
    const { vvp } = harness();
    await expect(vvp.deploymentTargets('team-a').get('a/b c')).resolves.toEqual({});
  });

  it('refuses empty or dot path segments without calling VVP', async () => {
    const { vvp, registry } = harness();
    await expect(vvp.deployments('team-a').delete('')).rejects.toThrow(
      'path parameter "deploymentIdOrName" is ""',
    );
    await expect(vvp.deployments('team-a').get('..')).rejects.toBeInstanceOf(VvpError);
    expect(await counter(registry, {})).toBe(0);
  });

  it('unwraps the Platform one-key responses and rejects a response without the key', async () => {
    nock(GATEWAY)
      .post('/apitokens/v1/namespaces/team-a/apitokens', {
        name: 'namespaces/team-a/apitokens/op',
        role: 'owner',
      })
      .reply(200, {
        apiToken: { name: 'namespaces/team-a/apitokens/op', secret: 'created-secret-1' },
      });
    nock(GATEWAY).get('/apitokens/v1/namespaces/team-a/apitokens/op').reply(200, {});
    const { vvp } = harness();
    const tokens = vvp.apiTokens('team-a');
    expect(await tokens.create({ name: 'namespaces/team-a/apitokens/op', role: 'owner' })).toEqual({
      name: 'namespaces/team-a/apitokens/op',
      secret: 'created-secret-1',
    });
    await expect(tokens.get('op')).rejects.toThrow(
      'VVP GET /apitokens/v1/namespaces/team-a/apitokens/op answered without the expected "apiToken" object',
    );
  });

  it('reports the VVP capabilities from the build version', async () => {
    nock(GATEWAY)
      .get('/api/v1/status/system-info')
      .reply(200, { status: { revisionInformation: { buildVersion: '2.4.3' } } });
    const { vvp } = harness();
    expect(await vvp.status().capabilities()).toEqual({
      buildVersion: '2.4.3',
      deploymentsByName: true,
      upsert: true,
      deploymentTargetName: true,
    });
  });

  it('reuses the capabilities for a while: one system-info request, not one per lookup', async () => {
    nock(GATEWAY)
      .get('/api/v1/status/system-info')
      .reply(200, { status: { revisionInformation: { buildVersion: '2.1.0' } } })
      .get('/api/v1/status/system-info')
      .reply(200, { status: { revisionInformation: { buildVersion: '2.4.3' } } });
    let now = 1_000_000;
    const { vvp } = harness({ now: () => now });
    expect((await vvp.status().capabilities()).upsert).toBe(false);
    now += CAPABILITIES_TTL_MS - 1;
    expect((await vvp.status({ auth: { token: 'other' } }).capabilities()).upsert).toBe(false);
    expect(nock.pendingMocks()).toHaveLength(1);
    // After an upgrade of VVP the new version is seen within the TTL.
    now += 1;
    expect((await vvp.status().capabilities()).upsert).toBe(true);
  });
});

describe('VvpClient errors', () => {
  it.each([
    [400, BadRequestError],
    [401, UnauthorizedError],
    [403, ForbiddenError],
    [404, NotFoundError],
    [409, StateConflictError],
    [500, VvpError],
  ])('maps %i to %p with VVP’s message, method and route', async (status, errorClass) => {
    nock(GATEWAY)
      .patch(`${DEPLOYMENTS}/${ID}`)
      .reply(status, { message: `VVP says ${status}` });
    const { vvp } = harness();
    const failure = vvp.deployments('team-a').patch(ID, { spec: { state: 'CANCELLED' } });
    await expect(failure).rejects.toBeInstanceOf(errorClass);
    await expect(failure).rejects.toMatchObject({
      status,
      vvpMessage: `VVP says ${status}`,
      method: 'PATCH',
      route: DEPLOYMENT_ROUTE,
      path: `${DEPLOYMENTS}/${ID}`,
    });
    await expect(failure).rejects.toThrow(`VVP PATCH ${DEPLOYMENTS}/${ID} answered ${status}`);
  });

  it('quotes a non-JSON error body when VVP’s message is missing', async () => {
    nock(GATEWAY)
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(404, '<html><body>Not   Found</body></html>', { 'Content-Type': 'text/html' });
    const { vvp } = harness();
    await expect(vvp.deployments('team-a').get(ID)).rejects.toMatchObject({
      vvpMessage: '<html><body>Not Found</body></html>',
    });
  });

  it('rejects a successful answer that is not JSON', async () => {
    nock(GATEWAY)
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(200, '<html>login</html>', { 'Content-Type': 'text/html' });
    const { vvp } = harness();
    await expect(vvp.deployments('team-a').get(ID)).rejects.toThrow(
      'answered 200 with a body that is not JSON',
    );
  });

  it('rejects a successful answer without a body, except for a delete', async () => {
    nock(GATEWAY).get(`${DEPLOYMENTS}/${ID}`).reply(200);
    nock(GATEWAY)
      .patch(`${DEPLOYMENTS}/${ID}`)
      .reply(200, 'null', { 'Content-Type': 'application/json' });
    nock(GATEWAY).delete(`${DEPLOYMENTS}/${ID}`).reply(204);
    const { vvp } = harness();
    await expect(vvp.deployments('team-a').get(ID)).rejects.toThrow('answered 200 without a body');
    await expect(vvp.deployments('team-a').patch(ID, {})).rejects.toThrow(
      'answered 200 without a body',
    );
    await expect(vvp.deployments('team-a').delete(ID)).resolves.toBeUndefined();
  });

  it('turns a timeout into UnavailableError', async () => {
    nock(GATEWAY).get(`${DEPLOYMENTS}/${ID}`).delay(300).reply(200, {});
    const { vvp, registry } = harness({ timeoutMs: 100, retry: { maxAttempts: 1 } });
    const failure = vvp.deployments('team-a').get(ID);
    await expect(failure).rejects.toBeInstanceOf(UnavailableError);
    await expect(failure).rejects.toThrow('got no answer within 100 ms');
    expect(await counter(registry, { code: 'timeout' })).toBe(1);
  });
});

describe('VvpClient retries', () => {
  it('retries 502/503/504 of idempotent calls with jittered exponential backoff', async () => {
    const scope = nock(GATEWAY)
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(503, { message: 'busy' })
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(502)
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(504)
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(200, { metadata: { id: ID } });
    const { vvp, sleeps } = harness({
      retry: { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 300 },
      random: () => 0.5,
    });
    expect(await vvp.deployments('team-a').get(ID)).toEqual({ metadata: { id: ID } });
    // Half of the capped exponential delay is fixed, the other half scaled by the jitter.
    expect(sleeps).toEqual([75, 150, 225]);
    expect(scope.isDone()).toBe(true);
  });

  it('spreads retries over the jitter range', async () => {
    nock(GATEWAY).get(`${DEPLOYMENTS}/${ID}`).times(4).reply(503);
    const low = harness({ retry: { maxAttempts: 2, initialDelayMs: 1000 }, random: () => 0 });
    const high = harness({ retry: { maxAttempts: 2, initialDelayMs: 1000 }, random: () => 0.99 });
    await expect(low.vvp.deployments('team-a').get(ID)).rejects.toBeInstanceOf(UnavailableError);
    await expect(high.vvp.deployments('team-a').get(ID)).rejects.toBeInstanceOf(UnavailableError);
    expect(low.sleeps).toEqual([500]);
    expect(high.sleeps).toEqual([995]);
  });

  it('gives up after the last attempt with UnavailableError', async () => {
    nock(GATEWAY).put(`${DEPLOYMENTS}/orders`).times(3).reply(503, { message: 'still busy' });
    const { vvp, sleeps } = harness({ retry: { maxAttempts: 3 } });
    await expect(vvp.deployments('team-a').upsert('orders', {})).rejects.toMatchObject({
      name: 'UnavailableError',
      status: 503,
      vvpMessage: 'still busy',
    });
    expect(sleeps).toHaveLength(2);
  });

  it('honours Retry-After in seconds and as an HTTP date', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    nock(GATEWAY)
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(429, {}, { 'Retry-After': '3' })
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(503, {}, { 'Retry-After': 'Thu, 01 Jan 2026 00:00:07 GMT' })
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(200, {});
    const { vvp, sleeps } = harness({ now: () => now, retry: { maxRetryAfterMs: 10_000 } });
    await vvp.deployments('team-a').get(ID);
    expect(sleeps).toEqual([3_000, 7_000]);
  });

  it('hands a Retry-After beyond the cap, or after the last attempt, to the caller', async () => {
    nock(GATEWAY)
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(429, {}, { 'Retry-After': '3600' })
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(503, {}, { 'Retry-After': '2' });
    const capped = harness({ retry: { maxRetryAfterMs: 10_000 } });
    await expect(capped.vvp.deployments('team-a').get(ID)).rejects.toMatchObject({
      name: 'UnavailableError',
      status: 429,
      retryAfterMs: 3_600_000,
    });
    expect(capped.sleeps).toEqual([]);
    const lastAttempt = harness({ retry: { maxAttempts: 1 } });
    await expect(lastAttempt.vvp.deployments('team-a').get(ID)).rejects.toMatchObject({
      name: 'UnavailableError',
      retryAfterMs: 2_000,
    });
  });

  it('does not retry a 400', async () => {
    nock(GATEWAY).patch(`${DEPLOYMENTS}/${ID}`).reply(400, { message: 'bad state' });
    const { vvp, sleeps, registry } = harness();
    await expect(vvp.deployments('team-a').patch(ID, {})).rejects.toBeInstanceOf(BadRequestError);
    expect(sleeps).toEqual([]);
    expect(await counter(registry, {})).toBe(1);
  });

  it('retries PATCH, a merge patch, like the other idempotent methods', async () => {
    nock(GATEWAY)
      .patch(`${DEPLOYMENTS}/${ID}`)
      .reply(502)
      .patch(`${DEPLOYMENTS}/${ID}`)
      .reply(200, { spec: { state: 'CANCELLED' } });
    const { vvp, sleeps } = harness();
    expect(await vvp.deployments('team-a').patch(ID, { spec: { state: 'CANCELLED' } })).toEqual({
      spec: { state: 'CANCELLED' },
    });
    expect(sleeps).toHaveLength(1);
  });

  it('never repeats a POST that reached VVP, even after a 503', async () => {
    let posts = 0;
    nock(GATEWAY)
      .post(DEPLOYMENTS)
      .times(4)
      .reply(() => {
        posts++;
        return [503, { message: 'overloaded' }];
      });
    const { vvp, sleeps } = harness();
    await expect(
      vvp.deployments('team-a').create({ metadata: { name: 'orders' } }),
    ).rejects.toThrow(`VVP POST ${DEPLOYMENTS} answered 503: overloaded`);
    expect(posts).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('never repeats a POST whose connection broke after sending', async () => {
    let posts = 0;
    nock(GATEWAY)
      .post('/api/v1/namespaces/team-a/savepoints')
      .times(4)
      .reply(() => {
        posts++;
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      });
    const { vvp } = harness();
    await expect(
      vvp.savepoints('team-a').create({ metadata: { deploymentId: ID } }),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(posts).toBe(1);
  });

  it('repeats a POST whose connection was refused, as it never reached VVP', async () => {
    nock(GATEWAY)
      .post(DEPLOYMENTS)
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
      .post(DEPLOYMENTS)
      .reply(201, { metadata: { id: ID } });
    const { vvp, sleeps } = harness();
    expect(await vvp.deployments('team-a').create({ metadata: { name: 'orders' } })).toEqual({
      metadata: { id: ID },
    });
    expect(sleeps).toHaveLength(1);
  });

  it('classifies a real refused connection as not sent', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => {
          resolve(typeof address === 'object' && address !== null ? address.port : 0);
        });
      });
    });
    nock.enableNetConnect('127.0.0.1');
    try {
      const { vvp, sleeps, registry } = harness({
        appManagerApiUrl: `http://127.0.0.1:${port}/api`,
        retry: { maxAttempts: 3 },
      });
      await expect(vvp.deployments('team-a').create({})).rejects.toThrow(/ECONNREFUSED/);
      expect(sleeps).toHaveLength(2);
      expect(await counter(registry, { code: 'network_error' })).toBe(3);
    } finally {
      nock.disableNetConnect();
    }
  });
});

describe('VvpClient call options', () => {
  it('uses the token given with the call instead of the provider, or none', async () => {
    nock(GATEWAY)
      .get(`${DEPLOYMENTS}/${ID}`)
      .matchHeader('authorization', 'Bearer per-object-token')
      .reply(200, {});
    nock(GATEWAY, { badheaders: ['authorization'] })
      .get('/namespaces/v1/namespaces')
      .reply(200, { namespaces: [] });
    const { vvp } = harness({
      platformTokens: { platformToken: () => Promise.resolve('platform-token') },
    });
    await vvp.deployments('team-a', { auth: { token: 'per-object-token' } }).get(ID);
    expect(await vvp.namespaces({ auth: { token: undefined } }).list()).toEqual([]);
  });

  it('aborts an in-flight request without retrying it or counting a failure', async () => {
    nock(GATEWAY).get(`${DEPLOYMENTS}/${ID}`).delay(300).reply(200, {});
    const { vvp, sleeps, registry } = harness();
    const controller = new AbortController();
    const call = vvp.deployments('team-a', { signal: controller.signal }).get(ID);
    setTimeout(() => {
      controller.abort(new Error('lost the lease'));
    }, 20);
    await expect(call).rejects.toThrow(
      new VvpCallAbortedError(
        { method: 'GET', route: DEPLOYMENT_ROUTE, path: `${DEPLOYMENTS}/${ID}` },
        'lost the lease',
      ),
    );
    await expect(call).rejects.not.toBeInstanceOf(VvpError);
    expect(sleeps).toEqual([]);
    expect(await counter(registry, { code: 'aborted' })).toBe(1);
    expect(await counter(registry, {})).toBe(1);
  });

  it('stops waiting for a retry when the signal aborts', async () => {
    nock(GATEWAY).get(`${DEPLOYMENTS}/${ID}`).reply(503);
    const controller = new AbortController();
    const sleeps: number[] = [];
    const { vvp, registry } = harness({
      sleep: (ms) => {
        sleeps.push(ms);
        controller.abort();
        return new Promise(() => undefined);
      },
    });
    await expect(
      vvp.deployments('team-a', { signal: controller.signal }).get(ID),
    ).rejects.toBeInstanceOf(VvpCallAbortedError);
    expect(sleeps).toHaveLength(1);
    expect(await counter(registry, {})).toBe(1);
  });

  it('waits for the shared rate limiter, measures the wait, and stops waiting on abort', async () => {
    nock(GATEWAY).get(`${DEPLOYMENTS}/${ID}`).delay(50).reply(200, {});
    nock(GATEWAY).get(`${DEPLOYMENTS}/other`).reply(200, {});
    const limiter = new RequestLimiter({ requestsPerSecond: 1000, burst: 10, maxInFlight: 1 });
    const { vvp, registry } = harness({ limiter });
    const controller = new AbortController();
    const first = vvp.deployments('team-a').get(ID);
    const queued = vvp.deployments('team-a', { signal: controller.signal }).get('other');
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(VvpCallAbortedError);
    await first;
    expect(await counter(registry, {})).toBe(1);
    const waits = await registry.getSingleMetric('vvp_api_rate_limit_wait_seconds')?.get();
    const count = waits?.values.find(
      (value) =>
        'metricName' in value && value.metricName === 'vvp_api_rate_limit_wait_seconds_count',
    );
    expect(count?.value).toBe(1);
  });

  it('sends nothing when the signal has already aborted', async () => {
    const { vvp, registry } = harness();
    await expect(vvp.status({ signal: AbortSignal.abort() }).systemInfo()).rejects.toThrow(
      'VVP GET /api/v1/status/system-info was aborted by the caller',
    );
    expect(await counter(registry, {})).toBe(0);
  });
});

describe('VvpClient metrics and logs', () => {
  it('counts every attempt by method, templated route and code, and times it', async () => {
    nock(GATEWAY)
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(503)
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(200, {})
      .get(`${DEPLOYMENTS}/other`)
      .reply(404, { message: 'no such deployment' });
    const { vvp, registry } = harness();
    await vvp.deployments('team-a').get(ID);
    await expect(vvp.deployments('team-a').get('other')).rejects.toBeInstanceOf(NotFoundError);
    const route = { method: 'GET', route: DEPLOYMENT_ROUTE };
    expect(await counter(registry, { ...route, code: '503' })).toBe(1);
    expect(await counter(registry, { ...route, code: '200' })).toBe(1);
    expect(await counter(registry, { ...route, code: '404' })).toBe(1);
    const duration = await registry.getSingleMetric('vvp_api_request_duration_seconds')?.get();
    const count = duration?.values.find(
      (value) =>
        'metricName' in value && value.metricName === 'vvp_api_request_duration_seconds_count',
    );
    expect(count).toMatchObject({ labels: route, value: 3 });
  });

  it('lets several clients share one registry', () => {
    const registry = new Registry();
    harness({ registry });
    expect(() => harness({ registry })).not.toThrow();
  });

  it('never writes a token to the log, even at debug level and in error messages', async () => {
    const token = 'super-secret-token-value-42';
    nock(GATEWAY)
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(503)
      .get(`${DEPLOYMENTS}/${ID}`)
      .reply(401, { message: `token ${token} is revoked` });
    const { vvp, logger, logs } = harness({ tokens: { tokenFor: () => Promise.resolve(token) } });
    const failure = await vvp
      .deployments('team-a')
      .get(ID)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnauthorizedError);
    // As a reconciler would report it.
    logger.error({ err: failure }, 'reconcile failed');
    expect(logs()).toContain('"msg":"VVP request"');
    expect(logs()).toContain('revoked');
    expect(logs()).not.toContain(token);
  });
});
