import {
  ANNOTATION_ADOPT,
  ANNOTATION_FORCE_ORPHAN,
  ANNOTATION_PAUSED,
  ANNOTATION_RECONCILE_REQUESTED_AT,
} from '../../api';
import type { ManagedResource } from './types';

/** The control annotations and operator-only spec fields of a CR, read once per reconcile. */
export interface Controls {
  /** `vpoperator.dev/paused: "true"`: observe and report, never write to VVP. */
  paused: boolean;
  /** `vpoperator.dev/adopt: "true"`: take over a same-named VVP object the operator did not create. */
  adopt: boolean;
  /** `vpoperator.dev/reconcile-requested-at`, acknowledged in `status.lastHandledReconcileAt`. */
  reconcileRequestedAt: string | undefined;
  /** `spec.deletionPolicy`, `Delete` by default. */
  deletionPolicy: string;
  /** `vpoperator.dev/force-orphan: "true"`: drop the finalizer now, leave VVP as it is. */
  forceOrphan: boolean;
}

export function readControls(object: ManagedResource): Controls {
  const annotations = object.metadata?.annotations ?? {};
  return {
    paused: annotations[ANNOTATION_PAUSED] === 'true',
    adopt: annotations[ANNOTATION_ADOPT] === 'true',
    reconcileRequestedAt: annotations[ANNOTATION_RECONCILE_REQUESTED_AT],
    deletionPolicy: object.spec?.deletionPolicy ?? 'Delete',
    forceOrphan: annotations[ANNOTATION_FORCE_ORPHAN] === 'true',
  };
}
