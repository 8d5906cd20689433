import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { ConflictError, apiStatusCode, isConflict } from './errors';
import { createMergePatch, type Json } from '../json';
import { JSON_PATCH, MERGE_PATCH } from './patch-media-types';
import type { KubeObject } from './kube-object';

/** Identifies the Kubernetes resource a controller reconciles. */
export interface ResourceDescriptor {
  /** API group, e.g. `vpoperator.dev`; `''` is the core group. */
  group: string;
  version: string;
  /** Lower-case plural as in the URL, e.g. `vpdeployments`. */
  plural: string;
  kind: string;
  namespaced: boolean;
}

/** `group/version`, or `version` for the core group. */
export function apiVersionOf(resource: ResourceDescriptor): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** The collection URL path, in `namespace` or across all namespaces. */
export function collectionPath(resource: ResourceDescriptor, namespace?: string): string {
  const base =
    resource.group === ''
      ? `/api/${resource.version}`
      : `/apis/${resource.group}/${resource.version}`;
  return namespace === undefined
    ? `${base}/${resource.plural}`
    : `${base}/namespaces/${namespace}/${resource.plural}`;
}

/** A human handle for logs and errors: `Kind namespace/name`. */
export function describeObject(object: KubeObject): string {
  const namespace = object.metadata?.namespace;
  const name = object.metadata?.name ?? '<unnamed>';
  return `${object.kind ?? 'object'} ${namespace === undefined ? name : `${namespace}/${name}`}`;
}

type WithStatus = KubeObject & { status?: Record<string, unknown> };

/**
 * The status this process last wrote per object. A requeue can fire before the informer has
 * delivered our own previous status write; diffing against that stale cached status would
 * skip a needed write or leave removed members behind. While the cached object is still the
 * version we wrote over, the status we wrote is what the server holds.
 */
export class WrittenStatuses {
  readonly #byUid = new Map<
    string,
    { writtenOver: string | undefined; status: Record<string, unknown> }
  >();

  constructor(private readonly capacity = 16_384) {}

  /** The status to diff against when writing `object`'s status. */
  baseFor(object: WithStatus): Record<string, unknown> | undefined {
    const uid = object.metadata?.uid;
    const written = uid === undefined ? undefined : this.#byUid.get(uid);
    return written !== undefined && written.writtenOver === object.metadata?.resourceVersion
      ? written.status
      : object.status;
  }

  /** Records that `before`'s status was written, yielding `after`. */
  remember(before: WithStatus, after: WithStatus): void {
    const uid = before.metadata?.uid;
    if (uid === undefined) return;
    this.#byUid.delete(uid);
    this.#byUid.set(uid, {
      writtenOver: before.metadata?.resourceVersion,
      status: after.status ?? {},
    });
    if (this.#byUid.size > this.capacity) {
      const oldest = this.#byUid.keys().next();
      if (oldest.done !== true) this.#byUid.delete(oldest.value);
    }
  }
}

/** Options of {@link ObjectWriter.patchStatus}. */
export interface StatusPatchOptions {
  /**
   * Write only if the object is still at this `metadata.resourceVersion` (usually the one of
   * the object being reconciled); otherwise a {@link ConflictError}. For status that records
   * intent before an external write, which a reconcile working from a stale cache must not
   * overwrite.
   */
  resourceVersion?: string;
}

/** Label and annotation changes for {@link ObjectWriter.patchMetadata}; `null` removes a key. */
export interface MetadataChanges {
  labels?: Record<string, string | null>;
  annotations?: Record<string, string | null>;
}

/** The writes a reconciler makes to the objects it reconciles. */
export interface ObjectWriter<T extends KubeObject> {
  /**
   * Brings `status` to `desired` with a minimal merge patch of `/status`; writes nothing when
   * nothing differs (then `options.resourceVersion` is not checked either).
   */
  patchStatus(
    object: T,
    desired: Record<string, unknown>,
    options?: StatusPatchOptions,
  ): Promise<T>;
  /** Merges `changes` into the object's labels and annotations; writes nothing when nothing differs. */
  patchMetadata(object: T, changes: MetadataChanges): Promise<T>;
  addFinalizer(object: T, finalizer: string): Promise<T>;
  removeFinalizer(object: T, finalizer: string): Promise<T>;
}

/**
 * Writes to one custom resource: the `/status` subresource and finalizers. Status and
 * finalizer additions are JSON merge patches (CRDs reject strategic merge); adding a finalizer
 * carries `metadata.resourceVersion`, removing one is a JSON patch with a `test` op, so a
 * concurrent change fails with a conflict instead of being lost. Each method returns the
 * object as the API server stored it.
 */
export class ResourceClient<T extends KubeObject> implements ObjectWriter<T> {
  readonly #api: CustomObjectsApi;
  readonly #written = new WrittenStatuses();

