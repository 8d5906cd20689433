import type { Logger } from '../logging';
import { jittered, type BackoffOptions, type RandomSource } from './backoff';
import { sleep, type Clock } from './clock';
import { TerminalError, describeError, isConflict } from './errors';
import type { EventSpec, PostOnceResult } from './events';
import { objectKey, parseObjectKey, type ObjectKey } from './keys';
import type { ControllerMetrics, ReconcileMetrics, ReconcileResultLabel } from './metrics';
import {
  reconcileTrigger,
  triggerChanged,
  type AnnotationFilter,
  type ReconcileTrigger,
} from './predicates';
import type { ObjectWriter } from './resource';
import type { SecretClient } from './secrets';
import type { CacheReader } from './shared-informers';
import { WorkQueue } from './workqueue';
import type { KubeObject } from './kube-object';

/** What a reconcile asks for next. */
export interface ReconcileResult {
  /**
   * Reconcile this object again after this many ms (instead of the periodic resync); e.g.
   * 10 s while a remote transition is in flight. Resets the error backoff.
   */
  requeueAfter?: number;
}

/** Posts Kubernetes Events; see {@link EventRecorder}. Never throws. */
export interface EventSink {
  event(object: KubeObject, event: EventSpec): Promise<void>;
  postOnce(object: KubeObject, name: string, event: EventSpec): Promise<PostOnceResult>;
}

/** What a reconciler gets besides the object. */
export interface ReconcileContext<T extends KubeObject> {
  /** Logger bound to the controller and the object. */
  logger: Logger;
  /**
   * Aborted when the controller stops: at once when leadership is lost, after
   * `shutdownTimeout` on a graceful stop. Hand it to every remote call and wait (HTTP
   * requests, retry sleeps): after a lost lease, another replica may start acting within
   * leaseDuration - renewDeadline (5 s), and a call still in flight then races it.
   */
  signal: AbortSignal;
  /** Status, metadata and finalizer writes; each returns the updated object. */
  client: ObjectWriter<T>;
  /** The informer caches: this controller's kind and every watched kind. */
  cache: CacheReader;
  /** Core-group Secrets, read and written directly on the API server. */
  secrets: SecretClient;
  /** Kubernetes Events about reconciled objects. */
  events: EventSink;
  /** The controller's clock, for condition timestamps. */
  now(): Date;
}

/**
 * The one thing a controller plugs in. The core reads the object from the informer cache and
 * calls {@link reconcile}; the reconciler never touches informers or the queue.
 *
 * Outcomes: resolving schedules the next periodic resync (or `requeueAfter`); throwing retries
 * with per-object exponential backoff (1 s doubling to 5 min); throwing a
 * {@link TerminalError} stops retrying until the object changes; a conflict (HTTP 409 or
 * {@link ConflictError}) is retried quietly.
 */
export interface Reconciler<T extends KubeObject> {
  /** Drives the world towards `object`'s spec and reports in its status. */
  reconcile(object: T, context: ReconcileContext<T>): Promise<ReconcileResult | undefined>;
  /**
   * Cleans up external state of an object being deleted. Required when the controller has a
   * `finalizer`; called only while the object still carries it. Resolving without
   * `requeueAfter` means cleanup is complete and the core removes the finalizer; resolving
   * with it means "still in progress, ask again later".
   */
  finalize?(object: T, context: ReconcileContext<T>): Promise<ReconcileResult | undefined>;
}

/** Read access to the cache. */
export interface ObjectStore<T extends KubeObject> {
  get(name: string, namespace?: string): T | undefined;
  list(): readonly T[];
}

export interface ControllerOptions<T extends KubeObject> {
  /** Names the controller in logs and metrics (`controller` label). */
  name: string;
  reconciler: Reconciler<T>;
  store: ObjectStore<T>;
  client: ObjectWriter<T>;
  cache: CacheReader;
  secrets: SecretClient;
  events: EventSink;
  /**
   * Domain-qualified finalizer (e.g. `vpoperator.dev/cleanup`), added before the first
   * reconcile and removed once {@link Reconciler.finalize} completes. Without it, objects
   * being deleted are passed to `reconcile` like any other.
   */
  finalizer?: string;
  /** Annotation keys/prefixes whose change triggers a reconcile; see {@link AnnotationFilter}. */
  reactToAnnotations?: AnnotationFilter;
  maxConcurrentReconciles: number;
  /** Every object is reconciled again this long (ms, ±10 % jitter) after a success; 0 = never. */
  resyncPeriod: number;
  backoff?: BackoffOptions;
  metrics: ControllerMetrics;
  clock: Clock;
  random?: RandomSource;
  logger: Logger;
}

const RESYNC_JITTER = 0.1;
/** Returned by the finalizer path once the finalizer is gone: nothing left to resync. */
const FINISHED = Symbol('finished');

