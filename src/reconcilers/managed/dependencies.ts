import type { KubeObject } from '../../controller';

/** A reconciled object, as a secondary watch's map answers it. */
export interface ObjectRef {
  name: string;
  namespace?: string;
}

/**
 * Which reconciled objects depend on which other objects (the token Secret a CR names, the VVP
 * namespace its object lives in), learnt while reconciling them, so a secondary watch can
 * requeue exactly the dependants of a changed object. Every object is reconciled when its
 * controller starts, so the index is complete after the first pass.
 */
export class DependencyIndex {
  readonly #dependants = new Map<string, Map<string, ObjectRef>>();
  readonly #dependencies = new Map<string, readonly string[]>();

  /** Replaces what `object` depends on. */
  record(object: KubeObject, dependencies: readonly string[]): void {
    const ref = refOf(object);
    const key = keyOf(ref);
    this.forget(object);
    this.#dependencies.set(key, dependencies);
    for (const dependency of dependencies) {
      let dependants = this.#dependants.get(dependency);
      if (dependants === undefined) {
        dependants = new Map();
        this.#dependants.set(dependency, dependants);
      }
      dependants.set(key, ref);
    }
  }

  /** `object` is gone: it depends on nothing any more. */
  forget(object: KubeObject): void {
    const key = keyOf(refOf(object));
    for (const dependency of this.#dependencies.get(key) ?? []) {
      const dependants = this.#dependants.get(dependency);
      dependants?.delete(key);
      if (dependants?.size === 0) this.#dependants.delete(dependency);
    }
    this.#dependencies.delete(key);
  }

  /** The objects depending on `dependency`. */
  dependantsOf(dependency: string): readonly ObjectRef[] {
    return [...(this.#dependants.get(dependency)?.values() ?? [])];
  }
}

/** The dependency key of a Secret. */
export function secretDependency(namespace: string, name: string): string {
  return `Secret ${namespace}/${name}`;
}

/** The dependency key of a VVP namespace (and of the VpNamespace that manages it). */
export function vvpNamespaceDependency(vvpNamespace: string): string {
  return `VVP namespace ${vvpNamespace}`;
}

function refOf(object: KubeObject): ObjectRef {
  const name = object.metadata?.name ?? '';
  const namespace = object.metadata?.namespace;
  return namespace === undefined ? { name } : { name, namespace };
}

function keyOf(ref: ObjectRef): string {
  return `${ref.namespace ?? ''}/${ref.name}`;
}