  constructor(
    kubeConfig: KubeConfig,
    readonly resource: ResourceDescriptor,
    private readonly fieldManager: string,
  ) {
    if (resource.group === '') {
      throw new Error(
        `ResourceClient for ${resource.kind}: core-group resources have no custom-object API; controllers reconcile custom resources only`,
      );
    }
    this.#api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /**
   * Brings `status` of `object` to `desired` with a minimal merge patch of `/status`. Writes
   * nothing (and returns `object` unchanged) when nothing differs, so steady state costs no
   * API calls; members missing from `desired` are removed. With `options.resourceVersion` the
   * patch carries it in `metadata`, which the API server checks like an update's.
   */
  async patchStatus(
    object: T,
    desired: Record<string, unknown>,
    options: StatusPatchOptions = {},
  ): Promise<T> {
    const statusPatch = createMergePatch(this.#written.baseFor(object), desired);
    if (statusPatch === undefined) return object;
    const { resourceVersion } = options;
    const body: Json =
      resourceVersion === undefined
        ? { status: statusPatch }
        : { metadata: { resourceVersion }, status: statusPatch };
    let updated: T;
    try {
      updated = await this.#patch(object, body, true, MERGE_PATCH);
    } catch (error) {
      if (resourceVersion === undefined || !isConflict(error)) throw error;
      throw new ConflictError(
        `${describeObject(object)} changed since resourceVersion ${resourceVersion}; status not written, will retry`,
        { cause: error },
      );
    }
    this.#written.remember(object, updated);
    return updated;
  }

  /**
   * Merge-patches labels and annotations: only the keys named change, `null` removes one.
   * Writes nothing when every key already has its value. No resourceVersion precondition:
   * a merge patch of map keys cannot lose a concurrent change to other keys.
   */
  async patchMetadata(object: T, changes: MetadataChanges): Promise<T> {
    const metadata: Record<string, Record<string, string | null>> = {};
    for (const field of ['labels', 'annotations'] as const) {
      const current = object.metadata?.[field] ?? {};
      const differing = Object.entries(changes[field] ?? {}).filter(([key, value]) =>
        value === null ? key in current : current[key] !== value,
      );
      if (differing.length > 0) metadata[field] = Object.fromEntries(differing);
    }
    if (Object.keys(metadata).length === 0) return object;
    return this.#patch(object, { metadata }, false, MERGE_PATCH);
  }

  /** Adds `finalizer` unless present (optimistically locked). */
  async addFinalizer(object: T, finalizer: string): Promise<T> {
    const finalizers = object.metadata?.finalizers ?? [];
    if (finalizers.includes(finalizer)) return object;
    return this.#patchFinalizers(object, [...finalizers, finalizer]);
  }

  /**
   * Removes `finalizer` if present. A JSON patch whose `test` op pins the entry's position
   * guards against concurrent finalizer changes without conflicting with status writes made
   * since `object` was read; a failed test surfaces as a {@link ConflictError}.
   */
  async removeFinalizer(object: T, finalizer: string): Promise<T> {
    const index = (object.metadata?.finalizers ?? []).indexOf(finalizer);
    if (index === -1) return object;
    const path = `/metadata/finalizers/${index}`;
    try {
      return await this.#patch(
        object,
        [
          { op: 'test', path, value: finalizer },
          { op: 'remove', path },
        ],
        false,
        JSON_PATCH,
      );
    } catch (error) {
      if (apiStatusCode(error) !== 422) throw error;
      throw new ConflictError(
        `finalizers of ${describeObject(object)} changed concurrently; will retry`,
        { cause: error },
      );
    }
  }

  async #patchFinalizers(object: T, finalizers: string[]): Promise<T> {
    const resourceVersion = object.metadata?.resourceVersion;
    if (resourceVersion === undefined) {
      throw new Error(
        `${describeObject(object)} has no metadata.resourceVersion; finalizers are only patched on objects read from the API server`,
      );
    }
    // Merge patch replaces the whole list; the resourceVersion precondition makes that safe.
    return this.#patch(object, { metadata: { resourceVersion, finalizers } }, false, MERGE_PATCH);
  }

  async #patch(
    object: T,
    body: Json,
    status: boolean,
    contentType: typeof MERGE_PATCH,
  ): Promise<T> {
    const name = object.metadata?.name ?? '';
    const namespace = object.metadata?.namespace;
    const { group, version, plural } = this.resource;
    const common = { group, version, plural, name, body, fieldManager: this.fieldManager };
    let result: unknown;
    if (this.resource.namespaced) {
      if (namespace === undefined) {
        throw new Error(
          `${describeObject(object)} is namespaced but carries no metadata.namespace`,
        );
      }
      result = status
        ? await this.#api.patchNamespacedCustomObjectStatus({ ...common, namespace }, contentType)
        : await this.#api.patchNamespacedCustomObject({ ...common, namespace }, contentType);
    } else {
      result = status
        ? await this.#api.patchClusterCustomObjectStatus(common, contentType)
        : await this.#api.patchClusterCustomObject(common, contentType);
    }
    return result as T;
  }
}
