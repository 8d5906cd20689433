import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * The plain-object shape of a client-node model class. The generated models are classes, but
 * the client serialises them by field name, so plain objects of this shape are what we build
 * and send (typed as the class, a literal would lack nothing at runtime but its prototype).
 */
export type PlainObjectOf<T> = T extends Date
  ? T
  : T extends readonly (infer U)[]
    ? PlainObjectOf<U>[]
    : T extends object
      ? { [K in keyof T]: PlainObjectOf<T[K]> }
      : T;

/**
 * Any Kubernetes object as plain data: what the core is generic over. Custom resource types
 * (`src/api/`) extend it; client-node's `KubernetesObject` is the same shape with class-typed
 * metadata, which object literals cannot satisfy under our lint rules.
 */
export type KubeObject = PlainObjectOf<KubernetesObject>;
