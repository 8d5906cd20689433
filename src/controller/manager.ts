import type { KubeConfig } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { collectDefaultMetrics, type Registry } from 'prom-client';
import type { Logger } from '../logging';
import { sleep, systemClock, type Clock } from './clock';
import { Controller, type Reconciler } from './controller';
import { EventRecorder } from './events';
import { ResourceCache } from './informer';
import { KubernetesLeaseLock, LeaderElector, type LeaderElectionTiming } from './leader-election';
import { ControllerMetrics } from './metrics';
import type { AnnotationFilter } from './predicates';
import { ResourceClient, type ResourceDescriptor } from './resource';
import { parseListenAddress } from '../net/listen-address';
import { healthHandler, listen, type HealthCheck, type HttpEndpoint } from './servers';
import type { KubeObject } from './wire';

export interface LeaderElectionOptions extends Partial<LeaderElectionTiming> {
  enabled: boolean;
  /** Namespace of the Lease (usually the operator's own). */
  namespace: string;
  /** Lease name, shared by all replicas of one operator instance. */
  name: string;
  /** Unique per process; `<hostname>_<uuid>` by default. */
  identity?: string;
}

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Receives every metric of the core plus Node process metrics. */
  registry: Registry;
  /** Namespaces to watch (one informer each); empty or undefined = all namespaces. */
  namespaces?: readonly string[];
  /** Lease-based leader election; without it this process always leads. */
  leaderElection?: LeaderElectionOptions;
  /** `[host]:port` of `/metrics`, `0` to disable; `:8080` by default. */
  metricsAddr?: string;
  /** `[host]:port` of `/healthz` and `/readyz`, `0` to disable; `:8081` by default. */
  healthProbeAddr?: string;
  /** Workers per controller; 4 by default. */
  maxConcurrentReconciles?: number;
  /** Periodic reconcile of every object (ms, jittered ±10 %), since VVP cannot be watched; 60 s by default, 0 = off. */
  resyncPeriod?: number;
  /** How long {@link Manager.stop} waits for in-flight reconciles (ms); 10 s by default. */
  shutdownTimeout?: number;
  /** `reportingController` of Events; `vpoperator.dev/vp-operator` by default. */
  reportingController?: string;
  /** Field manager of status and finalizer writes; `vp-operator` by default. */
  fieldManager?: string;
  /** `/healthz` fails once an informer has failed to list/watch for this long (ms); 5 min by default. */
  informerFailureLimit?: number;
  clock?: Clock;
}

/** A controller to run: which resource, and the reconciler for it. */
export interface ControllerRegistration<T extends KubeObject> {
  /** Unique; names the controller in logs and metrics. */
  name: string;
  resource: ResourceDescriptor;
  reconciler: Reconciler<T>;
  /** Annotation keys, or prefixes ending in `/`, whose changes trigger a reconcile. */
  reactToAnnotations?: AnnotationFilter;
  /** Domain-qualified finalizer managed by the core; requires `reconciler.finalize`. */
  finalizer?: string;
}

/** Why the manager stopped on its own; `error` is set when the process should exit non-zero. */
export interface ManagerExit {
  kind: 'manager';
  error?: Error;
}

/** Leadership was lost; controllers stopped at once and the process should exit non-zero. */
export class LeaderElectionLostError extends Error {
  constructor(lease: string) {
    super(
      `leadership of lease ${lease} lost; stopped all controllers, exit so that Kubernetes restarts this replica as a standby`,
    );
    this.name = 'LeaderElectionLostError';
  }
}

interface RunningController {
  controller: Controller<KubeObject>;
  cache: ResourceCache<KubeObject>;
}

const DEFAULTS = {
  metricsAddr: ':8080',
  healthProbeAddr: ':8081',
  maxConcurrentReconciles: 4,
  resyncPeriod: 60_000,
  shutdownTimeout: 10_000,
  reportingController: 'vpoperator.dev/vp-operator',
  fieldManager: 'vp-operator',
  informerFailureLimit: 5 * 60_000,
};
const SYNC_POLL_MS = 100;

