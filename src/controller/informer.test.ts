import { afterEach, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testLogger } from '../testing/test-logger';
import { WIDGET } from '../testing/widget';
import { eventually } from '../testing/eventually';
import { systemClock } from './clock';
import { ResilientInformer, trimmedForCache, type InformerOptions } from './informer';
import { SECRET } from './secrets';
import { SharedInformers } from './shared-informers';
import type { KubeObject } from './kube-object';

const resource = WIDGET;
const collection = '/apis/test.vpoperator.dev/v1/namespaces/ns/widgets';

function widget(name: string, resourceVersion: string): KubeObject {
  return {
    apiVersion: 'test.vpoperator.dev/v1',
    kind: 'Widget',
    metadata: { name, namespace: 'ns', resourceVersion },
  };
}

type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

/** A fake API server: discovery, then the LIST and WATCH answers the test scripts in order. */
async function fakeApiServer(lists: Handler[], watches: Handler[]) {
  const seen: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/apis/test.vpoperator.dev/v1') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(
        JSON.stringify({
          kind: 'APIResourceList',
          groupVersion: 'test.vpoperator.dev/v1',
          resources: [
            { name: 'widgets', namespaced: true, kind: 'Widget', verbs: ['list', 'watch'] },
          ],
        }),
      );
      return;
    }
    if (url.pathname !== collection) {
      response.writeHead(404).end();
      return;
    }
    const watch = url.searchParams.get('watch') === 'true';
    const selector = url.searchParams.get('labelSelector');
    seen.push(
      (watch ? `watch rv=${url.searchParams.get('resourceVersion') ?? ''}` : 'list') +
        (selector === null ? '' : ` labels=${selector}`),
    );
    const next = (watch ? watches : lists).shift();
    if (next === undefined) {
      response.writeHead(500).end();
      return;
    }
    next(request, response, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: 'fake',
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        // client-node refuses plain HTTP otherwise.
        skipTLSVerify: true,
      },
    ],
    users: [{ name: 'u', token: 'fake-token-value' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'u' }],
    currentContext: 'fake',
  });
  return {
    kubeConfig,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

const listOf =
  (resourceVersion: string, items: KubeObject[]): Handler =>
  (_request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ kind: 'WidgetList', metadata: { resourceVersion }, items }));
  };
const fail =
  (status: number): Handler =>
  (_request, response) => {
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ kind: 'Status', code: status, message: 'scripted failure' }));
  };
const stream =
  (events: { type: string; object: KubeObject }[], keepOpen: boolean): Handler =>
  (_request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    // Headers go out at once, so a watch without events is open (not pending) for the client.
    response.flushHeaders();
    for (const event of events) response.write(`${JSON.stringify(event)}\n`);
    if (!keepOpen) response.end();
  };

function until(what: string, condition: () => boolean): Promise<true> {
  return eventually(what, () => Promise.resolve(condition() ? true : undefined), {
    timeoutMs: 10_000,
    intervalMs: 10,
  });
}

/** An informer on the fake API server's widgets in `ns` that records what it hands out. */
function recordingInformer(
  kubeConfig: KubeConfig,
  options: Partial<InformerOptions> = {},
): { informer: ResilientInformer<KubeObject>; events: string[]; added: KubeObject[] } {
  const events: string[] = [];
  const added: KubeObject[] = [];
  const informer = new ResilientInformer<KubeObject>(
    { kubeConfig, resource, namespace: 'ns', logger: testLogger, clock: systemClock, ...options },
    {
      onAdd: (object) => {
        added.push(object);
        events.push(`add ${object.metadata?.name ?? ''}`);
      },
      onUpdate: (object) => events.push(`update ${object.metadata?.name ?? ''}`),
      onDelete: (object) => events.push(`delete ${object.metadata?.name ?? ''}`),
    },
  );
  return { informer, events, added };
}

