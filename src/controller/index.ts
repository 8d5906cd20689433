/**
 * The controller core: a small controller-runtime for TypeScript. It knows Kubernetes only;
 * reconcilers plug in through {@link Reconciler} and {@link Manager.addController}.
 */
export { systemClock, type Clock, type TimerHandle } from './clock';
export {
  findCondition,
  setCondition,
  toKubernetesTime,
  type Condition,
  type ConditionStatus,
  type ConditionUpdate,
} from './conditions';
export type {
  EventSink,
  ObjectStore,
  ReconcileContext,
  ReconcileResult,
  Reconciler,
} from './controller';
export { ConflictError, TerminalError, describeError, isConflict, isNotFound } from './errors';
export { deterministicEventName, type EventSpec, type PostOnceResult } from './events';
export { objectKey, type ObjectKey } from './keys';
export {
  LeaderElectionLostError,
  Manager,
  type ControllerRegistration,
  type LeaderElectionOptions,
  type ManagerExit,
  type ManagerOptions,
} from './manager';
export type { AnnotationFilter } from './predicates';
export { describeObject, type ObjectWriter, type ResourceDescriptor } from './resource';
export type { KubeObject, Wire } from './wire';