/**
 * Wires the controller core: informer caches, controllers (queue + workers), the event
 * recorder, leader election, metrics and health endpoints.
 *
 * Lifecycle: {@link addController} for each resource, then {@link start} (servers up, caches
 * syncing; resolves at once). Caches run on every replica to stay warm; controllers run only
 * on the leader, after its caches synced. {@link stop} shuts down gracefully: no new work,
 * in-flight reconciles finish (bounded by `shutdownTimeout`), the lease is released so a
 * standby takes over at once, servers close.
 *
 * Losing leadership (renew deadline passed, or another holder seen) aborts all controllers at
 * once and resolves {@link done} with a {@link LeaderElectionLostError}. The process must then
 * exit non-zero: Kubernetes restarts it as a fresh standby with clean caches and no stale
 * in-flight work — simpler and safer than re-entering the election with leftover state.
 */
export class Manager {
  readonly #options: ManagerOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #metrics: ControllerMetrics;
  readonly #recorder: EventRecorder;
  readonly #elector: LeaderElector | undefined;
  readonly #leaseName: string;
  readonly #controllers = new Map<string, RunningController>();
  readonly #stopController = new AbortController();
  readonly #done: Promise<ManagerExit>;
  #resolveDone!: (exit: ManagerExit) => void;
  readonly #servers: HttpEndpoint[] = [];
  #metricsPort: number | undefined;
  #healthPort: number | undefined;
  #running: Promise<void> | undefined;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  #lostLeadership = false;

