import type { ResourceDescriptor } from '../controller';

/** The API group of every vp-operator custom resource. */
export const API_GROUP = 'vpoperator.dev';
/** The one served and stored version; `v1alpha1` while the API may still change. */
export const API_VERSION = 'v1alpha1';

/** A VVP namespace (Platform API). Cluster-scoped: VVP namespaces are global. */
export const VP_NAMESPACE: ResourceDescriptor = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'vpnamespaces',
  kind: 'VpNamespace',
  namespaced: false,
};

/** A VVP deployment target (AppManager API). */
export const VP_DEPLOYMENT_TARGET: ResourceDescriptor = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'vpdeploymenttargets',
  kind: 'VpDeploymentTarget',
  namespaced: true,
};

/** A VVP deployment (AppManager API). */
export const VP_DEPLOYMENT: ResourceDescriptor = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'vpdeployments',
  kind: 'VpDeployment',
  namespaced: true,
};

/** A VVP savepoint of a deployment (AppManager API). */
export const VP_SAVEPOINT: ResourceDescriptor = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'vpsavepoints',
  kind: 'VpSavepoint',
  namespaced: true,
};

/** Held on a CR until its VVP object is deleted (or orphaned, per `spec.deletionPolicy`). */
export const FINALIZER = 'vpoperator.dev/cleanup';
/** Label on CRs: which operator instance (`--instance-id`) reconciles them. */
export const LABEL_INSTANCE = 'vpoperator.dev/instance';
/** `"true"`: stop acting on VVP, keep observing and reporting. */
export const ANNOTATION_PAUSED = 'vpoperator.dev/paused';
/** `"true"`: take over a same-named VVP object that the operator did not create. */
export const ANNOTATION_ADOPT = 'vpoperator.dev/adopt';
/** Any new value requests a reconcile now; acknowledged in `status.lastHandledReconcileAt`. */
export const ANNOTATION_RECONCILE_REQUESTED_AT = 'vpoperator.dev/reconcile-requested-at';
/**
 * `"true"` on a CR being deleted: the escape hatch when a deletion cannot complete (VVP gone for
 * good, a step that keeps failing). The finalizer is dropped at once and the VVP object left as
 * it is, with a Warning Event; nobody has to edit finalizers by hand.
 */
export const ANNOTATION_FORCE_ORPHAN = 'vpoperator.dev/force-orphan';

/**
 * Labels the operator puts on the VVP objects it creates (where VVP's model has labels), so a
 * reconcile after a crash recognises its own object and never adopts a stranger's by accident.
 */
export const OWNER_LABELS = {
  kind: 'vpoperator.dev/owner-kind',
  namespace: 'vpoperator.dev/owner-namespace',
  name: 'vpoperator.dev/owner-name',
  uid: 'vpoperator.dev/owner-uid',
  instance: LABEL_INSTANCE,
} as const;
