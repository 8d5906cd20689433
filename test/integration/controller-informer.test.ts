import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import type { Manager } from '../../src/controller';
import type { PlainObjectOf } from '../../src/controller/kube-object';
import { adminKubeConfig, uniqueNamespace } from '../support/cluster';
import { eventually } from '../../src/testing/eventually';
import { RecordingReconciler, testManager } from './controller-helpers';

describe('informer start-up', () => {
  // A CRD of its own, so that it can be missing when the manager starts.
  const suffix = randomBytes(4).toString('hex');
  const resource = {
    group: 'test.vpoperator.dev',
    version: 'v1',
    plural: `gadgets${suffix}`,
    kind: `Gadget${suffix}`,
    namespaced: true,
  };
  const crdName = `${resource.plural}.${resource.group}`;
  const extensions = adminKubeConfig().makeApiClient(ApiextensionsV1Api);
  let manager: Manager | undefined;

  afterAll(async () => {
    await manager?.stop();
    await extensions.deleteCustomResourceDefinition({ name: crdName }).catch(() => undefined);
  });

  it('survives a failed initial LIST, stays live but unready, and syncs once the resource exists', async () => {
    const namespace = await uniqueNamespace('ctrl-informer');
    const reconciler = new RecordingReconciler();
    // As admin: the operator user's test RBAC covers Widgets only.
    manager = testManager(namespace, { kubeConfig: adminKubeConfig() });
    manager.addController({ name: 'gadget', resource, reconciler });
    await manager.start();
    const probes = `http://127.0.0.1:${manager.healthProbePort ?? 0}`;

    // The CRD does not exist: every LIST fails, the informer retries with backoff.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await fetch(`${probes}/healthz`)).status).toBe(200);
    const unready = await fetch(`${probes}/readyz`);
    expect(unready.status).toBe(500);
    expect(await unready.text()).toContain('caches not synced yet: gadget');

    const crd: PlainObjectOf<V1CustomResourceDefinition> = {
      metadata: { name: crdName },
      spec: {
        group: resource.group,
        scope: 'Namespaced',
        names: { kind: resource.kind, plural: resource.plural },
        versions: [
          {
            name: resource.version,
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
            },
          },
        ],
      },
    };
    await extensions.createCustomResourceDefinition({ body: crd });
    await eventually(
      'the cache to sync once the CRD is served',
      async () => ((await fetch(`${probes}/readyz`)).status === 200 ? true : undefined),
      { timeoutMs: 90_000 },
    );
    await eventually('the gadget to be created', async () => {
      await adminKubeConfig()
        .makeApiClient(CustomObjectsApi)
        .createNamespacedCustomObject({
          group: resource.group,
          version: resource.version,
          namespace,
          plural: resource.plural,
          body: {
            apiVersion: `${resource.group}/${resource.version}`,
            kind: resource.kind,
            metadata: { name: 'g1' },
          },
        });
      return true;
    });
    await eventually('the gadget to be reconciled', () =>
      Promise.resolve(reconciler.of('g1').length > 0 ? true : undefined),
    );
  });
});
