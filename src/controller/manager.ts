import type { KubeConfig } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging';
import { sleep, systemClock, type Clock } from './clock';
import { Controller, type Reconciler } from './controller';
import { EventRecorder } from './events';
import { objectKey, type ObjectKey } from './keys';
import type { ResourceCache } from './informer';
import { KubernetesLeaseLock, LeaderElector, type LeaderElectionTiming } from './leader-election';
import { ControllerMetrics, registerProcessMetrics } from './metrics';
import type { AnnotationFilter } from './predicates';
import { ResourceClient, type ResourceDescriptor } from './resource';
import { parseListenAddress } from '../net/listen-address';
import { KubernetesSecretClient } from './secrets';
import { serveMetricsAndProbes, type MetricsAndProbes } from './servers';
import { SharedInformers } from './shared-informers';
import type { KubeObject } from './kube-object';

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
  /** Workers per controller unless the controller sets its own; 4 by default. */
  maxConcurrentReconciles?: number;
  /**
   * Periodic reconcile of every object (ms, jittered ±10 %), since the external system cannot
   * be watched; per controller unless it sets its own; 60 s by default, 0 = off.
   */
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
  /** A custom resource (status and finalizers are written through the custom-objects API). */
  resource: ResourceDescriptor;
  reconciler: Reconciler<T>;
  /** Annotation keys, or prefixes ending in `/`, whose changes trigger a reconcile. */
  reactToAnnotations?: AnnotationFilter;
  /** Domain-qualified finalizer managed by the core; requires `reconciler.finalize`. */
  finalizer?: string;
  /** This controller's periodic reconcile (ms, jittered ±10 %; 0 = off); the manager's by default. */
  resyncPeriod?: number;
  /** This controller's workers; the manager's by default. */
  maxConcurrentReconciles?: number;
  /**
   * Reconcile only objects matching this label selector (e.g. an instance label); the others
   * are neither cached nor reconciled.
   */
  labelSelector?: string;
  /** Other resources whose changes requeue objects of this controller. */
  watches?: readonly SecondaryWatch[];
}

/**
 * Another resource a controller depends on, like controller-runtime's
 * `Watches(..., EnqueueRequestsFromMapFunc)`: its objects are cached (readable through
 * {@link ReconcileContext.cache}) and every add, change (status included) or deletion of one
 * requeues the objects {@link map} names. Any group, the core group included (Secrets).
 */