describe('ResilientInformer', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('retries a failed initial LIST, then resumes from its resourceVersion after a watch error', async () => {
    const api = await fakeApiServer(
      [fail(500), listOf('10', [widget('w1', '9')])],
      [
        stream([{ type: 'ADDED', object: widget('w2', '11') }], false),
        fail(500),
        stream([{ type: 'MODIFIED', object: widget('w2', '12') }], true),
      ],
    );
    const { informer, events } = recordingInformer(api.kubeConfig, {
      restartBackoff: { baseDelayMs: 10, maxDelayMs: 50 },
    });
    cleanups.push(() => informer.stop(), api.close);
    informer.start();
    await until('the update after the resumed watch', () => events.includes('update w2'));
    // The next watch is requested just after the event is handed over, not before it.
    await until('the watch after the update', () => api.seen.length >= 5);
    expect(informer.synced).toBe(true);
    expect(informer.failingSince).toBeUndefined();
    expect(events).toEqual(['add w1', 'add w2', 'update w2']);
    // One failed LIST, one good one; after the watch error it resumed at rv 11 without a re-list.
    expect(api.seen).toEqual(['list', 'list', 'watch rv=10', 'watch rv=11', 'watch rv=11']);
    expect(informer.get('w2', 'ns')?.metadata?.resourceVersion).toBe('12');
  });

  it('re-lists after 410 Gone and reports objects deleted meanwhile', async () => {
    const api = await fakeApiServer(
      [listOf('10', [widget('w1', '9'), widget('w2', '9')]), listOf('20', [widget('w1', '9')])],
      [fail(410), stream([], true)],
    );
    const { informer, events } = recordingInformer(api.kubeConfig);
    cleanups.push(() => informer.stop(), api.close);
    informer.start();
    await until('the deletion seen by the re-list', () => events.includes('delete w2'));
    // The watch from the new list's resourceVersion starts just after the re-list is delivered.
    await until('the watch after the re-list', () => api.seen.length >= 4);
    expect(events).toEqual(['add w1', 'add w2', 'delete w2']);
    expect(api.seen).toEqual(['list', 'watch rv=10', 'list', 'watch rv=20']);
    expect(informer.list().map((object) => object.metadata?.name)).toEqual(['w1']);
  });

  it('caches listed and watched objects without their managedFields', async () => {
    const withFields = (name: string, resourceVersion: string): KubeObject => ({
      ...widget(name, resourceVersion),
      metadata: {
        ...widget(name, resourceVersion).metadata,
        labels: { app: 'a' },
        managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1' }],
      },
    });
    const api = await fakeApiServer(
      [listOf('10', [withFields('w1', '9')])],
      [stream([{ type: 'ADDED', object: withFields('w2', '11') }], true)],
    );
    const { informer, added } = recordingInformer(api.kubeConfig);
    cleanups.push(() => informer.stop(), api.close);
    informer.start();
    await until('both objects', () => added.length === 2);
    for (const name of ['w1', 'w2']) {
      const cached = informer.get(name, 'ns');
      expect(cached?.metadata?.labels).toEqual({ app: 'a' });
      expect(cached?.metadata).not.toHaveProperty('managedFields');
    }
    expect(added.map((object) => object.metadata)).not.toContainEqual(
      expect.objectContaining({ managedFields: expect.anything() }),
    );
  });

  it('counts as failing while it cannot list, with the time the failures began', async () => {
    const api = await fakeApiServer([], []);
    const informer = new ResilientInformer<KubeObject>(
      {
        kubeConfig: api.kubeConfig,
        resource,
        namespace: 'ns',
        logger: testLogger,
        clock: systemClock,
        restartBackoff: { baseDelayMs: 10, maxDelayMs: 20 },
      },
      { onAdd: () => undefined, onUpdate: () => undefined, onDelete: () => undefined },
    );
    cleanups.push(() => informer.stop(), api.close);
    const before = Date.now();
    informer.start();
    await until('several failed lists', () => api.seen.length >= 3);
    expect(informer.synced).toBe(false);
    expect(informer.failingSince).toBeGreaterThanOrEqual(before);
    expect(informer.dead).toBe(false);
  });
});

describe('trimmedForCache', () => {
  it('drops managedFields and keeps everything else, also of odd inputs', () => {
    expect(
      trimmedForCache({
        kind: 'Widget',
        metadata: { name: 'w', annotations: { a: 'b' }, managedFields: [{ manager: 'm' }] },
        spec: { x: 1 },
      }),
    ).toEqual({ kind: 'Widget', metadata: { name: 'w', annotations: { a: 'b' } }, spec: { x: 1 } });
    expect(trimmedForCache({ kind: 'Status' })).toEqual({ kind: 'Status' });
    expect(trimmedForCache(null)).toBeNull();
    expect(trimmedForCache({ metadata: null })).toEqual({ metadata: null });
  });
});

