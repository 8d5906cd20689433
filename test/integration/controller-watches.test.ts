// The core's contract beyond one kind: secondary watches, cache reads of watched kinds,
// label-selected informers, Secrets, status preconditions, metadata patches and Events about
// cluster-scoped objects, all as the unprivileged operator user.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CoreV1Api, EventsV1Api } from '@kubernetes/client-node';
import { SECRET, type Manager, type ReconcileContext } from '../../src/controller';
import { systemClock } from '../../src/controller/clock';
import { ConflictError } from '../../src/controller/errors';
import { CLUSTER_EVENTS_NAMESPACE, EventRecorder } from '../../src/controller/events';
import { ResourceClient } from '../../src/controller/resource';
import { KubernetesSecretClient, type Secret } from '../../src/controller/secrets';
import { eventually } from '../../src/testing/eventually';
import { testLogger } from '../../src/testing/test-logger';
import { adminKubeConfig, operatorKubeConfig, uniqueNamespace } from '../support/cluster';
import {
  WIDGET,
  Widgets,
  grantCoreRbac,
  grantSecretRbac,
  installWidgetCrd,
  testManager,
  type Widget,
} from './controller-helpers';

/** On the Secrets the operator owns: names the Widget whose configuration the Secret holds. */
const CONFIG_FOR = 'test.vpoperator.dev/config-for';
const IGNORED = 'test.vpoperator.dev/ignored';

