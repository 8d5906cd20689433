/**
 * The controller core: a small controller-runtime for TypeScript. It knows Kubernetes only;
 * reconcilers plug in through {@link Reconciler} and {@link Manager.addController}.
 */
export { exponentialDelay, type BackoffOptions } from './backoff';
export { systemClock, type Clock, type TimerHandle } from './clock';
export {
  findCondition,
  setCondition,
  toKubernetesTime,
  type Condition,
  type ConditionStatus,
  type ConditionUpdate,
} from './conditions';
export {
  retryAfterOf,
  type EventSink,
  type ObjectStore,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
} from './controller';
export { ConflictError, TerminalError, describeError, isConflict, isNotFound } from './errors';
export {
  CLUSTER_EVENTS_NAMESPACE,
  deterministicEventName,
  type EventSpec,
  type PostOnceResult,
} from './events';
export { objectKey, type ObjectKey } from './keys';
export {
  LeaderElectionLostError,
  Manager,
  type ControllerRegistration,
  type LeaderElectionOptions,
  type ManagerExit,
  type ManagerOptions,
  type SecondaryWatch,
} from './manager';
export type { AnnotationFilter } from './predicates';
export {
  describeObject,
  type MetadataChanges,
  type ObjectWriter,
  type ResourceDescriptor,
  type StatusPatchOptions,
} from './resource';
export { KubernetesSecretClient, SECRET, type Secret, type SecretClient } from './secrets';
export type { CacheReader } from './shared-informers';
export type { KubeObject, PlainObjectOf } from './kube-object';
