import { KubernetesObjectApi, ListWatch, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../logging';
import { ExponentialBackoff, jittered, type BackoffOptions, type RandomSource } from './backoff';
import { sleep, type Clock } from './clock';
import { apiStatusCode, describeError } from './errors';
import { apiVersionOf, collectionPath, type ResourceDescriptor } from './resource';
import type { KubeObject } from './kube-object';

/** Callbacks for cache changes; they run synchronously inside the informer and must be cheap. */
export interface InformerHandlers<T extends KubeObject> {
  onAdd(object: T): void;
  onUpdate(object: T): void;
  onDelete(object: T): void;
}

export interface InformerOptions {
  kubeConfig: KubeConfig;
  resource: ResourceDescriptor;
  /** Watch one namespace; all namespaces (or a cluster-scoped resource) when undefined. */
  namespace?: string;
  /** Cache only objects matching this Kubernetes label selector; all objects when undefined. */
  labelSelector?: string;
  logger: Logger;
  clock: Clock;
  random?: RandomSource;
  /** Delay between restarts after a watch or list error; 1 s doubling to 30 s by default. */
  restartBackoff?: BackoffOptions;
}

const DEFAULT_RESTART_BACKOFF: BackoffOptions = { baseDelayMs: 1_000, maxDelayMs: 30_000 };
/** A connection that lived this long counts as healthy: the next failure starts backoff afresh. */
const HEALTHY_CONNECTION_MS = 30_000;

/**
 * Drops what no reconciler reads before an object enters the cache: `metadata.managedFields`,
 * the server-side-apply bookkeeping, is often larger than the rest of the object and would be
 * held for every cached object (controller-runtime users strip it the same way). Edits the
 * object in place: it comes fresh from the wire and nothing else holds it yet. Writes never
 * send cached objects whole, and an update without managedFields keeps the server's.
 */
export function trimmedForCache<T>(object: T): T {
  if (typeof object === 'object' && object !== null && 'metadata' in object) {
    const { metadata } = object;
    if (typeof metadata === 'object' && metadata !== null && 'managedFields' in metadata) {
      delete metadata.managedFields;
    }
  }
  return object;
}

/**
 * client-node's {@link Watch} rejects (instead of calling `done`) when authentication
 * fails before the request, and {@link ListWatch} re-enters `watch()` from a callback whose
 * promise nobody awaits: an unhandled rejection would end the process. Route every failure
 * through `done`, where the informer's error handling sees it.
 */
class SafeWatch extends Watch {
  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    try {
      return await super.watch(
        path,
        queryParams,
        (phase, apiObj, watchObj) => {
          callback(phase, trimmedForCache(apiObj), watchObj);
        },
        done,
      );
    } catch (error) {
      done(error);
      return new AbortController();
    }
  }
}

/**
 * A list+watch cache of one resource in one namespace (or all), built on client-node's
 * {@link ListWatch}, which resumes from the last resourceVersion and re-lists on 410 Gone but
 * stays stopped after any other error. This wrapper restarts it with jittered exponential
 * backoff (also after a failed initial LIST), tracks whether the cache has synced, and how
 * long it has been failing.
 */
export class ResilientInformer<T extends KubeObject> {
  readonly #options: InformerOptions;
  readonly #logger: Logger;
  readonly #listWatch: ListWatch<T>;
  readonly #backoff: ExponentialBackoff<'restart'>;
  readonly #stopController = new AbortController();
  #synced = false;
  #listSucceeded = false;
  #errorCount = 0;
  #failingSince: number | undefined;
  #connectedAt: number | undefined;
  #notifyFailure: (() => void) | undefined;
  #started = false;
  #dead = false;

