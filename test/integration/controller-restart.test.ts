import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Manager } from '../../src/controller';
import { findCondition } from '../../src/controller/conditions';
import { restartApiServer, testCluster, uniqueNamespace } from '../support/cluster';
import { eventually } from '../../src/testing/eventually';
import {
  RecordingReconciler,
  WIDGET,
  WIDGET_FINALIZER,
  Widgets,
  grantCoreRbac,
  installWidgetCrd,
  testManager,
  type Widget,
} from './controller-helpers';

function readyGeneration(widget: Widget | undefined): number | undefined {
  const ready = findCondition(widget?.status?.conditions, 'Ready');
  return ready?.status === 'True' ? ready.observedGeneration : undefined;
}

describe('controller core across an API server restart', () => {
  let widgets: Widgets;
  let reconciler: RecordingReconciler;
  let manager: Manager;

  beforeAll(async () => {
    await installWidgetCrd();
    await grantCoreRbac();
    const namespace = await uniqueNamespace('ctrl-restart');
    widgets = new Widgets(namespace);
    reconciler = new RecordingReconciler();
    // The hour-long resync means only the resumed watch can deliver the update below.
    manager = testManager(namespace);
    manager.addController({
      name: 'widget',
      resource: WIDGET,
      reconciler,
      finalizer: WIDGET_FINALIZER,
    });
    await manager.start();
  });

  afterAll(async () => {
    await manager.stop();
  });

  it('resumes the cut watch and sees an update made right after the server came back', async () => {
    if (testCluster().existingCluster) {
      await expect(restartApiServer()).rejects.toThrow(/existing cluster/);
      return;
    }
    await widgets.create('survivor', { size: 1 });
    await eventually('generation 1 to be reconciled', async () =>
      readyGeneration(await widgets.get('survivor')) === 1 ? true : undefined,
    );

    await restartApiServer();
    // Made before the informer has had a chance to reconnect (it is in backoff now).
    await eventually('the update to be accepted', async () => {
      await widgets.patch('survivor', { spec: { size: 2 } });
      return true;
    });
    await eventually(
      'generation 2 to be reconciled through the resumed watch',
      async () => (readyGeneration(await widgets.get('survivor')) === 2 ? true : undefined),
      { timeoutMs: 90_000 },
    );
    expect(reconciler.of('survivor').map((o) => o.generation)).toContain(2);

    // Probes stay green: a restarted API server is not a reason to restart the operator.
    const base = `http://127.0.0.1:${manager.healthProbePort ?? 0}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});