/**
 * Runs a {@link Reconciler} over a coalescing work queue with N workers, feeding it from
 * informer events filtered by {@link triggerChanged}. Events are tracked from construction;
 * keys are queued only between {@link start} and {@link stop}, which leader election gates.
 */
export class Controller<T extends KubeObject> {
  readonly name: string;
  readonly #options: ControllerOptions<T>;
  readonly #logger: Logger;
  readonly #metrics: ReconcileMetrics;
  readonly #queue: WorkQueue;
  readonly #triggers = new Map<ObjectKey, ReconcileTrigger>();
  readonly #filter: AnnotationFilter;
  readonly #abort = new AbortController();
  readonly #workers: Promise<void>[] = [];
  #started = false;

  constructor(options: ControllerOptions<T>) {
    if (options.finalizer !== undefined && options.reconciler.finalize === undefined) {
      throw new Error(
        `controller ${options.name}: finalizer ${options.finalizer} is set but the reconciler has no finalize() to clean up with`,
      );
    }
    if (!Number.isInteger(options.maxConcurrentReconciles) || options.maxConcurrentReconciles < 1) {
      throw new Error(
        `controller ${options.name}: maxConcurrentReconciles must be a positive integer, got ${options.maxConcurrentReconciles}`,
      );
    }
    this.name = options.name;
    this.#options = options;
    this.#filter = options.reactToAnnotations ?? [];
    this.#logger = options.logger.child({ controller: options.name });
    this.#metrics = options.metrics.forController(options.name, options.maxConcurrentReconciles);
    options.metrics.forObjects(options.name, {
      objects: () => options.store.list(),
      now: () => options.clock.now(),
    });
    this.#queue = new WorkQueue<ObjectKey>({
      clock: options.clock,
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      metrics: options.metrics.forQueue(options.name, {
        inFlightStartTimes: () => this.#queue.inFlightStartTimes(),
        now: () => options.clock.now(),
      }),
    });
  }

  /** Informer callback: a new object (or one seen for the first time after a re-list). */
  onAdd(object: T): void {
    const key = objectKey(object);
    this.#triggers.set(key, reconcileTrigger(object, this.#filter));
    if (this.#started) this.#queue.add(key);
  }

  /** Informer callback: reconciles only if a {@link ReconcileTrigger} field changed. */
  onUpdate(object: T): void {
    const key = objectKey(object);
    const next = reconcileTrigger(object, this.#filter);
    const previous = this.#triggers.get(key);
    this.#triggers.set(key, next);
    if (this.#started && (previous === undefined || triggerChanged(previous, next))) {
      this.#queue.add(key);
    }
  }

  /**
   * Queues the object `key` names because something it depends on changed (a
   * {@link SecondaryWatch}). Ignored until {@link start}, which queues every object anyway.
   */
  requeue(key: ObjectKey): void {
    if (this.#started) this.#queue.add(key);
  }

  /** Informer callback: the object is gone; drop everything pending for it. */
  onDelete(object: T): void {
    const key = objectKey(object);
    this.#triggers.delete(key);
    this.#queue.discard(key);
  }

  /** Starts the workers and queues every cached object. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const object of this.#options.store.list()) this.#queue.add(objectKey(object));
    for (let i = 0; i < this.#options.maxConcurrentReconciles; i++)
      this.#workers.push(this.#work());
    this.#logger.info({ workers: this.#options.maxConcurrentReconciles }, 'controller started');
  }

  /**
   * Stops taking work and waits up to `timeoutMs` for in-flight reconciles to finish; then
   * aborts their {@link ReconcileContext.signal}. Resolves true if all finished in time.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    if (!this.#started) return true;
    this.#queue.shutdown();
    const deadline = new AbortController();
    const finished = await Promise.race([
      Promise.all(this.#workers).then(() => true),
      sleep(this.#options.clock, timeoutMs, deadline.signal).then(() => false),
    ]);
    deadline.abort();
    if (!finished) {
      this.#logger.warn(
        { timeoutMs },
        'reconciles still running at shutdown deadline; aborting them',
      );
    }
    this.#abort.abort();
    this.#logger.info('controller stopped');
    return finished;
  }

  /** Stops at once: no new work, in-flight reconciles see their signal aborted. */
  abort(): void {
    this.#queue.shutdown();
    this.#abort.abort();
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      this.#metrics.activeWorkers(1);
      try {
        await this.#process(key);
      } finally {
        this.#metrics.activeWorkers(-1);
        this.#queue.done(key);
      }
    }
  }

  async #process(key: ObjectKey): Promise<void> {
    const { name, namespace } = parseObjectKey(key);
    const object = this.#options.store.get(name, namespace);
    if (object === undefined) {
      this.#queue.discard(key);
      return;
    }
    const clock = this.#options.clock;
    const logger = this.#logger.child({ object: key });
    const context: ReconcileContext<T> = {
      logger,
      signal: this.#abort.signal,
      client: this.#options.client,
      cache: this.#options.cache,
      secrets: this.#options.secrets,
      events: this.#options.events,
      now: () => new Date(clock.now()),
    };
    const startedAt = clock.now();
    let label: ReconcileResultLabel;
    try {
      const result = await this.#invoke(object, context);
      this.#queue.forget(key);
      if (result === FINISHED) {
        label = 'success';
      } else if (result?.requeueAfter !== undefined && result.requeueAfter > 0) {
        label = 'requeue_after';
        this.#queue.addAfter(key, result.requeueAfter);
      } else {
        label = 'success';
        if (this.#options.resyncPeriod > 0) {
          this.#queue.addAfter(
            key,
            jittered(this.#options.resyncPeriod, RESYNC_JITTER, this.#options.random),
          );
        }
      }
    } catch (error) {
      label = this.#handleError(key, error, logger);
    }
    this.#metrics.reconciled(label, (clock.now() - startedAt) / 1000);
  }

  #handleError(key: ObjectKey, error: unknown, logger: Logger): ReconcileResultLabel {
    const retryAfterMs = retryAfterOf(error);
    if (isConflict(error)) {
      const delay = this.#queue.addRateLimited(key, retryAfterMs);
      logger.debug({ err: describeError(error), retryInMs: delay }, 'conflict; requeued');
      return 'requeue';
    }
    if (error instanceof TerminalError) {
      this.#queue.forget(key);
      this.#metrics.errored('terminal');
      logger.error(
        { err: describeError(error) },
        'reconcile failed terminally; waiting for the object to change',
      );
      return 'error';
    }
    const panic = !(error instanceof Error);
    this.#metrics.errored(panic ? 'panic' : 'error');
    const delay = this.#queue.addRateLimited(key, retryAfterMs);
    logger.error(
      { err: describeError(error), retryInMs: delay, failures: this.#queue.failures(key) },
      panic
        ? 'reconcile panicked; retrying with backoff'
        : 'reconcile failed; retrying with backoff',
    );
    return 'error';
  }

  async #invoke(
    object: T,
    context: ReconcileContext<T>,
  ): Promise<ReconcileResult | undefined | typeof FINISHED> {
    const { reconciler, finalizer, client } = this.#options;
    if (finalizer === undefined) return reconciler.reconcile(object, context);
    const deleting = object.metadata?.deletionTimestamp !== undefined;
    const carriesFinalizer = object.metadata?.finalizers?.includes(finalizer) === true;
    if (deleting) {
      // Without our finalizer there is nothing of ours to clean up (and none may be added).
      if (!carriesFinalizer || reconciler.finalize === undefined) return FINISHED;
      const result = await reconciler.finalize(object, context);
      if (result?.requeueAfter !== undefined && result.requeueAfter > 0) return result;
      await client.removeFinalizer(object, finalizer);
      context.logger.info({ finalizer }, 'cleanup complete; finalizer removed');
      return FINISHED;
    }
    const current = carriesFinalizer ? object : await this.#addFinalizer(object, finalizer);
    return reconciler.reconcile(current, context);
  }

  /**
   * Adds the finalizer and takes the change as seen: it is the controller's own write, not news.
   * Without this, the informer's echo of it queues every new object again at once, and that
   * second reconcile reads a cache that may not hold the first one's status writes yet (a new
   * VpDeployment: 4 to 5 more VVP calls and a status write). The echo may arrive before the
   * write's answer, so the expected trigger is recorded before the write; only while the
   * informer still reports the object this reconcile started from, so that any other change
   * (a spec edit racing the write) is still news.
   */
  async #addFinalizer(object: T, finalizer: string): Promise<T> {
    const key = objectKey(object);
    const seen = this.#triggers.get(key);
    const expected = reconcileTrigger(
      {
        ...object,
        metadata: {
          ...object.metadata,
          finalizers: [...(object.metadata?.finalizers ?? []), finalizer],
        },
      },
      this.#filter,
    );
    const unchanged =
      seen !== undefined && !triggerChanged(seen, reconcileTrigger(object, this.#filter));
    if (unchanged) this.#triggers.set(key, expected);
    try {
      return await this.#options.client.addFinalizer(object, finalizer);
    } catch (error) {
      // Nothing was written, so no echo comes: forget the expectation.
      if (unchanged && this.#triggers.get(key) === expected) this.#triggers.set(key, seen);
      throw error;
    }
  }
}

/**
 * The delay an error asks for before the retry: a finite, non-negative numeric
 * `retryAfterMs` property (e.g. from an HTTP `Retry-After`). Duck-typed so that any client's
 * errors can carry it without the core knowing them.
 */
export function retryAfterOf(error: unknown): number {
  if (typeof error !== 'object' || error === null || !('retryAfterMs' in error)) return 0;
  const value = error.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