  constructor(options: InformerOptions, handlers: InformerHandlers<T>) {
    this.#options = options;
    this.#logger = options.logger.child({
      informer: options.resource.plural,
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      ...(options.labelSelector === undefined ? {} : { labelSelector: options.labelSelector }),
    });
    this.#backoff = new ExponentialBackoff(options.restartBackoff ?? DEFAULT_RESTART_BACKOFF);
    const objects = KubernetesObjectApi.makeApiClient(options.kubeConfig);
    const apiVersion = apiVersionOf(options.resource);
    const listFn = async () => {
      const list = await objects.list<T>(
        apiVersion,
        options.resource.kind,
        options.namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        options.labelSelector,
      );
      this.#listSucceeded = true;
      for (const item of list.items) trimmedForCache(item);
      return list;
    };
    this.#listWatch = new ListWatch<T>(
      collectionPath(options.resource, options.namespace),
      new SafeWatch(options.kubeConfig),
      listFn,
      false,
      options.labelSelector,
    );
    const guard =
      (what: string, handler: (object: T) => void) =>
      (object: T): void => {
        try {
          handler(object);
        } catch (error) {
          // ListWatch would swallow the exception and skip the resourceVersion bookkeeping.
          this.#logger.error({ err: error }, `informer ${what} handler failed`);
        }
      };
    this.#listWatch.on(
      'add',
      guard('add', (object) => {
        handlers.onAdd(object);
      }),
    );
    this.#listWatch.on(
      'update',
      guard('update', (object) => {
        handlers.onUpdate(object);
      }),
    );
    this.#listWatch.on(
      'delete',
      guard('delete', (object) => {
        handlers.onDelete(object);
      }),
    );
    this.#listWatch.on('error', (error: unknown) => {
      this.#onError(error);
    });
  }

  /** True once a LIST has filled the cache; stays true across reconnects, like client-go's HasSynced. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Since when (clock ms) the informer has failed to list or watch, if it is failing now. */
  get failingSince(): number | undefined {
    return this.#failingSince;
  }

  /** True if the restart loop itself broke: the cache will never update again. */
  get dead(): boolean {
    return this.#dead;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#listWatch.get(name, namespace);
  }

  list(): readonly T[] {
    return this.#listWatch.list();
  }

  /** Starts listing and watching in the background; see {@link synced}. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#run().catch((error: unknown) => {
      this.#dead = true;
      this.#logger.fatal({ err: describeError(error) }, 'informer stopped for good');
    });
  }

  /**
   * Stops watching. Does not wait for a LIST in flight (it may hang on an unreachable server);
   * the restart loop stops the watch again if that LIST completes and opens one.
   */
  async stop(): Promise<void> {
    this.#stopController.abort();
    this.#notifyFailure?.();
    await this.#listWatch.stop();
  }

  async #run(): Promise<void> {
    const signal = this.#stopController.signal;
    // A function, not a property read, so the checks after each await are not narrowed away.
    const stopped = (): boolean => signal.aborted;
    while (!stopped()) {
      const errorsBefore = this.#errorCount;
      const failed = new Promise<void>((resolve) => (this.#notifyFailure = resolve));
      try {
        await this.#listWatch.start();
      } catch (error) {
        this.#onError(error);
      }
      if (stopped()) {
        // ListWatch opens the watch after a LIST even if stop() came meanwhile: close it.
        await this.#listWatch.stop();
        break;
      }
      if (this.#errorCount === errorsBefore) {
        if (this.#listSucceeded && !this.#synced) {
          this.#synced = true;
          this.#logger.info('cache synced');
        } else if (this.#failingSince !== undefined) {
          this.#logger.info('watch resumed');
        }
        this.#failingSince = undefined;
        this.#connectedAt = this.#options.clock.now();
        await failed;
        if (stopped()) break;
      }
      const delay = jittered(this.#backoff.next('restart'), 0.2, this.#options.random);
      this.#logger.debug({ delayMs: Math.round(delay) }, 'restarting informer');
      await sleep(this.#options.clock, delay, signal);
    }
  }

  #onError(error: unknown): void {
    if (this.#stopController.signal.aborted) return;
    this.#errorCount++;
    const now = this.#options.clock.now();
    if (this.#connectedAt !== undefined && now - this.#connectedAt >= HEALTHY_CONNECTION_MS) {
      this.#backoff.forget('restart');
    }
    this.#connectedAt = undefined;
    this.#failingSince ??= now;
    const hint = this.#hint(error);
    this.#logger.warn(
      {
        err: describeError(error),
        failures: this.#backoff.failures('restart') + 1,
        ...(hint === undefined ? {} : { hint }),
      },
      this.#synced ? 'watch failed; restarting' : 'initial list failed; retrying',
    );
    this.#notifyFailure?.();
  }

  /** What an operator can do about errors that retrying alone will not fix. */
  #hint(error: unknown): string | undefined {
    // List errors are ApiExceptions; a failed watch request carries `statusCode` instead.
    const status =
      apiStatusCode(error) ??
      (error instanceof Error && 'statusCode' in error && typeof error.statusCode === 'number'
        ? error.statusCode
        : undefined);
    const { group, version, plural } = this.#options.resource;
    const where =
      this.#options.namespace === undefined
        ? 'cluster-wide'
        : `in namespace ${this.#options.namespace}`;
    if (status === 404) {
      return `${plural}.${group}/${version} is not served: install its CustomResourceDefinition`;
    }
    if (status === 401)
      return 'the API server rejected the credentials: check the kubeconfig or service account token';
    if (status === 403) {
      const resource = group === '' ? plural : `${plural}.${group}`;
      return `forbidden: grant the operator list and watch on ${resource} ${where}`;
    }
    return undefined;
  }
}

/**
 * The cache of one resource across the configured namespaces: a single informer for all
 * namespaces (or a cluster-scoped resource), otherwise one informer per namespace.
 */
export class ResourceCache<T extends KubeObject> {
  readonly #informers = new Map<string | undefined, ResilientInformer<T>>();

  constructor(
    options: Omit<InformerOptions, 'namespace'> & { namespaces: readonly string[] },
    handlers: InformerHandlers<T>,
  ) {
    const { namespaces, ...common } = options;
    const perNamespace = options.resource.namespaced && namespaces.length > 0;
    for (const namespace of perNamespace ? new Set(namespaces) : [undefined]) {
      this.#informers.set(
        namespace,
        new ResilientInformer<T>(
          { ...common, ...(namespace === undefined ? {} : { namespace }) },
          handlers,
        ),
      );
    }
  }

  /** The cached object, or undefined (also for namespaces outside the watched set). */
  get(name: string, namespace?: string): T | undefined {
    const informer = this.#informers.get(namespace) ?? this.#informers.get(undefined);
    return informer?.get(name, namespace);
  }

  /** Every cached object, or those in `namespace`. */
  list(namespace?: string): T[] {
    const all = [...this.#informers.values()].flatMap((informer) => informer.list());
    return namespace === undefined
      ? all
      : all.filter((object) => object.metadata?.namespace === namespace);
  }

  get synced(): boolean {
    return [...this.#informers.values()].every((informer) => informer.synced);
  }

  get dead(): boolean {
    return [...this.#informers.values()].some((informer) => informer.dead);
  }

  /** The earliest `failingSince` among the informers, if any is failing. */
  get failingSince(): number | undefined {
    const times = [...this.#informers.values()]
      .map((informer) => informer.failingSince)
      .filter((time): time is number => time !== undefined);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  start(): void {
    for (const informer of this.#informers.values()) informer.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((informer) => informer.stop()));
  }
}
