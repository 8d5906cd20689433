import {
  Counter,
  Gauge,
  Histogram,
  collectDefaultMetrics,
  exponentialBuckets,
  type Registry,
} from 'prom-client';

/** What a work queue exposes for the gauges computed at scrape time. */
export interface InFlightSource {
  /** Start times (ms, on the queue's clock) of the items being processed right now. */
  inFlightStartTimes(): Iterable<number>;
  now(): number;
}

/** What a controller's cache exposes for the readiness gauges computed at scrape time. */
export interface ReadinessSource {
  /** The cached objects (plain data; only metadata.creationTimestamp and the Ready condition are read). */
  objects(): Iterable<unknown>;
  now(): number;
}

/** The values of the `ready` label: the status of the object's Ready condition. */
export const READY_STATUSES = ['True', 'False', 'Unknown'] as const;

/**
 * The status of an object's Ready condition ('Unknown' without one) and since when (ms) it is
 * not 'True': the condition's lastTransitionTime, else the object's creation.
 */
export function readiness(object: unknown): { status: string; notReadySince?: number } {
  const { metadata, status } = (object ?? {}) as {
    metadata?: { creationTimestamp?: string | Date };
    status?: { conditions?: { type?: string; status?: string; lastTransitionTime?: string }[] };
  };
  const ready = status?.conditions?.find((condition) => condition.type === 'Ready');
  const value = ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown';
  if (value === 'True') return { status: value };
  const since = new Date(ready?.lastTransitionTime ?? metadata?.creationTimestamp ?? NaN).getTime();
  return Number.isNaN(since) ? { status: value } : { status: value, notReadySince: since };
}

/** The reconcile outcomes controller-runtime labels `result` with. */
export const RECONCILE_RESULTS = ['success', 'error', 'requeue', 'requeue_after'] as const;
export type ReconcileResultLabel = (typeof RECONCILE_RESULTS)[number];

// controller-runtime's buckets (pkg/internal/controller/metrics/metrics.go), so dashboards line up.
const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9,
  1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
// client-go's workqueue buckets: 10 ns to 1000 s.
const QUEUE_BUCKETS = exponentialBuckets(10e-9, 10, 12);

/** Per-queue hooks the work queue calls; labels are bound already. */
export interface QueueMetrics {
  added(): void;
  depth(depth: number): void;
  queuedFor(seconds: number): void;
  workedFor(seconds: number): void;
  retried(): void;
}

/** Per-controller hooks the reconcile loop calls; labels are bound already. */
export interface ReconcileMetrics {
  reconciled(result: ReconcileResultLabel, seconds: number): void;
  errored(kind: 'error' | 'terminal' | 'panic'): void;
  activeWorkers(delta: number): void;
}

const perRegistry = new WeakMap<Registry, ControllerMetrics>();

/**
 * The metric families of controller-runtime (names, labels and buckets verbatim, so stock
 * dashboards and alerts work), registered once per {@link Registry}.
 */
export class ControllerMetrics {
  readonly #reconcileTotal: Counter<'controller' | 'result'>;
  readonly #reconcileErrors: Counter<'controller'>;
  readonly #terminalErrors: Counter<'controller'>;
  readonly #panics: Counter<'controller'>;
  readonly #reconcileTime: Histogram<'controller'>;
  readonly #maxConcurrent: Gauge<'controller'>;
  readonly #activeWorkers: Gauge<'controller'>;
  readonly #depth: Gauge<'name' | 'controller'>;
  readonly #adds: Counter<'name' | 'controller'>;
  readonly #retries: Counter<'name' | 'controller'>;
  readonly #queueDuration: Histogram<'name' | 'controller'>;
  readonly #workDuration: Histogram<'name' | 'controller'>;
  readonly #leaderStatus: Gauge<'name'>;
  readonly #queues = new Map<string, InFlightSource>();
  readonly #readiness = new Map<string, ReadinessSource>();

  /** The instance bound to `registry`, created on first use. */
  static for(registry: Registry): ControllerMetrics {
    let metrics = perRegistry.get(registry);
    if (metrics === undefined) {
      metrics = new ControllerMetrics(registry);
      perRegistry.set(registry, metrics);
    }
    return metrics;
  }

