// First version of the CR types, written by hand; the schema module replaces it so that the
// TypeScript types and the CRD schemas come from one definition.
import type { Condition, KubeObject } from '../controller';

export type DeletionPolicy = 'Delete' | 'Orphan';
export type DeploymentDeletionPolicy = DeletionPolicy | 'SavepointThenDelete';

export interface SecretKeyRef {
  name: string;
  /** Default `token`. */
  key?: string;
}

export interface LocalObjectRef {
  name: string;
}

export interface ManagedSpec {
  deletionPolicy?: DeletionPolicy;
  apiTokenSecretRef?: SecretKeyRef;
}

export interface PendingOperation {
  operation: 'Create';
  vvpNamespace: string;
  name: string;
  startedAt: string;
}

export interface ManagedStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  id?: string;
  resourceVersion?: number;
  lastSyncTime?: string;
  lastHandledReconcileAt?: string;
  pendingOperation?: PendingOperation;
  adopted?: boolean;
}

export interface VvpObjectMetadata {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

// ---- VpNamespace
export type NamespaceRole = 'viewer' | 'editor' | 'owner';
export interface NamespaceRoleBinding {
  role: NamespaceRole;
  members: string[];
}

export type DesiredDeploymentState = 'RUNNING' | 'CANCELLED' | 'SUSPENDED';
export type ObservedDeploymentState =
  DesiredDeploymentState | 'TRANSITIONING' | 'FAILED' | 'FINISHED';

export interface Artifact {
  kind?: 'JAR' | 'SQLSCRIPT';
  jarUri?: string;
  entryClass?: string;
  mainArgs?: string;
  sqlScript?: string;
  additionalDependencies?: string[];
  flinkVersion?: string;
  flinkImageRegistry?: string;
  flinkImageRepository?: string;
  flinkImageTag?: string;
}

export interface ResourceSpec {
  cpu?: number;
  memory?: string;
}

export interface DeploymentTemplateSpec {
  artifact?: Artifact;
  parallelism?: number;
  numberOfTaskManagers?: number;
  resources?: { jobmanager?: ResourceSpec; taskmanager?: ResourceSpec };
  flinkConfiguration?: Record<string, string>;
  logging?: {
    loggingProfile?: string;
    log4jLoggers?: Record<string, string>;
    log4j2ConfigurationTemplate?: string;
  };
  kubernetes?: {
    pods?: Record<string, unknown>;
    jobManagerPodTemplate?: Record<string, unknown>;
    taskManagerPodTemplate?: Record<string, unknown>;
  };
}

export interface DeploymentTemplate {
  metadata?: { annotations?: Record<string, string> };
  spec?: DeploymentTemplateSpec;
}

export interface VvpDeploymentSpec {
  state?: DesiredDeploymentState;
  deploymentTargetId?: string;
  deploymentTargetName?: string;
  sessionClusterName?: string;
  upgradeStrategy?: { kind?: 'STATEFUL' | 'STATELESS' | 'NONE' };
  restoreStrategy?: {
    kind?: 'LATEST_STATE' | 'LATEST_SAVEPOINT' | 'NONE';
    allowNonRestoredState?: boolean;
  };
  maxSavepointCreationAttempts?: number;
  maxJobCreationAttempts?: number;
  template?: DeploymentTemplate;
}

export type VpNamespaceSpec = ManagedSpec & {
  roleBindings?: NamespaceRoleBinding[];
  deploymentDefaults?: VvpDeploymentSpec;
};
export type VpNamespaceStatus = ManagedStatus & { lifecyclePhase?: string };
export interface VpNamespace extends KubeObject {
  spec?: VpNamespaceSpec;
  status?: VpNamespaceStatus;
}

// ---- VpDeploymentTarget
export type VpDeploymentTargetSpec = ManagedSpec & {
  metadata?: VvpObjectMetadata;
  spec: { kubernetes: { namespace?: string }; deploymentPatchSet?: unknown[] };
};
export interface VpDeploymentTarget extends KubeObject {
  spec?: VpDeploymentTargetSpec;
  status?: ManagedStatus;
}

// ---- VpDeployment
export type SyncingMode = 'PATCH' | 'PUT';
export interface VpDeploymentSpec {
  deletionPolicy?: DeploymentDeletionPolicy;
  apiTokenSecretRef?: SecretKeyRef;
  syncingMode?: SyncingMode;
  initFields?: Record<string, unknown>;
  /** Change to any other value to take a savepoint. */
  savepointNonce?: number;
  /** Change to any other value to restart the job. */
  restartNonce?: number;
  deploymentTargetRef?: LocalObjectRef;
  metadata?: VvpObjectMetadata & { displayName?: string };
  spec: VvpDeploymentSpec;
}
export interface JobSummary {
  id: string;
  state?: string;
  createdAt?: string;
  terminatedAt?: string;
}
export interface SavepointSummary {
  id: string;
  state?: string;
  location?: string;
  origin?: string;
  createdAt?: string;
}
export type VpDeploymentStatus = ManagedStatus & {
  state?: ObservedDeploymentState;
  jobId?: string;
  running?: {
    jobId?: string;
    transitionTime?: string;
    conditions?: {
      type?: string;
      status?: 'True' | 'False' | 'Unknown';
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
      lastUpdateTime?: string;
    }[];
  };
  jobs?: JobSummary[];
  lastSavepoint?: SavepointSummary;
  handledSavepointNonce?: number;
  handledRestartNonce?: number;
  deploymentTargetId?: string;
  lastEventTime?: string;
  lastEventIds?: string[];
};
export interface VpDeployment extends KubeObject {
  spec?: VpDeploymentSpec;
  status?: VpDeploymentStatus;
}

// ---- VpSavepoint
export interface VpSavepointSpec extends ManagedSpec {
  deploymentRef?: LocalObjectRef;
  backoffLimit?: number;
  metadata?: { namespace?: string; deploymentId?: string; annotations?: Record<string, string> };
  spec?: { savepointLocation?: string };
}
export type VpSavepointStatus = ManagedStatus & {
  state?: 'STARTED' | 'COMPLETED' | 'FAILED';
  deploymentId?: string;
  jobId?: string;
  savepointLocation?: string;
  origin?: string;
  failure?: { message?: string; reason?: string; failedAt?: string };
  attempts?: number;
};
export interface VpSavepoint extends KubeObject {
  spec?: VpSavepointSpec;
  status?: VpSavepointStatus;
}
