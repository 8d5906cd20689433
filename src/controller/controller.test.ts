import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { Controller, retryAfterOf, type Reconciler, type ReconcileResult } from './controller';
import { TerminalError, ConflictError } from './errors';
import { FakeClock, flushPromises } from './fake-clock';
import { objectKey } from './keys';
import { ControllerMetrics } from './metrics';
import type { MetadataChanges, ObjectWriter } from './resource';
import { testLogger } from '../testing/test-logger';
import type { Widget } from '../testing/widget';

function widget(name: string, overrides: Partial<NonNullable<Widget['metadata']>> = {}): Widget {
  return {
    apiVersion: 'test.vpoperator.dev/v1',
    kind: 'Widget',
    metadata: { name, namespace: 'ns', generation: 1, resourceVersion: '1', ...overrides },
  };
}

/** The informer cache and the API server, in memory. */
class InMemoryCluster implements ObjectWriter<Widget> {
  readonly objects = new Map<string, Widget>();
  readonly writes: string[] = [];
  #version = 1;

  put(object: Widget): Widget {
    const stored = {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(++this.#version) },
    };
    this.objects.set(objectKey(stored), stored);
    return stored;
  }

  get(name: string, namespace?: string): Widget | undefined {
    return this.objects.get(namespace === undefined ? name : `${namespace}/${name}`);
  }

  list(): Widget[] {
    return [...this.objects.values()];
  }

  patchStatus(object: Widget, desired: Record<string, unknown>): Promise<Widget> {
    this.writes.push(`status ${objectKey(object)}`);
    return Promise.resolve(this.put({ ...object, status: desired }));
  }

  patchMetadata(object: Widget, changes: MetadataChanges): Promise<Widget> {
    this.writes.push(`metadata ${objectKey(object)}`);
    const merge = (
      current: Record<string, string> = {},
      patch: Record<string, string | null> = {},
    ) =>
      Object.fromEntries(
        Object.entries({ ...current, ...patch }).filter(
          (entry): entry is [string, string] => entry[1] !== null,
        ),
      );
    const metadata = {
      ...object.metadata,
      labels: merge(object.metadata?.labels, changes.labels),
      annotations: merge(object.metadata?.annotations, changes.annotations),
    };
    return Promise.resolve(this.put({ ...object, metadata }));
  }

  addFinalizer(object: Widget, finalizer: string): Promise<Widget> {
    this.writes.push(`add-finalizer ${objectKey(object)}`);
    const finalizers = [...(object.metadata?.finalizers ?? []), finalizer];
    return Promise.resolve(this.put({ ...object, metadata: { ...object.metadata, finalizers } }));
  }

  removeFinalizer(object: Widget, finalizer: string): Promise<Widget> {
    this.writes.push(`remove-finalizer ${objectKey(object)}`);
    const finalizers = (object.metadata?.finalizers ?? []).filter((entry) => entry !== finalizer);
    return Promise.resolve(this.put({ ...object, metadata: { ...object.metadata, finalizers } }));
  }
}

const emptyCache = { get: () => undefined, list: () => [] };
const unusedSecrets = {
  get: () => Promise.reject(new Error('no Secrets in this test')),
  create: () => Promise.reject(new Error('no Secrets in this test')),
  update: () => Promise.reject(new Error('no Secrets in this test')),
  delete: () => Promise.reject(new Error('no Secrets in this test')),
};

interface Setup {
  reconciler: Reconciler<Widget>;
  finalizer?: string;
  maxConcurrentReconciles?: number;
  resyncPeriod?: number;
  random?: () => number;
  reactToAnnotations?: string[];
}

function setup(options: Setup) {
  const clock = new FakeClock();
  const world = new InMemoryCluster();
  const registry = new Registry();
  const controller = new Controller<Widget>({
    name: 'widget',
    reconciler: options.reconciler,
    store: world,
    client: world,
    cache: emptyCache,
    secrets: unusedSecrets,
    events: { event: () => Promise.resolve(), postOnce: () => Promise.resolve('posted') },
    ...(options.finalizer === undefined ? {} : { finalizer: options.finalizer }),
    reactToAnnotations: options.reactToAnnotations ?? ['test.vpoperator.dev/'],
    maxConcurrentReconciles: options.maxConcurrentReconciles ?? 4,
    resyncPeriod: options.resyncPeriod ?? 0,
    random: options.random ?? (() => 0.5),
    metrics: ControllerMetrics.for(registry),
    clock,
    logger: testLogger,
  });
  const create = (object: Widget): Widget => {
    const stored = world.put(object);
    controller.onAdd(stored);
    return stored;
  };
  const update = (object: Widget): Widget => {
    const stored = world.put(object);
    controller.onUpdate(stored);
    return stored;
  };
  return { clock, world, registry, controller, create, update };
}

async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`metric ${name} not registered`);
  const { values } = await metric.get();
  const match = values.find((value) =>
    Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
  );
  return match?.value ?? Number.NaN;
}

