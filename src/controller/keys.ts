import type { KubeObject } from './kube-object';
/** Work queue key: `namespace/name`, or `name` for cluster-scoped objects. */
export type ObjectKey = string;

/** The work queue key of `object`; throws when the object carries no name. */
export function objectKey(object: KubeObject): ObjectKey {
  const name = object.metadata?.name;
  if (name === undefined || name === '') {
    throw new Error(`${object.kind ?? 'object'} without metadata.name cannot be keyed`);
  }
  const namespace = object.metadata?.namespace;
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

/** Splits a key produced by {@link objectKey}. */
export function parseObjectKey(key: ObjectKey): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash === -1
    ? { name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