  private constructor(registry: Registry) {
    const registers = [registry];
    const queues = this.#queues;
    this.#reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.#reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.#terminalErrors = new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.#panics = new Counter({
      name: 'controller_runtime_reconcile_panics_total',
      help: 'Total number of reconciliation panics per controller',
      labelNames: ['controller'],
      registers,
    });
    this.#reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_TIME_BUCKETS,
      registers,
    });
    this.#maxConcurrent = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.#activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.#depth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name', 'controller'],
      registers,
    });
    this.#adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name', 'controller'],
      registers,
    });
    this.#retries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: ['name', 'controller'],
      registers,
    });
    this.#queueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: ['name', 'controller'],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.#workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: ['name', 'controller'],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
      labelNames: ['name', 'controller'],
      registers,
      collect() {
        for (const [name, queue] of queues) {
          const now = queue.now();
          let total = 0;
          for (const start of queue.inFlightStartTimes()) total += now - start;
          this.set({ name, controller: name }, total / 1000);
        }
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name', 'controller'],
      registers,
      collect() {
        for (const [name, queue] of queues) {
          const now = queue.now();
          let longest = 0;
          for (const start of queue.inFlightStartTimes()) longest = Math.max(longest, now - start);
          this.set({ name, controller: name }, longest / 1000);
        }
      },
    });
    // Not controller-runtime's: what it lacks for "objects not Ready for long" alerts.
    const readinessSources = this.#readiness;
    new Gauge({
      name: 'vp_operator_objects',
      help: "Objects in a controller's cache by the status of their Ready condition (ready: True, False, or Unknown, which includes no Ready condition yet).",
      labelNames: ['controller', 'ready'],
      registers,
      collect() {
        for (const [controller, source] of readinessSources) {
          const counts = new Map<string, number>(READY_STATUSES.map((status) => [status, 0]));
          for (const object of source.objects()) {
            const { status } = readiness(object);
            counts.set(status, (counts.get(status) ?? 0) + 1);
          }
          for (const [ready, count] of counts) this.set({ controller, ready }, count);
        }
      },
    });
    new Gauge({
      name: 'vp_operator_object_not_ready_seconds_max',
      help: "Longest time an object in a controller's cache has not been Ready: since its Ready condition last changed, or since its creation without one; 0 when every object is Ready.",
      labelNames: ['controller'],
      registers,
      collect() {
        for (const [controller, source] of readinessSources) {
          const now = source.now();
          let longest = 0;
          for (const object of source.objects()) {
            const { notReadySince } = readiness(object);
            if (notReadySince !== undefined) longest = Math.max(longest, now - notReadySince);
          }
          this.set({ controller }, longest / 1000);
        }
      },
    });
    this.#leaderStatus = new Gauge({
      name: 'leader_election_master_status',
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ['name'],
      registers,
    });
  }

  /** Registers a controller: pre-initialises its series to 0 and returns its bound hooks. */
  forController(controller: string, maxConcurrentReconciles: number): ReconcileMetrics {
    for (const result of RECONCILE_RESULTS) this.#reconcileTotal.inc({ controller, result }, 0);
    this.#reconcileErrors.inc({ controller }, 0);
    this.#terminalErrors.inc({ controller }, 0);
    this.#panics.inc({ controller }, 0);
    this.#reconcileTime.zero({ controller });
    this.#maxConcurrent.set({ controller }, maxConcurrentReconciles);
    this.#activeWorkers.set({ controller }, 0);
    return {
      reconciled: (result, seconds) => {
        this.#reconcileTotal.inc({ controller, result });
        this.#reconcileTime.observe({ controller }, seconds);
      },
      errored: (kind) => {
        // As in controller-runtime, panics and terminal errors are errors too.
        this.#reconcileErrors.inc({ controller });
        if (kind === 'terminal') this.#terminalErrors.inc({ controller });
        if (kind === 'panic') this.#panics.inc({ controller });
      },
      activeWorkers: (delta) => {
        this.#activeWorkers.inc({ controller }, delta);
      },
    };
  }

  /** Registers a work queue named after its controller and returns its bound hooks. */
  forQueue(name: string, source: InFlightSource): QueueMetrics {
    const labels = { name, controller: name };
    this.#queues.set(name, source);
    this.#depth.set(labels, 0);
    this.#adds.inc(labels, 0);
    this.#retries.inc(labels, 0);
    this.#queueDuration.zero(labels);
    this.#workDuration.zero(labels);
    return {
      added: () => {
        this.#adds.inc(labels);
      },
      depth: (depth) => {
        this.#depth.set(labels, depth);
      },
      queuedFor: (seconds) => {
        this.#queueDuration.observe(labels, seconds);
      },
      workedFor: (seconds) => {
        this.#workDuration.observe(labels, seconds);
      },
      retried: () => {
        this.#retries.inc(labels);
      },
    };
  }

  /** Registers the cache of a controller for `vp_operator_objects` and the not-Ready age. */
  forObjects(controller: string, source: ReadinessSource): void {
    this.#readiness.set(controller, source);
  }

  /** Sets `leader_election_master_status{name}`: 1 while this process holds the lease. */
  setLeader(leaseName: string, isLeader: boolean): void {
    this.#leaderStatus.set({ name: leaseName }, isLeader ? 1 : 0);
  }
}

/**
 * prom-client's default process and Node metrics, minus the gauges named `*_total`
 * (`nodejs_active_handles_total` …) that `promtool check metrics` rejects as non-counters with
 * a counter suffix; their per-type siblings (`nodejs_active_handles{type}`) carry the same data.
 */
export function registerProcessMetrics(registry: Registry): void {
  if (registry.getSingleMetric('process_cpu_user_seconds_total') !== undefined) return;
  collectDefaultMetrics({ register: registry });
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ]) {
    registry.removeSingleMetric(name);
  }
}