export interface SecondaryWatch {
  resource: ResourceDescriptor;
  /** Cache only objects matching this label selector, e.g. the operator's own Secrets. */
  labelSelector?: string;
  /** Namespaces to watch; the manager's watched namespaces by default. */
  namespaces?: readonly string[];
  /**
   * Objects of the controller's own kind to requeue when `object` is added, changed or
   * deleted; `namespace` is omitted for cluster-scoped kinds. Called with the object as it is
   * now (as it was last seen, for a deletion); must be cheap and must not throw.
   */
  map(object: KubeObject): readonly { name: string; namespace?: string }[];
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
/**
 * What {@link Manager.stop} may take beyond `shutdownTimeout`: releasing the lease and
 * stopping informers and servers, each a short API call or less.
 */
const STOP_MARGIN_MS = 5_000;
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
  readonly #informers: SharedInformers;
  readonly #secrets: KubernetesSecretClient;
  readonly #elector: LeaderElector | undefined;
  readonly #leaseName: string;
  readonly #controllers = new Map<string, Controller<KubeObject>>();
  readonly #stopController = new AbortController();
  readonly #done: Promise<ManagerExit>;
  #resolveDone!: (exit: ManagerExit) => void;
  #endpoints: MetricsAndProbes | undefined;
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
    requireWorkers('maxConcurrentReconciles', options.maxConcurrentReconciles);
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
    this.#informers = new SharedInformers({
      kubeConfig: options.kubeConfig,
      logger: options.logger,
      clock: this.#clock,
    });
    this.#secrets = new KubernetesSecretClient(
      options.kubeConfig,
      options.fieldManager ?? DEFAULTS.fieldManager,
    );
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
    requireDuration(`controller ${registration.name}: resyncPeriod`, registration.resyncPeriod);
    requireWorkers(
      `controller ${registration.name}: maxConcurrentReconciles`,
      registration.maxConcurrentReconciles,
    );
    for (const watch of registration.watches ?? []) {
      validateWatchedResource(registration.name, watch.resource);
    }
    const options = this.#options;
    const namespaces = options.namespaces ?? [];
    // The controller reads through its informer's cache, which feeds the controller's
    // handlers: the cache exists only once the controller does, hence the late binding.
    let ownCache: ResourceCache<KubeObject> | undefined = undefined;
    const store = {
      get: (name: string, namespace?: string) => ownCache?.get(name, namespace) as T | undefined,
      list: () => (ownCache?.list() ?? []) as readonly T[],
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
      cache: this.#informers,
      secrets: this.#secrets,
      events: this.#recorder,
      ...(registration.finalizer === undefined ? {} : { finalizer: registration.finalizer }),
      ...(registration.reactToAnnotations === undefined
        ? {}
        : { reactToAnnotations: registration.reactToAnnotations }),
      maxConcurrentReconciles:
        registration.maxConcurrentReconciles ??
        options.maxConcurrentReconciles ??
        DEFAULTS.maxConcurrentReconciles,
      resyncPeriod: registration.resyncPeriod ?? options.resyncPeriod ?? DEFAULTS.resyncPeriod,
      metrics: this.#metrics,
      clock: this.#clock,
      logger: options.logger,
    });
    // The informer is typed for any object; this controller's handlers expect T.
    const untyped = controller as unknown as Controller<KubeObject>;
    ownCache = this.#informers.subscribe(
      {
        resource: registration.resource,
        namespaces,
        ...(registration.labelSelector === undefined
          ? {}
          : { labelSelector: registration.labelSelector }),
      },
      untyped,
    );
    for (const watch of registration.watches ?? []) {
      this.#informers.subscribe(
        {
          resource: watch.resource,
          namespaces: watch.namespaces ?? namespaces,
          ...(watch.labelSelector === undefined ? {} : { labelSelector: watch.labelSelector }),
        },
        requeueMapped(untyped, watch, registration.resource, this.#logger),
      );
    }
    this.#controllers.set(registration.name, untyped);
  }

  /**
   * Starts the metrics and health servers and the caches, and enters leader election (or
   * starts the controllers once the caches synced). Resolves once the servers listen.
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('Manager.start() may be called once');
    this.#state = 'running';
    try {
      this.#endpoints = await serveMetricsAndProbes({
        metricsAddress: parseListenAddress(this.#options.metricsAddr ?? DEFAULTS.metricsAddr),
        healthProbeAddress: parseListenAddress(
          this.#options.healthProbeAddr ?? DEFAULTS.healthProbeAddr,
        ),
        registry: this.#options.registry,
        informers: () => this.#informers.entries(),
        informerFailureLimit: this.#options.informerFailureLimit ?? DEFAULTS.informerFailureLimit,
        clock: this.#clock,
        logger: this.#logger,
      });
    } catch (error) {
      this.#state = 'stopped';
      this.#resolveDone({
        kind: 'manager',
        error: error instanceof Error ? error : new Error(String(error)),
      });
      throw error;
    }
    this.#informers.start();
    this.#running = this.#run(this.#stopController.signal);
    this.#logger.info(
      {
        controllers: [...this.#controllers.keys()],
        informers: this.#informers.entries().map(({ description }) => description),
        namespaces: this.#options.namespaces?.length ? this.#options.namespaces : 'all',
        leaderElection: this.#elector !== undefined,
      },
      'manager started',
    );
  }

  /**
   * Graceful shutdown: stop intake, let in-flight reconciles finish (up to `shutdownTimeout`),
   * release the lease, stop the caches and close the servers. Safe to call more than once and
   * after leadership was lost. Takes at most {@link stopBudget}.
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
    const timeout = this.#lostLeadership ? 0 : this.#shutdownTimeout;
    await Promise.all(
      [...this.#controllers.values()].map((controller) => controller.stop(timeout)),
    );
    if (this.#elector !== undefined && !this.#lostLeadership) {
      await this.#elector.release();
      this.#metrics.setLeader(this.#leaseName, false);
    }
    await this.#informers.stop();
    await this.#endpoints?.close();
    this.#state = 'stopped';
    this.#logger.info('manager stopped');
    this.#resolveDone(
      this.#lostLeadership
        ? { kind: 'manager', error: new LeaderElectionLostError(this.#leaseName) }
        : { kind: 'manager' },
    );
  }

  /**
   * How long {@link stop} may take (ms): `shutdownTimeout` for in-flight reconciles plus a
   * margin for releasing the lease and closing informers and servers. A process that bounds
   * its shutdown must allow this much, or a full-length reconcile makes it exit while the
   * lease is being released.
   */
  get stopBudget(): number {
    return this.#shutdownTimeout + STOP_MARGIN_MS;
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
    return this.#endpoints?.metricsPort;
  }

  /** Port of `/healthz` and `/readyz`, once started; undefined when disabled. */
  get healthProbePort(): number | undefined {
    return this.#endpoints?.healthProbePort;
  }

  /** True when every cache has synced (what `/readyz` reports). */
  get ready(): boolean {
    return this.#informers.synced;
  }

  /** True while this process holds the lease (always true without leader election, once started). */
  get leading(): boolean {
    return this.#elector === undefined ? this.#state === 'running' : this.#elector.isLeader;
  }

  get #shutdownTimeout(): number {
    return this.#options.shutdownTimeout ?? DEFAULTS.shutdownTimeout;
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
      for (const controller of this.#controllers.values()) controller.abort();
      this.#resolveDone({ kind: 'manager', error: new LeaderElectionLostError(this.#leaseName) });
    }
  }

  #startControllers(): void {
    for (const controller of this.#controllers.values()) controller.start();
  }

  /** Resolves true once every cache synced, false if `signal` aborts first. */
  async #waitForSync(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (this.ready) return true;
      await sleep(this.#clock, SYNC_POLL_MS, signal);
    }
    return false;
  }
}