  constructor(options: ManagerOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'manager' });
    this.#clock = options.clock ?? systemClock;
    this.#metrics = ControllerMetrics.for(options.registry);
    registerProcessMetrics(options.registry);
    // Validate now, so a bad setting fails at construction rather than at start.
    parseListenAddress(options.metricsAddr ?? DEFAULTS.metricsAddr);
    parseListenAddress(options.healthProbeAddr ?? DEFAULTS.healthProbeAddr);
    requireDuration('resyncPeriod', options.resyncPeriod);
    requireDuration('shutdownTimeout', options.shutdownTimeout);
    requireDuration('informerFailureLimit', options.informerFailureLimit);
    const workers = options.maxConcurrentReconciles;
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) {
      throw new Error(`maxConcurrentReconciles must be a positive integer, got ${workers}`);
    }
    const election = options.leaderElection;
    const identity = election?.identity ?? `${hostname()}_${randomUUID()}`;
    this.#leaseName = election?.name ?? '';
    if (election?.enabled === true) {
      if (election.namespace === '' || election.name === '') {
        throw new Error(
          "leader election is enabled but the Lease namespace or name is empty: set both (usually the operator's own namespace and a name unique to this operator instance)",
        );
      }
      this.#elector = new LeaderElector({
        lock: new KubernetesLeaseLock(options.kubeConfig, election.namespace, election.name),
        identity,
        timing: election,
        clock: this.#clock,
        logger: options.logger,
      });
      this.#metrics.setLeader(election.name, false);
    }
    this.#recorder = new EventRecorder({
      kubeConfig: options.kubeConfig,
      logger: options.logger,
      clock: this.#clock,
      reportingController: options.reportingController ?? DEFAULTS.reportingController,
      reportingInstance: identity,
    });
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  /** Registers a controller; only before {@link start}. */
  addController<T extends KubeObject>(registration: ControllerRegistration<T>): void {
    if (this.#state !== 'new') {
      throw new Error(`controller ${registration.name}: add controllers before Manager.start()`);
    }
    if (this.#controllers.has(registration.name)) {
      throw new Error(
        `controller ${registration.name} is registered twice: controller names must be unique`,
      );
    }
    validateResource(registration.name, registration.resource);
    const options = this.#options;
    // The controller reads through the cache, and the cache feeds the controller's handlers.
    const store = {
      get: (name: string, namespace?: string) => cache.get(name, namespace),
      list: () => cache.list(),
    };
    const controller = new Controller<T>({
      name: registration.name,
      reconciler: registration.reconciler,
      store,
      client: new ResourceClient<T>(
        options.kubeConfig,
        registration.resource,
        options.fieldManager ?? DEFAULTS.fieldManager,
      ),
      events: this.#recorder,
      ...(registration.finalizer === undefined ? {} : { finalizer: registration.finalizer }),
      ...(registration.reactToAnnotations === undefined
        ? {}
        : { reactToAnnotations: registration.reactToAnnotations }),
      maxConcurrentReconciles: options.maxConcurrentReconciles ?? DEFAULTS.maxConcurrentReconciles,
      resyncPeriod: options.resyncPeriod ?? DEFAULTS.resyncPeriod,
      metrics: this.#metrics,
      clock: this.#clock,
      logger: options.logger,
    });
    const cache: ResourceCache<T> = new ResourceCache<T>(
      {
        kubeConfig: options.kubeConfig,
        resource: registration.resource,
        namespaces: options.namespaces ?? [],
        logger: options.logger.child({ controller: registration.name }),
        clock: this.#clock,
      },
      controller,
    );
    this.#controllers.set(registration.name, {
      controller,
      cache,
    });
  }

  /**
   * Starts the metrics and health servers and the caches, and enters leader election (or
   * starts the controllers once the caches synced). Resolves once the servers listen.
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('Manager.start() may be called once');
    this.#state = 'running';
    try {
      await this.#startServers();
    } catch (error) {
      await Promise.all(this.#servers.map((server) => server.close()));
      this.#state = 'stopped';
      this.#resolveDone({
        kind: 'manager',
        error: error instanceof Error ? error : new Error(String(error)),
      });
      throw error;
    }
    for (const { cache } of this.#controllers.values()) cache.start();
    this.#running = this.#run(this.#stopController.signal);
    this.#logger.info(
      {
        controllers: [...this.#controllers.keys()],
        namespaces: this.#options.namespaces?.length ? this.#options.namespaces : 'all',
        leaderElection: this.#elector !== undefined,
      },
      'manager started',
    );
  }

  /**
   * Graceful shutdown: stop intake, let in-flight reconciles finish (up to `shutdownTimeout`),
   * release the lease, stop the caches and close the servers. Safe to call more than once and
   * after leadership was lost.
   */
  async stop(): Promise<void> {
    if (this.#state === 'new') {
      this.#state = 'stopped';
      this.#resolveDone({ kind: 'manager' });
      return;
    }
    if (this.#state !== 'running') {
      await this.#done;
      return;
    }
    this.#state = 'stopping';
    this.#stopController.abort();
    await this.#running;
    // After a lost lease, in-flight work was aborted already and must not be waited for:
    // the new leader may start within leaseDuration - renewDeadline.
    const timeout = this.#lostLeadership
      ? 0
      : (this.#options.shutdownTimeout ?? DEFAULTS.shutdownTimeout);
    await Promise.all(
      [...this.#controllers.values()].map(({ controller }) => controller.stop(timeout)),
    );
    if (this.#elector !== undefined && !this.#lostLeadership) {
      await this.#elector.release();
      this.#metrics.setLeader(this.#leaseName, false);
    }
    await Promise.all([...this.#controllers.values()].map(({ cache }) => cache.stop()));
    await Promise.all(this.#servers.map((server) => server.close()));
    this.#state = 'stopped';
    this.#logger.info('manager stopped');
    this.#resolveDone(
      this.#lostLeadership
        ? { kind: 'manager', error: new LeaderElectionLostError(this.#leaseName) }
        : { kind: 'manager' },
    );
  }

  /**
   * Resolves when the manager has stopped: after {@link stop}, or on its own when leadership
   * is lost — then with an `error`, and the caller should {@link stop} and exit non-zero.
   */
  done(): Promise<ManagerExit> {
    return this.#done;
  }

  /** Port of `/metrics`, once started; undefined when disabled. */
  get metricsPort(): number | undefined {
    return this.#metricsPort;
  }

  /** Port of `/healthz` and `/readyz`, once started; undefined when disabled. */
  get healthProbePort(): number | undefined {
    return this.#healthPort;
  }

  /** True when every cache has synced (what `/readyz` reports). */
  get ready(): boolean {
    return [...this.#controllers.values()].every(({ cache }) => cache.synced);
  }

  /** True while this process holds the lease (always true without leader election, once started). */
  get leading(): boolean {
    return this.#elector === undefined ? this.#state === 'running' : this.#elector.isLeader;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const elector = this.#elector;
    if (elector === undefined) {
      if (await this.#waitForSync(signal)) this.#startControllers();
      return;
    }
    if (!(await elector.acquire(signal))) return;
    if (signal.aborted) {
      // Acquired just as stop() began: hand the lease straight back.
      await elector.release();
      return;
    }
    this.#metrics.setLeader(this.#leaseName, true);
    const holding = elector.hold(signal);
    const synced = this.#waitForSync(signal).then((ok) => {
      if (ok && elector.isLeader && !signal.aborted) this.#startControllers();
    });
    const end = await holding;
    await synced;
    if (end === 'lost') {
      this.#lostLeadership = true;
      this.#metrics.setLeader(this.#leaseName, false);
      for (const { controller } of this.#controllers.values()) controller.abort();
      this.#resolveDone({ kind: 'manager', error: new LeaderElectionLostError(this.#leaseName) });
    }
  }

  #startControllers(): void {
    for (const { controller } of this.#controllers.values()) controller.start();
  }

  /** Resolves true once every cache synced, false if `signal` aborts first. */
  async #waitForSync(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (this.ready) return true;
      await sleep(this.#clock, SYNC_POLL_MS, signal);
    }
    return false;
  }

  async #startServers(): Promise<void> {
    const metricsAddress = parseListenAddress(this.#options.metricsAddr ?? DEFAULTS.metricsAddr);
    if (metricsAddress !== undefined) {
      const registry = this.#options.registry;
      const server = await listen('metrics server', metricsAddress, async (request, response) => {
        if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/metrics') {
          response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
          response.end('not found: metrics are served at /metrics\n');
          return;
        }
        const body = await registry.metrics();
        response.writeHead(200, { 'Content-Type': registry.contentType });
        response.end(body);
      });
      this.#servers.push(server);
      this.#metricsPort = server.port;
      this.#logger.info({ port: server.port }, 'serving metrics at /metrics');
    }
    const healthAddress = parseListenAddress(
      this.#options.healthProbeAddr ?? DEFAULTS.healthProbeAddr,
    );
    if (healthAddress !== undefined) {
      const server = await listen(
        'health probe server',
        healthAddress,
        healthHandler(this.#livenessChecks(), this.#readinessChecks()),
      );
      this.#servers.push(server);
      this.#healthPort = server.port;
      this.#logger.info({ port: server.port }, 'serving health probes at /healthz and /readyz');
    }
  }

  #livenessChecks(): HealthCheck[] {
    const limit = this.#options.informerFailureLimit ?? DEFAULTS.informerFailureLimit;
    // Answering at all proves the event loop is alive; a blocked loop shows as a probe timeout.
    return [
      {
        name: 'informers',
        check: () => {
          const now = this.#clock.now();
          for (const [name, { cache }] of this.#controllers) {
            if (cache.dead) return `informer of controller ${name} stopped for good (see the log)`;
            const since = cache.failingSince;
            if (since !== undefined && now - since >= limit) {
              return `informer of controller ${name} has failed to list/watch for ${Math.round((now - since) / 1000)}s`;
            }
          }
          return undefined;
        },
      },
    ];
  }

  #readinessChecks(): HealthCheck[] {
    return [
      {
        name: 'informers-synced',
        check: () => {
          const pending = [...this.#controllers]
            .filter(([, { cache }]) => !cache.synced)
            .map(([name]) => name);
          return pending.length === 0 ? undefined : `caches not synced yet: ${pending.join(', ')}`;
        },
      },
    ];
  }
}

/**
 * prom-client's default process and Node metrics, minus the gauges named `*_total`
 * (`nodejs_active_handles_total` …) that `promtool check metrics` rejects as non-counters with
 * a counter suffix; their per-type siblings (`nodejs_active_handles{type}`) carry the same data.
 */
function registerProcessMetrics(registry: Registry): void {
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

function requireDuration(option: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new Error(`${option} must be a duration in milliseconds (0 or more), got ${value}`);
  }
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateResource(controller: string, resource: ResourceDescriptor): void {
  const problems: string[] = [];
  if (!DNS_SUBDOMAIN.test(resource.group))
    problems.push(
      `group ${JSON.stringify(resource.group)} is not a DNS subdomain (custom resources only)`,
    );
  if (!/^v\d+((alpha|beta)\d+)?$/.test(resource.version))
    problems.push(
      `version ${JSON.stringify(resource.version)} is not a Kubernetes API version such as v1alpha1`,
    );
  if (!/^[a-z][a-z0-9]*$/.test(resource.plural))
    problems.push(
      `plural ${JSON.stringify(resource.plural)} must be lower-case letters and digits`,
    );
  if (!/^[A-Z][A-Za-z0-9]*$/.test(resource.kind))
    problems.push(`kind ${JSON.stringify(resource.kind)} must be CamelCase`);
  if (problems.length > 0) {
    throw new Error(`controller ${controller}: invalid resource: ${problems.join('; ')}`);
  }
}
