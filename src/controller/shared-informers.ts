import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../logging';
import type { RandomSource } from './backoff';
import type { Clock } from './clock';
import { ResourceCache, type InformerHandlers } from './informer';
import type { ResourceDescriptor } from './resource';
import type { KubeObject } from './kube-object';

/**
 * Read access to every kind the manager caches: each controller's own resource and the
 * resources its {@link SecondaryWatch}es name. Reads are synchronous and may lag the API
 * server by a watch event; objects returned are the cache's own and must not be mutated.
 */
export interface CacheReader {
  /** The cached object, or undefined when no watched cache holds it. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the kind it reads: the cache holds untyped objects
  get<U extends KubeObject>(
    resource: ResourceDescriptor,
    name: string,
    namespace?: string,
  ): U | undefined;
  /** Every cached object of `resource`, in `namespace` or in all watched namespaces. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the kind it reads: the cache holds untyped objects
  list<U extends KubeObject>(resource: ResourceDescriptor, namespace?: string): readonly U[];
}

/** What one informer lists and watches. */
export interface InformerScope {
  resource: ResourceDescriptor;
  /** Kubernetes label selector, e.g. `vpoperator.dev/instance=prod` or `!vpoperator.dev/instance`. */
  labelSelector?: string;
  /** One informer per namespace; empty = all namespaces. Ignored for cluster-scoped resources. */
  namespaces: readonly string[];
}

export interface SharedInformersOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  clock: Clock;
  random?: RandomSource;
}

interface SharedCache {
  readonly scope: InformerScope;
  readonly cache: ResourceCache<KubeObject>;
  readonly subscribers: InformerHandlers<KubeObject>[];
}

/**
 * The manager's informers, one per resource + label selector + namespace set however many
 * controllers and watches ask for it (like controller-runtime's shared cache), so that a
 * Secret watched by two controllers is listed and watched once. Subscribe before
 * {@link start}: a handler added later would miss the initial adds.
 */
export class SharedInformers implements CacheReader {
  readonly #options: SharedInformersOptions;
  readonly #caches = new Map<string, SharedCache>();
  #started = false;

  constructor(options: SharedInformersOptions) {
    this.#options = options;
  }

  /** Subscribes `handlers` to the informer for `scope`, created on first use; returns its cache. */
  subscribe(
    scope: InformerScope,
    handlers: InformerHandlers<KubeObject>,
  ): ResourceCache<KubeObject> {
    if (this.#started) {
      throw new Error(
        `cannot subscribe to ${describeScope(scope)} after the informers started: register controllers and watches before Manager.start()`,
      );
    }
    const normalised: InformerScope = {
      resource: scope.resource,
      ...(scope.labelSelector === undefined || scope.labelSelector === ''
        ? {}
        : { labelSelector: scope.labelSelector }),
      namespaces: scope.resource.namespaced ? [...new Set(scope.namespaces)].sort() : [],
    };
    const key = scopeKey(normalised);
    let shared = this.#caches.get(key);
    if (shared === undefined) {
      const subscribers: InformerHandlers<KubeObject>[] = [];
      const fanOut: InformerHandlers<KubeObject> = {
        onAdd: (object) => {
          for (const subscriber of subscribers) subscriber.onAdd(object);
        },
        onUpdate: (object) => {
          for (const subscriber of subscribers) subscriber.onUpdate(object);
        },
        onDelete: (object) => {
          for (const subscriber of subscribers) subscriber.onDelete(object);
        },
      };
      const { kubeConfig, logger, clock, random } = this.#options;
      const cache = new ResourceCache<KubeObject>(
        {
          kubeConfig,
          resource: normalised.resource,
          namespaces: normalised.namespaces,
          ...(normalised.labelSelector === undefined
            ? {}
            : { labelSelector: normalised.labelSelector }),
          logger,
          clock,
          ...(random === undefined ? {} : { random }),
        },
        fanOut,
      );
      shared = { scope: normalised, cache, subscribers };
      this.#caches.set(key, shared);
    }
    shared.subscribers.push(handlers);
    return shared.cache;
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the kind it reads: the cache holds untyped objects
  get<U extends KubeObject>(
    resource: ResourceDescriptor,
    name: string,
    namespace?: string,
  ): U | undefined {
    for (const { cache } of this.#cachesOf(resource)) {
      const object = cache.get(name, namespace);
      if (object !== undefined) return object as U;
    }
    return undefined;
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the kind it reads: the cache holds untyped objects
  list<U extends KubeObject>(resource: ResourceDescriptor, namespace?: string): readonly U[] {
    const caches = this.#cachesOf(resource);
    if (caches.length === 1) return (caches[0]?.cache.list(namespace) ?? []) as U[];
    // Two selectors may match the same object: list it once.
    const byIdentity = new Map<string, KubeObject>();
    for (const { cache } of caches) {
      for (const object of cache.list(namespace)) {
        const identity =
          object.metadata?.uid ??
          `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
        byIdentity.set(identity, object);
      }
    }
    return [...byIdentity.values()] as U[];
  }

  /** Every informer with a description for probes and logs. */
  entries(): { description: string; cache: ResourceCache<KubeObject> }[] {
    return [...this.#caches.values()].map(({ scope, cache }) => ({
      description: describeScope(scope),
      cache,
    }));
  }

  get synced(): boolean {
    return [...this.#caches.values()].every(({ cache }) => cache.synced);
  }

  start(): void {
    this.#started = true;
    for (const { cache } of this.#caches.values()) cache.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#caches.values()].map(({ cache }) => cache.stop()));
  }

  #cachesOf(resource: ResourceDescriptor): SharedCache[] {
    const caches = [...this.#caches.values()].filter(
      ({ scope }) =>
        scope.resource.group === resource.group && scope.resource.plural === resource.plural,
    );
    if (caches.length === 0) {
      throw new Error(
        `${describeResource(resource)} is not cached: add it to the controller's watches to read it from the cache`,
      );
    }
    return caches;
  }
}

function scopeKey(scope: InformerScope): string {
  const { group, version, plural } = scope.resource;
  return JSON.stringify([group, version, plural, scope.labelSelector ?? '', scope.namespaces]);
}

function describeResource(resource: ResourceDescriptor): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

/** `secrets (labels a=b) in ns1, ns2`: names an informer in probes and errors. */
export function describeScope(scope: InformerScope): string {
  const labels = scope.labelSelector === undefined ? '' : ` (labels ${scope.labelSelector})`;
  const where = scope.namespaces.length === 0 ? '' : ` in ${scope.namespaces.join(', ')}`;
  return `${describeResource(scope.resource)}${labels}${where}`;
}