describe('SharedInformers', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  const handlers = { onAdd: () => undefined, onUpdate: () => undefined, onDelete: () => undefined };

  function informers(kubeConfig: KubeConfig): SharedInformers {
    return new SharedInformers({ kubeConfig, logger: testLogger, clock: systemClock });
  }

  it('shares one informer per resource, label selector and namespace set', async () => {
    const api = await fakeApiServer([], []);
    cleanups.push(api.close);
    const shared = informers(api.kubeConfig);
    const first = shared.subscribe({ resource, namespaces: ['b', 'a'] }, handlers);
    expect(shared.subscribe({ resource, namespaces: ['a', 'b', 'a'] }, handlers)).toBe(first);
    expect(shared.subscribe({ resource, namespaces: ['a'] }, handlers)).not.toBe(first);
    const selected = shared.subscribe(
      { resource, labelSelector: 'x=1', namespaces: ['a', 'b'] },
      handlers,
    );
    expect(selected).not.toBe(first);
    expect(
      shared.subscribe({ resource, labelSelector: '', namespaces: ['a', 'b'] }, handlers),
    ).toBe(first);
    // A cluster-scoped resource has no namespaces to split by.
    const clusterScoped = { ...resource, plural: 'gizmos', kind: 'Gizmo', namespaced: false };
    expect(shared.subscribe({ resource: clusterScoped, namespaces: ['a'] }, handlers)).toBe(
      shared.subscribe({ resource: clusterScoped, namespaces: [] }, handlers),
    );
    expect(shared.entries().map(({ description }) => description)).toEqual([
      'widgets.test.vpoperator.dev in a, b',
      'widgets.test.vpoperator.dev in a',
      'widgets.test.vpoperator.dev (labels x=1) in a, b',
      'gizmos.test.vpoperator.dev',
    ]);
  });

  it('refuses reads of kinds nobody watches, and subscriptions after start', async () => {
    const api = await fakeApiServer([], []);
    const shared = informers(api.kubeConfig);
    shared.subscribe({ resource, namespaces: ['ns'] }, handlers);
    expect(() => shared.get(SECRET, 'token', 'ns')).toThrow(
      "secrets is not cached: add it to the controller's watches to read it from the cache",
    );
    expect(shared.get(resource, 'w1', 'ns')).toBeUndefined();
    shared.start();
    cleanups.push(() => shared.stop(), api.close);
    expect(() => shared.subscribe({ resource: SECRET, namespaces: ['ns'] }, handlers)).toThrow(
      /cannot subscribe to secrets in ns after the informers started/,
    );
  });

  it('lists and watches with the label selector, fans events out to every subscriber, and reads across caches', async () => {
    // The selected list holds w1 only, whichever informer lists first.
    const list: Handler = (request, response, url) => {
      const items = url.searchParams.has('labelSelector')
        ? [widget('w1', '9')]
        : [widget('w1', '9'), widget('w2', '9')];
      listOf('10', items)(request, response, url);
    };
    const api = await fakeApiServer([list, list], [stream([], true), stream([], true)]);
    const shared = informers(api.kubeConfig);
    const events: string[] = [];
    const recording = (who: string) => ({
      onAdd: (object: KubeObject) => events.push(`${who} add ${object.metadata?.name ?? ''}`),
      onUpdate: () => undefined,
      onDelete: () => undefined,
    });
    shared.subscribe({ resource, labelSelector: 'app=a', namespaces: ['ns'] }, recording('one'));
    shared.subscribe({ resource, labelSelector: 'app=a', namespaces: ['ns'] }, recording('two'));
    shared.subscribe({ resource, namespaces: ['ns'] }, recording('all'));
    cleanups.push(() => shared.stop(), api.close);
    shared.start();
    await until('both caches synced', () => shared.synced);
    await until('both watches open', () => api.seen.length >= 4);
    expect([...api.seen].sort()).toEqual([
      'list',
      'list labels=app=a',
      'watch rv=10',
      'watch rv=10 labels=app=a',
    ]);
    expect(events.filter((event) => event.includes('w1')).sort()).toEqual([
      'all add w1',
      'one add w1',
      'two add w1',
    ]);
    // w1 is in both caches: listed once; w2 only where no selector filtered it out.
    expect(shared.get(resource, 'w2', 'ns')?.metadata?.name).toBe('w2');
    expect(
      shared
        .list(resource)
        .map((object) => object.metadata?.name)
        .sort(),
    ).toEqual(['w1', 'w2']);
    expect(shared.list(resource, 'elsewhere')).toEqual([]);
  });
});