/** A reconciler that records calls and lets the test decide when each one finishes. */
class ManualReconciler implements Reconciler<Widget> {
  readonly calls: string[] = [];
  readonly #pending: { key: string; finish: (result?: ReconcileResult) => void }[] = [];
  active = 0;
  maxActive = 0;
  readonly activeKeys = new Set<string>();
  overlaps = 0;

  reconcile(object: Widget): Promise<ReconcileResult | undefined> {
    const key = objectKey(object);
    this.calls.push(key);
    if (this.activeKeys.has(key)) this.overlaps++;
    this.activeKeys.add(key);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    return new Promise((resolve) => {
      this.#pending.push({
        key,
        finish: (result) => {
          this.active--;
          this.activeKeys.delete(key);
          resolve(result);
        },
      });
    });
  }

  get pending(): number {
    return this.#pending.length;
  }

  async finishAll(result?: ReconcileResult): Promise<void> {
    for (const entry of this.#pending.splice(0)) entry.finish(result);
    await flushPromises();
  }
}

/** A controller with a finalizer whose reconciles log the generation they were given. */
function withFinalizerLoggingGenerations() {
  const log: string[] = [];
  const result = setup({
    finalizer: 'test.vpoperator.dev/cleanup',
    reconciler: {
      reconcile: (object) => {
        log.push(`reconcile generation=${String(object.metadata?.generation)}`);
        return Promise.resolve(undefined);
      },
      finalize: () => Promise.resolve(undefined),
    },
  });
  return { ...result, log };
}