describe('controller core: watches, cache reads, Secrets and writes beyond status', () => {
  let namespace: string;
  let operatorNamespace: string;
  let widgets: Widgets;
  let manager: Manager;
  const reconciled: string[] = [];
  const admin = adminKubeConfig().makeApiClient(CoreV1Api);

  /** Reports in status what the cache shows it: its config Secret and the Secrets it can see. */
  async function reconcile(object: Widget, context: ReconcileContext<Widget>) {
    const name = object.metadata?.name ?? '';
    reconciled.push(name);
    const config = context.cache.get<Secret>(SECRET, `${name}-config`, operatorNamespace);
    const visible = context.cache
      .list<Secret>(SECRET, operatorNamespace)
      .map((secret) => secret.metadata?.name ?? '')
      .sort();
    const value = config?.data?.value;
    await context.client.patchStatus(object, {
      ...object.status,
      config: value === undefined ? 'none' : Buffer.from(value, 'base64').toString('utf8'),
      visibleSecrets: visible,
    });
    return undefined;
  }

  beforeAll(async () => {
    await installWidgetCrd();
    await grantCoreRbac();
    namespace = await uniqueNamespace('ctrl-watch');
    operatorNamespace = await uniqueNamespace('ctrl-watch-op');
    await grantSecretRbac(operatorNamespace);
    widgets = new Widgets(namespace);
    manager = testManager(namespace);
    manager.addController<Widget>({
      name: 'widget',
      resource: WIDGET,
      reconciler: { reconcile },
      labelSelector: `!${IGNORED}`,
      maxConcurrentReconciles: 2,
      watches: [
        {
          resource: SECRET,
          labelSelector: CONFIG_FOR,
          namespaces: [operatorNamespace],
          map: (secret) => {
            const owner = secret.metadata?.labels?.[CONFIG_FOR];
            return owner === undefined ? [] : [{ name: owner, namespace }];
          },
        },
      ],
    });
    await manager.start();
    await eventually('the manager to be ready', () =>
      Promise.resolve(manager.ready ? true : undefined),
    );
  });

  afterAll(async () => {
    await manager.stop();
  });

  async function statusOf(name: string): Promise<Record<string, unknown> | undefined> {
    const status: Record<string, unknown> | undefined = (await widgets.get(name))?.status;
    return status;
  }

  it('requeues dependants when a watched Secret appears, changes or goes, and caches only selected Secrets in the watched namespace', async () => {
    await widgets.create('consumer', { size: 1 });
    await eventually('the first reconcile', async () =>
      (await statusOf('consumer'))?.config === 'none' ? true : undefined,
    );
    // Neither an unlabelled Secret there nor a labelled one elsewhere is cached.
    await admin.createNamespacedSecret({
      namespace: operatorNamespace,
      body: { metadata: { name: 'unrelated' }, stringData: { value: 'x' } },
    });
    await admin.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'consumer-config', labels: { [CONFIG_FOR]: 'consumer' } },
        stringData: { value: 'wrong namespace' },
      },
    });
    await admin.createNamespacedSecret({
      namespace: operatorNamespace,
      body: {
        metadata: { name: 'consumer-config', labels: { [CONFIG_FOR]: 'consumer' } },
        stringData: { value: 'v1' },
      },
    });
    // The resync is an hour away: only the watch can have requeued the Widget.
    await eventually('the Widget to see its new Secret', async () =>
      (await statusOf('consumer'))?.config === 'v1' ? true : undefined,
    );
    expect((await statusOf('consumer'))?.visibleSecrets).toEqual(['consumer-config']);

    await admin.patchNamespacedSecret({
      namespace: operatorNamespace,
      name: 'consumer-config',
      body: [{ op: 'replace', path: '/data/value', value: Buffer.from('v2').toString('base64') }],
    });
    await eventually('the Widget to see the change', async () =>
      (await statusOf('consumer'))?.config === 'v2' ? true : undefined,
    );

    await admin.deleteNamespacedSecret({ namespace: operatorNamespace, name: 'consumer-config' });
    await eventually('the Widget to see the deletion', async () =>
      (await statusOf('consumer'))?.config === 'none' ? true : undefined,
    );
  });

  it('reconciles only objects matching the controller label selector', async () => {
    await widgets.create('ignored', { size: 1 }, { [IGNORED]: 'true' });
    await widgets.create('after-ignored', { size: 1 });
    await eventually('the later Widget to be reconciled', async () =>
      (await statusOf('after-ignored'))?.config === 'none' ? true : undefined,
    );
    await widgets.patch('ignored', { spec: { size: 2 } });
    await widgets.patch('after-ignored', { spec: { size: 2 } });
    await eventually('the later Widget to be reconciled again', () =>
      Promise.resolve(
        reconciled.filter((name) => name === 'after-ignored').length >= 2 || undefined,
      ),
    );
    expect(reconciled).not.toContain('ignored');
    expect(await statusOf('ignored')).toBeUndefined();
  });

  it('writes status only at the expected resourceVersion when asked, and merges labels and annotations', async () => {
    const client = new ResourceClient<Widget>(operatorKubeConfig(), WIDGET, 'vp-operator-test');
    // Labelled so that the manager leaves it alone: this test is the only writer.
    const created = await widgets.create('written', { size: 1 }, { [IGNORED]: 'true' });
    const first = await client.patchStatus(
      created,
      { pendingOperation: 'Create' },
      { resourceVersion: created.metadata?.resourceVersion ?? '' },
    );
    expect(first.status).toEqual({ pendingOperation: 'Create' });
    // A reconcile working from the stale object must not overwrite what was recorded.
    await expect(
      client.patchStatus(
        created,
        { pendingOperation: 'Delete' },
        { resourceVersion: created.metadata?.resourceVersion ?? '' },
      ),
    ).rejects.toThrow(ConflictError);
    expect((await widgets.get('written'))?.status).toEqual({ pendingOperation: 'Create' });

    const labelled = await client.patchMetadata(first, {
      labels: { team: 'a', tier: 'gold' },
      annotations: { 'test.vpoperator.dev/note': 'hello' },
    });
    expect(labelled.metadata?.labels).toMatchObject({ team: 'a', tier: 'gold' });
    // Nothing differs: no write, the same object back.
    expect(await client.patchMetadata(labelled, { labels: { team: 'a', gone: null } })).toBe(
      labelled,
    );
    const changed = await client.patchMetadata(labelled, {
      labels: { tier: null },
      annotations: { 'test.vpoperator.dev/note': 'bye' },
    });
    expect(changed.metadata?.labels?.team).toBe('a');
    expect(changed.metadata?.labels?.tier).toBeUndefined();
    expect(changed.metadata?.annotations?.['test.vpoperator.dev/note']).toBe('bye');
    // The status written before is untouched by metadata patches.
    expect(changed.status).toEqual({ pendingOperation: 'Create' });
  });

  it('gets, creates, updates and deletes Secrets in the operator namespace with typed conflicts', async () => {
    const secrets = new KubernetesSecretClient(operatorKubeConfig(), 'vp-operator-test');
    expect(await secrets.get(operatorNamespace, 'token')).toBeUndefined();
    const created = await secrets.create({
      metadata: { name: 'token', namespace: operatorNamespace },
      stringData: { token: 'one' },
    });
    await expect(
      secrets.create({ metadata: { name: 'token', namespace: operatorNamespace } }),
    ).rejects.toThrow(ConflictError);
    const updated = await secrets.update({
      ...created,
      data: { token: Buffer.from('two').toString('base64') },
    });
    expect(Buffer.from(updated.data?.token ?? '', 'base64').toString()).toBe('two');
    // An update from the stale copy would lose 'two': refused.
    await expect(secrets.update({ ...created, data: {} })).rejects.toThrow(ConflictError);
    expect((await secrets.get(operatorNamespace, 'token'))?.data?.token).toBe(updated.data?.token);
    await secrets.delete(operatorNamespace, 'token');
    await secrets.delete(operatorNamespace, 'token');
    expect(await secrets.get(operatorNamespace, 'token')).toBeUndefined();
    // The operator's grants end at its own namespace.
    await expect(secrets.get(namespace, 'consumer-config')).rejects.toMatchObject({ code: 403 });
  });

  it('writes Events about cluster-scoped objects to the namespace the API server requires', async () => {
    const recorder = new EventRecorder({
      kubeConfig: operatorKubeConfig(),
      logger: testLogger,
      clock: systemClock,
      reportingController: 'vpoperator.dev/vp-operator',
      reportingInstance: 'integration-test',
    });
    const uid = randomUUID();
    const clusterScoped = {
      apiVersion: 'test.vpoperator.dev/v1',
      kind: 'Gizmo',
      metadata: { name: `gizmo-${uid.slice(0, 8)}`, uid },
    };
    await recorder.event(clusterScoped, {
      type: 'Normal',
      reason: 'Created',
      action: 'Create',
      note: 'cluster-scoped',
    });
    const events = await adminKubeConfig()
      .makeApiClient(EventsV1Api)
      .listNamespacedEvent({ namespace: CLUSTER_EVENTS_NAMESPACE });
    expect(events.items.filter((event) => event.regarding?.uid === uid)).toHaveLength(1);
  });
});