/** Informer handlers of a {@link SecondaryWatch}: every event requeues what `map` names. */
function requeueMapped(
  controller: Controller<KubeObject>,
  watch: SecondaryWatch,
  owner: ResourceDescriptor,
  logger: Logger,
): {
  onAdd(object: KubeObject): void;
  onUpdate(object: KubeObject): void;
  onDelete(object: KubeObject): void;
} {
  const requeue = (object: KubeObject): void => {
    let targets: readonly { name: string; namespace?: string }[];
    try {
      targets = watch.map(object);
    } catch (error) {
      logger.error(
        { err: error, watched: watch.resource.plural, controller: controller.name },
        'a watch map function threw; nothing requeued for this change',
      );
      return;
    }
    for (const target of targets) {
      const key: ObjectKey = objectKey({
        metadata: {
          name: target.name,
          ...(owner.namespaced && target.namespace !== undefined
            ? { namespace: target.namespace }
            : {}),
        },
      });
      controller.requeue(key);
    }
  };
  return { onAdd: requeue, onUpdate: requeue, onDelete: requeue };
}

function requireDuration(option: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new Error(`${option} must be a duration in milliseconds (0 or more), got ${value}`);
  }
}

function requireWorkers(option: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new Error(`${option} must be a positive integer, got ${value}`);
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

/** Watched resources may be of any group, the core group included; the shape must still be valid. */
function validateWatchedResource(controller: string, resource: ResourceDescriptor): void {
  if (resource.group !== '' && !DNS_SUBDOMAIN.test(resource.group)) {
    throw new Error(
      `controller ${controller}: watched resource group ${JSON.stringify(resource.group)} is not a DNS subdomain ('' is the core group)`,
    );
  }
  if (!/^[a-z][a-z0-9]*$/.test(resource.plural)) {
    throw new Error(
      `controller ${controller}: watched resource plural ${JSON.stringify(resource.plural)} must be lower-case letters and digits`,
    );
  }
}
