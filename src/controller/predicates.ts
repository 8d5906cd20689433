import type { KubeObject } from './kube-object';
/**
 * Which annotations the reconciler reacts to: entries ending in `/` match every key with that
 * prefix (`vpoperator.dev/`), other entries match one key exactly.
 */
export type AnnotationFilter = readonly string[];

/**
 * The parts of an object whose change warrants a reconcile. Everything else — above all
 * `status`, including the operator's own status writes — is ignored, so writing status never
 * triggers another reconcile.
 */
export interface ReconcileTrigger {
  readonly generation: number | undefined;
  readonly deleting: boolean;
  readonly finalizers: string;
  readonly annotations: string;
}

export function matchesAnnotationFilter(key: string, filter: AnnotationFilter): boolean {
  return filter.some((entry) => (entry.endsWith('/') ? key.startsWith(entry) : key === entry));
}

/** Extracts the {@link ReconcileTrigger} of `object`. */
export function reconcileTrigger(object: KubeObject, filter: AnnotationFilter): ReconcileTrigger {
  const metadata = object.metadata;
  const annotations = Object.entries(metadata?.annotations ?? {})
    .filter(([key]) => matchesAnnotationFilter(key, filter))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    generation: metadata?.generation,
    deleting: metadata?.deletionTimestamp !== undefined,
    finalizers: JSON.stringify(metadata?.finalizers ?? []),
    annotations: JSON.stringify(annotations),
  };
}

/**
 * Whether an update from `before` to `after` should be reconciled: `metadata.generation`
 * changed (spec edits), deletion started, finalizers changed, or a watched annotation changed
 * (annotations never bump `generation`). controller-runtime's GenerationChangedPredicate
 * plus annotation and deletion awareness.
 */
export function triggerChanged(before: ReconcileTrigger, after: ReconcileTrigger): boolean {
  return (
    before.generation !== after.generation ||
    before.deleting !== after.deleting ||
    before.finalizers !== after.finalizers ||
    before.annotations !== after.annotations
  );
}