describe('Controller', () => {
  it('runs at most maxConcurrentReconciles at once and never one key twice at once', async () => {
    const reconciler = new ManualReconciler();
    const { controller, create, world } = setup({ reconciler, maxConcurrentReconciles: 3 });
    controller.start();
    for (let i = 0; i < 10; i++) create(widget(`w${i}`));
    await flushPromises();
    expect(reconciler.active).toBe(3);
    // Events for objects being reconciled are held back, not run in parallel.
    for (const object of world.list())
      controller.onUpdate({ ...object, metadata: { ...object.metadata, generation: 2 } });
    for (let round = 0; round < 10 && reconciler.pending > 0; round++) await reconciler.finishAll();
    expect(reconciler.maxActive).toBe(3);
    expect(reconciler.overlaps).toBe(0);
    // Each object: once for the add; the 3 busy ones once more for the update seen meanwhile;
    // the 7 waiting ones had the update coalesced into their pending add.
    expect(reconciler.calls).toHaveLength(13);
    await controller.stop(1_000);
  });

  it('queues every cached object on start and ignores events before it', async () => {
    const reconciler = new ManualReconciler();
    const { controller, create } = setup({ reconciler });
    create(widget('a'));
    create(widget('b'));
    await flushPromises();
    expect(reconciler.calls).toEqual([]);
    controller.start();
    await flushPromises();
    expect(reconciler.calls.sort()).toEqual(['ns/a', 'ns/b']);
    await reconciler.finishAll();
    await controller.stop(1_000);
  });

  it('reconciles on generation, deletion, finalizer and watched-annotation changes only', async () => {
    const reconciler = new ManualReconciler();
    const { controller, create, update } = setup({ reconciler });
    controller.start();
    let object = create(widget('a'));
    await flushPromises();
    await reconciler.finishAll();
    const changes: [string, (w: Widget) => Widget, boolean][] = [
      ['status only', (w) => ({ ...w, status: { attempts: 1 } }), false],
      ['labels', (w) => ({ ...w, metadata: { ...w.metadata, labels: { x: 'y' } } }), false],
      [
        'foreign annotation',
        (w) => ({ ...w, metadata: { ...w.metadata, annotations: { 'other.io/x': '1' } } }),
        false,
      ],
      ['generation', (w) => ({ ...w, metadata: { ...w.metadata, generation: 2 } }), true],
      [
        'watched annotation',
        (w) => ({
          ...w,
          metadata: {
            ...w.metadata,
            annotations: { ...w.metadata?.annotations, 'test.vpoperator.dev/paused': 'true' },
          },
        }),
        true,
      ],
      [
        'finalizers',
        (w) => ({ ...w, metadata: { ...w.metadata, finalizers: ['other.io/keep'] } }),
        true,
      ],
      [
        'deletion',
        (w) => ({ ...w, metadata: { ...w.metadata, deletionTimestamp: new Date() } }),
        true,
      ],
    ];
    for (const [what, change, expected] of changes) {
      const before = reconciler.calls.length;
      object = update(change(object));
      await flushPromises();
      await reconciler.finishAll();
      expect({ what, reconciled: reconciler.calls.length > before }).toEqual({
        what,
        reconciled: expected,
      });
    }
    await controller.stop(1_000);
  });

  it('retries failures with backoff doubling from 1 s and resets it after a success', async () => {
    let failuresLeft = 4;
    const times: number[] = [];
    const { controller, create, clock, registry } = setup({
      reconciler: {
        reconcile: () => {
          times.push(clock.now());
          if (failuresLeft-- > 0) return Promise.reject(new Error('VVP unavailable'));
          return Promise.resolve({ requeueAfter: 30_000 });
        },
      },
    });
    const start = clock.now();
    controller.start();
    create(widget('a'));
    await clock.advance(100_000);
    expect(times.map((time) => time - start)).toEqual([
      0, 1_000, 3_000, 7_000, 15_000, 45_000, 75_000,
    ]);
    expect(
      await metricValue(registry, 'controller_runtime_reconcile_errors_total', {
        controller: 'widget',
      }),
    ).toBe(4);
    expect(await metricValue(registry, 'workqueue_retries_total', { name: 'widget' })).toBe(4);
    expect(
      await metricValue(registry, 'controller_runtime_reconcile_total', {
        controller: 'widget',
        result: 'requeue_after',
      }),
    ).toBe(3);
    // After the success the next failure starts from 1 s again.
    failuresLeft = 1;
    times.length = 0;
    await clock.advance(30_000 + 1_000);
    expect(times.map((time) => time - (times[0] ?? 0))).toEqual([0, 1_000]);
    await controller.stop(1_000);
  });

  it('waits max(backoff, retryAfterMs) when an error carries retryAfterMs', async () => {
    const times: number[] = [];
    // A platform answering 503 with Retry-After: 20 s twice, then a plain failure.
    const retryAfters = [20_000, 20_000, undefined];
    const { controller, create, clock } = setup({
      reconciler: {
        reconcile: () => {
          times.push(clock.now());
          if (retryAfters.length === 0) return Promise.resolve({ requeueAfter: 3_600_000 });
          const retryAfterMs = retryAfters.shift();
          return Promise.reject(
            Object.assign(
              new Error('platform unavailable'),
              retryAfterMs === undefined ? {} : { retryAfterMs },
            ),
          );
        },
      },
    });
    const start = clock.now();
    controller.start();
    create(widget('a'));
    await clock.advance(100_000);
    // 20 s beats the 1 s and 2 s backoff; the third failure backs off 4 s, as without a hint.
    expect(times.map((time) => time - start)).toEqual([0, 20_000, 40_000, 44_000]);
    await controller.stop(1_000);
  });

  it('reads retryAfterMs duck-typed, ignoring values that are not a usable delay', () => {
    expect(retryAfterOf({ retryAfterMs: 1_500 })).toBe(1_500);
    expect(retryAfterOf(Object.assign(new Error('x'), { retryAfterMs: 10 }))).toBe(10);
    for (const value of [-1, Number.NaN, Number.POSITIVE_INFINITY, '1000', null]) {
      expect(retryAfterOf({ retryAfterMs: value })).toBe(0);
    }
    expect(retryAfterOf(new Error('plain'))).toBe(0);
    expect(retryAfterOf('thrown string')).toBe(0);
  });

  it('requeues keys a secondary watch names, only once started, coalesced like any event', async () => {
    const reconciler = new ManualReconciler();
    const { controller, create } = setup({ reconciler });
    create(widget('a'));
    controller.requeue('ns/a');
    await flushPromises();
    expect(reconciler.calls).toEqual([]);
    controller.start();
    await flushPromises();
    await reconciler.finishAll();
    // The first requeue goes straight to an idle worker; the next two arrive while it runs
    // and are coalesced into one more reconcile afterwards.
    controller.requeue('ns/a');
    controller.requeue('ns/a');
    controller.requeue('ns/a');
    // A key whose object is not cached is dropped by the worker without a reconcile.
    controller.requeue('ns/unknown');
    await flushPromises();
    expect(reconciler.calls).toEqual(['ns/a', 'ns/a']);
    await reconciler.finishAll();
    expect(reconciler.calls).toEqual(['ns/a', 'ns/a', 'ns/a']);
    await reconciler.finishAll();
    await controller.stop(1_000);
  });

  it('hands the reconciler the cache and the Secret client it was built with', async () => {
    const seen: unknown[] = [];
    const { controller, create } = setup({
      reconciler: {
        reconcile: (_object, context) => {
          seen.push(context.cache, context.secrets);
          return Promise.resolve(undefined);
        },
      },
    });
    controller.start();
    create(widget('a'));
    await flushPromises();
    expect(seen).toEqual([emptyCache, unusedSecrets]);
    await controller.stop(1_000);
  });

  it('honours requeueAfter instead of the resync, while events still reconcile at once', async () => {
    const times: number[] = [];
    const { controller, create, update, clock } = setup({
      resyncPeriod: 60_000,
      reconciler: {
        reconcile: () => {
          times.push(clock.now());
          return Promise.resolve({ requeueAfter: 10_000 });
        },
      },
    });
    const start = clock.now();
    controller.start();
    const object = create(widget('a'));
    await clock.advance(25_000);
    expect(times.map((time) => time - start)).toEqual([0, 10_000, 20_000]);
    update({ ...object, metadata: { ...object.metadata, generation: 2 } });
    await clock.advance(0);
    expect(times.map((time) => time - start)).toEqual([0, 10_000, 20_000, 25_000]);
    await controller.stop(1_000);
  });

  it('caps the backoff at 5 minutes', async () => {
    const times: number[] = [];
    const { controller, create, clock } = setup({
      reconciler: {
        reconcile: () => {
          times.push(clock.now());
          return Promise.reject(new Error('still failing'));
        },
      },
    });
    controller.start();
    create(widget('a'));
    await clock.advance(60 * 60_000);
    const gaps = times.slice(1).map((time, index) => time - (times[index] ?? 0));
    expect(Math.max(...gaps)).toBe(300_000);
    expect(gaps.slice(-3)).toEqual([300_000, 300_000, 300_000]);
    await controller.stop(1_000);
  });

  it('resyncs every object after a success, jittered by ±10 %', async () => {
    for (const [random, expectedDelay] of [
      [0, 54_000],
      [0.5, 60_000],
      [0.999_999, 66_000],
    ] as const) {
      const times: number[] = [];
      const { controller, create, clock } = setup({
        resyncPeriod: 60_000,
        random: () => random,
        reconciler: {
          reconcile: () => {
            times.push(clock.now());
            return Promise.resolve(undefined);
          },
        },
      });
      controller.start();
      create(widget('a'));
      await clock.advance(70_000);
      const [first = 0, second = 0] = times;
      expect(Math.round((second - first) / 1000) * 1000).toBe(expectedDelay);
      await controller.stop(1_000);
    }
  });

  it('does not retry terminal errors and counts them apart', async () => {
    let calls = 0;
    const { controller, create, update, clock, registry } = setup({
      resyncPeriod: 60_000,
      reconciler: {
        reconcile: () => {
          calls++;
          return Promise.reject(new TerminalError('spec.size must be positive'));
        },
      },
    });
    controller.start();
    const object = create(widget('a'));
    await clock.advance(600_000);
    expect(calls).toBe(1);
    expect(
      await metricValue(registry, 'controller_runtime_terminal_reconcile_errors_total', {
        controller: 'widget',
      }),
    ).toBe(1);
    expect(
      await metricValue(registry, 'controller_runtime_reconcile_errors_total', {
        controller: 'widget',
      }),
    ).toBe(1);
    // A change to the object reconciles it again.
    update({ ...object, metadata: { ...object.metadata, generation: 2 } });
    await clock.advance(0);
    expect(calls).toBe(2);
    await controller.stop(1_000);
  });

  it('recovers from thrown non-Error values (panics), counts and retries them', async () => {
    let calls = 0;
    const { controller, create, clock, registry } = setup({
      reconciler: {
        reconcile: () => {
          calls++;
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
          if (calls === 1) throw 'boom';
          return Promise.resolve(undefined);
        },
      },
    });
    controller.start();
    create(widget('a'));
    await clock.advance(1_000);
    expect(calls).toBe(2);
    expect(
      await metricValue(registry, 'controller_runtime_reconcile_panics_total', {
        controller: 'widget',
      }),
    ).toBe(1);
    expect(
      await metricValue(registry, 'controller_runtime_reconcile_total', {
        controller: 'widget',
        result: 'success',
      }),
    ).toBe(1);
    await controller.stop(1_000);
  });

  it('requeues conflicts quietly with result=requeue', async () => {
    let calls = 0;
    const { controller, create, clock, registry } = setup({
      reconciler: {
        reconcile: () => {
          calls++;
          return calls === 1
            ? Promise.reject(new ConflictError('resourceVersion changed'))
            : Promise.resolve(undefined);
        },
      },
    });
    controller.start();
    create(widget('a'));
    await clock.advance(1_000);
    expect(calls).toBe(2);
    expect(
      await metricValue(registry, 'controller_runtime_reconcile_total', {
        controller: 'widget',
        result: 'requeue',
      }),
    ).toBe(1);
    expect(
      await metricValue(registry, 'controller_runtime_reconcile_errors_total', {
        controller: 'widget',
      }),
    ).toBe(0);
    await controller.stop(1_000);
  });

  it('adds the finalizer before reconciling and removes it only after finalize() completes', async () => {
    const log: string[] = [];
    let cleanupDone = false;
    const setupResult = setup({
      finalizer: 'test.vpoperator.dev/cleanup',
      reconciler: {
        reconcile: (object) => {
          log.push(`reconcile finalizers=${JSON.stringify(object.metadata?.finalizers)}`);
          return Promise.resolve(undefined);
        },
        finalize: () => {
          log.push('finalize');
          return Promise.resolve(cleanupDone ? undefined : { requeueAfter: 5_000 });
        },
      },
    });
    const { controller, create, update, world, clock } = setupResult;
    controller.start();
    create(widget('a'));
    await clock.advance(0);
    expect(world.writes).toEqual(['add-finalizer ns/a']);
    expect(log).toEqual(['reconcile finalizers=["test.vpoperator.dev/cleanup"]']);
    const stored = world.get('a', 'ns') as Widget;
    update({ ...stored, metadata: { ...stored.metadata, deletionTimestamp: new Date() } });
    await clock.advance(0);
    expect(log.slice(1)).toEqual(['finalize']);
    expect(world.get('a', 'ns')?.metadata?.finalizers).toEqual(['test.vpoperator.dev/cleanup']);
    cleanupDone = true;
    await clock.advance(5_000);
    expect(log.slice(1)).toEqual(['finalize', 'finalize']);
    expect(world.writes).toEqual(['add-finalizer ns/a', 'remove-finalizer ns/a']);
    expect(world.get('a', 'ns')?.metadata?.finalizers).toEqual([]);
    await controller.stop(1_000);
  });

  it("takes its own finalizer write as seen: the informer's echo does not reconcile again", async () => {
    const { log, controller, create, update, world, clock } = withFinalizerLoggingGenerations();
    // The API server's watch is often faster than the write's answer: the echo comes first.
    const addFinalizer = world.addFinalizer.bind(world);
    world.addFinalizer = async (object, finalizer) => {
      const stored = await addFinalizer(object, finalizer);
      controller.onUpdate(stored);
      return stored;
    };
    controller.start();
    create(widget('a'));
    await clock.advance(0);
    const echoed = world.get('a', 'ns') as Widget;
    // And a late duplicate of it (a re-list) is no news either.
    controller.onUpdate(echoed);
    await clock.advance(0);
    expect(log).toEqual(['reconcile generation=1']);
    // A spec change arriving after it is news as before.
    update({ ...echoed, metadata: { ...echoed.metadata, generation: 2 } });
    await clock.advance(0);
    expect(log).toEqual(['reconcile generation=1', 'reconcile generation=2']);
    await controller.stop(1_000);
  });

  it('reconciles again when the echo of its finalizer write carries another change', async () => {
    const { log, controller, create, update, world, clock } = withFinalizerLoggingGenerations();
    controller.start();
    create(widget('a'));
    await clock.advance(0);
    const echoed = world.get('a', 'ns') as Widget;
    // Someone edited the spec right after the finalizer was added; one event brings both.
    update({ ...echoed, metadata: { ...echoed.metadata, generation: 2 } });
    await clock.advance(0);
    expect(log).toEqual(['reconcile generation=1', 'reconcile generation=2']);
    await controller.stop(1_000);
  });

  it('rejects a finalizer without finalize()', () => {
    expect(() =>
      setup({
        finalizer: 'test.vpoperator.dev/cleanup',
        reconciler: { reconcile: () => Promise.resolve(undefined) },
      }),
    ).toThrow(
      /finalizer test.vpoperator.dev\/cleanup is set but the reconciler has no finalize\(\)/,
    );
  });

  it('stop() lets in-flight reconciles finish and takes no new work', async () => {
    const reconciler = new ManualReconciler();
    const { controller, create, clock } = setup({ reconciler, maxConcurrentReconciles: 1 });
    controller.start();
    create(widget('a'));
    create(widget('b'));
    await clock.advance(0);
    expect(reconciler.calls).toEqual(['ns/a']);
    let stopped: boolean | undefined;
    void controller.stop(10_000).then((result) => (stopped = result));
    await clock.advance(1_000);
    expect(stopped).toBeUndefined();
    await reconciler.finishAll();
    await flushPromises();
    expect(stopped).toBe(true);
    expect(reconciler.calls).toEqual(['ns/a']);
  });

  it('stop() gives up after the timeout and aborts the reconcile signal', async () => {
    let signal: AbortSignal | undefined;
    const { controller, create, clock } = setup({
      reconciler: {
        reconcile: (_object, context) => {
          signal = context.signal;
          return new Promise(() => undefined);
        },
      },
    });
    controller.start();
    create(widget('a'));
    await clock.advance(0);
    let stopped: boolean | undefined;
    void controller.stop(10_000).then((result) => (stopped = result));
    await clock.advance(9_999);
    expect(stopped).toBeUndefined();
    expect(signal?.aborted).toBe(false);
    await clock.advance(1);
    expect(stopped).toBe(false);
    expect(signal?.aborted).toBe(true);
  });
});
