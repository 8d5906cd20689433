import type { JsonObject } from '../json';

/** Which VVP release the simulator behaves like (paths, naming rules, PUT, DELETE rules). */
export type VvpVersion = '2.1' | '2.4';
export const VVP_VERSIONS: readonly VvpVersion[] = ['2.1', '2.4'];

export const DESIRED_STATES = ['RUNNING', 'SUSPENDED', 'CANCELLED'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];
export type DeploymentState = DesiredState | 'TRANSITIONING' | 'FAILED' | 'FINISHED';
export type JobState =
  'STARTING' | 'STANDBY' | 'STARTED' | 'TERMINATING' | 'FAILED' | 'TERMINATED' | 'FINISHED';
export type SavepointState = 'STARTED' | 'COMPLETED' | 'FAILED';
export type SavepointOrigin =
  'USER_REQUEST' | 'SUSPEND' | 'SUSPEND_AND_UPGRADE' | 'COPIED' | 'RETAINED_CHECKPOINT';

/** The subset of VVP's `EventMetadata.name` vocabulary the simulator emits (all exist in 2.1 and 2.4). */
export type EventName =
  | 'STATE_TRANSITION_IS_NEEDED'
  | 'STATE_TRANSITION_IS_COMPLETED'
  | 'USING_AN_UPGRADE_STRATEGY'
  | 'CREATING_A_NEW_JOB'
  | 'SPINNING_UP_A_CLUSTER_FOR_A_JOB'
  | 'AWAITING_A_JOB_TO_START'
  | 'JOB_SUCCESSFULLY_STARTED'
  | 'FAILED_CREATING_A_NEW_JOB'
  | 'TOO_MANY_FAILED_JOB_CREATION_ATTEMPTS'
  | 'CREATING_A_SAVEPOINT_BEFORE_SUSPENSION'
  | 'AWAITING_SAVEPOINT_COMPLETION_TO_TRANSITION_TO_SUSPENDED'
  | 'FOUND_A_COMPLETED_SAVEPOINT_READY_FOR_SUSPENSION'
  | 'NEED_TO_TRIGGER_A_SAVEPOINT'
  | 'SUCCESSFULLY_TRIGGERED_A_SAVEPOINT'
  | 'AWAITING_FOR_A_SAVEPOINT_TO_COMPLETE'
  | 'AN_UNRECOVERABLE_FAILURE_WHILE_TAKING_A_SAVEPOINT'
  | 'JOB_IS_NOT_CONFIGURED_WITH_SAVEPOINT_SUPPORT'
  | 'TOO_MANY_FAILED_SUSPENSION_ATTEMPTS'
  | 'FOUND_A_JOB_TO_TERMINATE'
  | 'FOUND_AN_OLD_JOB_AND_WILL_TERMINATE_IT'
  | 'AWAITING_A_JOB_TO_TERMINATE'
  | 'AWAIT_FOR_A_CLUSTER_TO_TEARDOWN'
  | 'JOB_SUCCESSFULLY_FINISHED'
  | 'TRANSITIONED_TO_FINISHED_STATE'
  | 'TERMINATING_A_JOB_DUE_TO_AN_UNRECOVERABLE_FAILURE';

export interface Failure {
  message: string;
  reason: string;
  failedAt: string;
}

/** Metadata common to the namespaced AppManager resources. */
export interface ResourceMetadata {
  id: string;
  namespace: string;
  createdAt: string;
  modifiedAt: string;
  resourceVersion: number;
  annotations: Record<string, string>;
}

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  lastUpdateTime: string;
}

export interface DeploymentStatus {
  state: DeploymentState;
  running?: { jobId: string; transitionTime: string; conditions: DeploymentCondition[] };
}

export interface Deployment {
  kind: 'Deployment';
  apiVersion: 'v1';
  metadata: ResourceMetadata & {
    name: string;
    displayName?: string;
    labels: Record<string, string>;
  };
  /** Stored as sent (after defaults); the lifecycle reads it through `readDeploymentSpec`. */
  spec: JsonObject;
  status: DeploymentStatus;
}

export interface DeploymentTarget {
  kind: 'DeploymentTarget';
  apiVersion: 'v1';
  metadata: ResourceMetadata & { name: string; labels: Record<string, string> };
  spec: JsonObject;
}

export interface DeploymentDefaults {
  kind: 'DeploymentDefaults';
  apiVersion: 'v1';
  metadata: ResourceMetadata;
  spec: JsonObject;
}

export interface Job {
  kind: 'Job';
  apiVersion: 'v1';
  metadata: ResourceMetadata & {
    deploymentId: string;
    deploymentName: string;
    terminatedAt?: string;
  };
  spec: JsonObject;
  status: {
    state: JobState;
    failure?: Failure;
    started?: {
      flinkJobId: string;
      startedAt: string;
      lastUpdateTime: string;
      observedFlinkJobStatus: string;
      observedFlinkJobRestarts: number;
    };
  };
}

export interface Savepoint {
  kind: 'Savepoint';
  apiVersion: 'v1';
  metadata: ResourceMetadata & {
    deploymentId?: string;
    jobId?: string;
    origin: SavepointOrigin;
  };
  spec: { savepointLocation?: string; flinkSavepointId?: string };
  status: { state: SavepointState; failure?: Failure };
}

export interface VvpEvent {
  kind: 'Event';
  apiVersion: 'v1';
  metadata: {
    id: string;
    namespace: string;
    createdAt: string;
    name: EventName;
    deploymentId?: string;
    jobId?: string;
  };
  spec: { message: string };
}

export type Role = 'viewer' | 'editor' | 'owner';
export const ROLES: readonly Role[] = ['viewer', 'editor', 'owner'];

export interface RoleBinding {
  role: string;
  members: string[];
}

export type LifecyclePhase = 'LIFECYCLE_PHASE_ACTIVE' | 'LIFECYCLE_PHASE_TERMINATING';

/** Platform API namespace, flat and with its fully qualified name `namespaces/<ns>`. */
export interface PlatformNamespace {
  name: string;
  roleBindings: RoleBinding[];
  createTime: string;
  lifecyclePhase: LifecyclePhase;
}

/** Platform API token, fully qualified name `namespaces/<ns>/apitokens/<t>`. */
export interface ApiToken {
  name: string;
  role: Role;
  createTime: string;
}
