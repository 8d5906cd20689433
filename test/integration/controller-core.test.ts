import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { EventsV1Api } from '@kubernetes/client-node';
import type { Manager } from '../../src/controller';
import { systemClock } from '../../src/controller/clock';
import { EventRecorder, deterministicEventName } from '../../src/controller/events';
import { findCondition } from '../../src/controller/conditions';
import { adminKubeConfig, operatorKubeConfig, uniqueNamespace } from '../support/cluster';
import { readClusterState } from '../support/cluster-state';
import { eventually } from '../../src/testing/eventually';
import { testLogger } from '../../src/testing/test-logger';
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

describe('controller core against a real API server', () => {
  let namespace: string;
  let widgets: Widgets;
  let reconciler: RecordingReconciler;
  let manager: Manager;

  beforeAll(async () => {
    await installWidgetCrd();
    await grantCoreRbac();
    namespace = await uniqueNamespace('ctrl-core');
    widgets = new Widgets(namespace);
    reconciler = new RecordingReconciler();
    manager = testManager(namespace, {
      leaderElection: { enabled: true, namespace, name: 'widget-core' },
    });
    manager.addController({
      name: 'widget',
      resource: WIDGET,
      reconciler,
      finalizer: WIDGET_FINALIZER,
    });
    await manager.start();
    await eventually('the manager to be ready', () =>
      Promise.resolve(manager.ready ? true : undefined),
    );
  });

  afterAll(async () => {
    await manager.stop();
  });

  function readyGeneration(widget: Widget | undefined): number | undefined {
    const ready = findCondition(widget?.status?.conditions, 'Ready');
    return ready?.status === 'True' ? ready.observedGeneration : undefined;
  }

  it('adds the finalizer first, writes status, follows updates, ignores status-only changes and waits for cleanup on delete', async () => {
    await widgets.create('lifecycle', { size: 1 });
    const reconciled = await eventually('status of generation 1', async () => {
      const widget = await widgets.get('lifecycle');
      return readyGeneration(widget) === 1 && widget?.status?.observedGeneration === 1
        ? widget
        : undefined;
    });
    expect(reconciled.metadata?.finalizers).toEqual([WIDGET_FINALIZER]);
    // The first reconcile already saw the finalizer: it was added before any reconcile work.
    expect(reconciler.of('lifecycle')[0]?.finalizers).toEqual([WIDGET_FINALIZER]);
    expect(findCondition(reconciled.status?.conditions, 'Ready')).toMatchObject({
      type: 'Ready',
      status: 'True',
      reason: 'Available',
      message: 'size 1',
      observedGeneration: 1,
    });

    await widgets.patch('lifecycle', { spec: { size: 2 } });
    const updated = await eventually('status of generation 2', async () => {
      const widget = await widgets.get('lifecycle');
      return readyGeneration(widget) === 2 ? widget : undefined;
    });
    expect(findCondition(updated.status?.conditions, 'Ready')?.message).toBe('size 2');
    // The status did not flip, so its transition time stayed.
    expect(findCondition(updated.status?.conditions, 'Ready')?.lastTransitionTime).toBe(
      findCondition(reconciled.status?.conditions, 'Ready')?.lastTransitionTime,
    );

    // Steady state: our own status writes do not start a write loop — the object stays put.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await widgets.get('lifecycle'))?.metadata?.resourceVersion).toBe(
      updated.metadata?.resourceVersion,
    );
    // Nor does someone else's status-only update trigger a reconcile.
    const reconcilesBefore = reconciler.of('lifecycle').length;
    await widgets.patchStatus('lifecycle', { note: 'written by someone else' });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(reconciler.of('lifecycle')).toHaveLength(reconcilesBefore);

    reconciler.cleanupDone = false;
    await widgets.delete('lifecycle');
    await eventually('finalize to be called', () =>
      Promise.resolve(reconciler.of('lifecycle', 'finalize').length >= 2 ? true : undefined),
    );
    const deleting = await widgets.get('lifecycle');
    expect(deleting?.metadata?.deletionTimestamp).toBeDefined();
    expect(deleting?.metadata?.finalizers).toEqual([WIDGET_FINALIZER]);
    reconciler.cleanupDone = true;
    await eventually('the widget to be gone', async () =>
      (await widgets.get('lifecycle')) === undefined ? true : undefined,
    );
  });

  it('coalesces 50 rapid updates into few reconciles, never two at once', async () => {
    await widgets.create('burst', { size: 0 });
    await eventually('the first reconcile', async () =>
      readyGeneration(await widgets.get('burst')) === 1 ? true : undefined,
    );
    // A slow reconcile: updates arriving meanwhile must wait and coalesce.
    reconciler.delayMs = 1_000;
    const before = reconciler.of('burst').length;
    const burstStart = Date.now();
    let last: Widget | undefined;
    for (let size = 1; size <= 50; size++) last = await widgets.patch('burst', { spec: { size } });
    const burstMs = Date.now() - burstStart;
    const finalGeneration = last?.metadata?.generation;
    expect(finalGeneration).toBe(51);
    await eventually('the last generation to be reconciled', async () =>
      readyGeneration(await widgets.get('burst')) === finalGeneration ? true : undefined,
    );
    reconciler.delayMs = 0;
    const reconciles = reconciler.of('burst').length - before;
    // At most one reconcile per second of burst plus the one after it — not one per update.
    expect(reconciles).toBeGreaterThanOrEqual(1);
    expect(reconciles).toBeLessThanOrEqual(Math.ceil(burstMs / 1_000) + 2);
    expect(reconciles).toBeLessThan(25);
    expect(reconciler.overlaps).toBe(0);
  });

  it('backs off after errors and recovers', async () => {
    await widgets.create('flaky', { size: 1 });
    await eventually('the first reconcile', async () =>
      readyGeneration(await widgets.get('flaky')) === 1 ? true : undefined,
    );
    // Settled (finalizer added, status written): the next three attempts fail.
    const attemptsSoFar = reconciler.attempts.get('flaky') ?? 0;
    const before = reconciler.of('flaky').length;
    await widgets.patch('flaky', { spec: { size: 2, failUntil: attemptsSoFar + 3 } });
    await eventually(
      'the widget to recover after 3 failures',
      async () => (readyGeneration(await widgets.get('flaky')) === 2 ? true : undefined),
      { timeoutMs: 90_000 },
    );
    const starts = reconciler
      .of('flaky')
      .slice(before)
      .map((o) => o.startedAt);
    expect(starts).toHaveLength(4);
    const gaps = starts.slice(1).map((start, i) => start - (starts[i] ?? 0));
    // 1 s, 2 s, 4 s: each retry waits twice as long as the one before.
    expect(gaps[0]).toBeGreaterThanOrEqual(950);
    expect(gaps[1]).toBeGreaterThanOrEqual(1_950);
    expect(gaps[2]).toBeGreaterThanOrEqual(3_950);
    const metrics = await (
      await fetch(`http://127.0.0.1:${manager.metricsPort ?? 0}/metrics`)
    ).text();
    const errors = /^controller_runtime_reconcile_errors_total\{controller="widget"\} (\d+)$/m.exec(
      metrics,
    );
    expect(Number(errors?.[1])).toBeGreaterThanOrEqual(3);
  });

  it('aggregates repeated events into one series and posts a deterministic event once', async () => {
    const widget = await widgets.create('noisy', { size: 1 });
    const recorder = new EventRecorder({
      kubeConfig: operatorKubeConfig(),
      logger: testLogger,
      clock: systemClock,
      reportingController: 'vpoperator.dev/vp-operator',
      reportingInstance: 'integration-test',
    });
    const spec = {
      type: 'Warning',
      reason: 'ReconcileError',
      action: 'Reconcile',
      note: 'VVP answered 503',
    } as const;
    for (let i = 0; i < 5; i++) await recorder.event(widget, spec);
    await recorder.event(widget, { ...spec, note: 'VVP answered 500' });
    const name = deterministicEventName(widget, 'vvp-event-42');
    const mirrored = {
      type: 'Normal',
      reason: 'JobStarted',
      action: 'Mirror',
      note: 'job started',
      occurredAt: new Date('2026-11-30T08:15:00.123Z'),
    } as const;
    expect(await recorder.postOnce(widget, name, mirrored)).toBe('posted');
    expect(await recorder.postOnce(widget, name, mirrored)).toBe('alreadyPosted');

    const events = adminKubeConfig().makeApiClient(EventsV1Api);
    const list = await events.listNamespacedEvent({
      namespace,
      fieldSelector: 'regarding.name=noisy',
    });
    const byNote = new Map(list.items.map((event) => [event.note, event]));
    expect(list.items).toHaveLength(3);
    expect(byNote.get('VVP answered 503')?.series?.count).toBe(5);
    expect(byNote.get('VVP answered 503')?.reportingController).toBe('vpoperator.dev/vp-operator');
    expect(byNote.get('VVP answered 503')?.regarding?.uid).toBe(widget.metadata?.uid);
    expect(byNote.get('VVP answered 500')?.series).toBeUndefined();
    expect(byNote.get('job started')?.metadata?.name).toBe(name);
    // A mirrored event keeps the time it happened, not the time it was posted.
    expect(new Date(String(byNote.get('job started')?.eventTime)).toISOString()).toBe(
      '2026-11-30T08:15:00.123Z',
    );
  });

  it('serves metrics that pass promtool, with controller-runtime names', async () => {
    // Built from tools/promtool by global setup, never whatever promtool is on PATH.
    const promtool = readClusterState().promtool;
    if ('error' in promtool) throw new Error(`promtool is unavailable: ${promtool.error}`);
    const response = await fetch(`http://127.0.0.1:${manager.metricsPort ?? 0}/metrics`);
    expect(response.status).toBe(200);
    const body = await response.text();
    for (const family of [
      'controller_runtime_reconcile_total{controller="widget",result="requeue_after"}',
      'controller_runtime_terminal_reconcile_errors_total{controller="widget"}',
      'controller_runtime_reconcile_panics_total{controller="widget"}',
      'controller_runtime_reconcile_time_seconds_bucket{le="0.005",controller="widget"}',
      'controller_runtime_max_concurrent_reconciles{controller="widget"} 4',
      'controller_runtime_active_workers{controller="widget"}',
      'workqueue_depth{name="widget",controller="widget"}',
      'workqueue_adds_total{name="widget",controller="widget"}',
      'workqueue_retries_total{name="widget",controller="widget"}',
      'workqueue_queue_duration_seconds_bucket{le="1e-8",name="widget",controller="widget"}',
      'workqueue_work_duration_seconds_count{name="widget",controller="widget"}',
      'workqueue_unfinished_work_seconds{name="widget",controller="widget"}',
      'workqueue_longest_running_processor_seconds{name="widget",controller="widget"}',
      'leader_election_master_status{name="widget-core"} 1',
      'process_cpu_user_seconds_total',
    ]) {
      expect(body).toContain(family);
    }
    const lint = await new Promise<{ code: number; output: string }>((resolve) => {
      const child = execFile(promtool.path, ['check', 'metrics'], (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : Number(error.code ?? 1),
          output: `${stdout}${stderr}`,
        });
      });
      child.stdin?.end(body);
    });
    expect(lint).toEqual({ code: 0, output: '' });
  });

  it('reports live and ready on the health port', async () => {
    const base = `http://127.0.0.1:${manager.healthProbePort ?? 0}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz?verbose`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toContain('[+]informers-synced ok');
  });
});
