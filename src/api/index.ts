/**
 * The vp-operator API (`vpoperator.dev/v1alpha1`): the four custom resource kinds, their
 * descriptors for the controller core, and the labels, annotations and finalizer they use.
 * The TypeScript types are inferred from the schemas the CRDs are generated from
 * (`npm run generate:crds`), so the two cannot drift. Fields with a schema default are
 * optional in the types: objects read from the API server have them, objects built in code
 * need not.
 */
export * from './constants';
export {
  DEFAULT_TOKEN_KEY,
  DEFAULT_VVP_NAMESPACE,
  DELETION_POLICIES,
  RESERVED_LABEL_PREFIX,
  type DeletionPolicy,
  type LocalObjectRef,
  type ManagedSpec,
  type ManagedStatus,
  type PendingOperation,
  type SecretKeyRef,
} from './common';
export {
  DESIRED_DEPLOYMENT_STATES,
  MIN_CPU,
  type Artifact,
  type DeploymentTemplateSpec,
  type DesiredDeploymentState,
  type VvpDeploymentSpec,
} from './vvp-deployment-spec';
export {
  NAMESPACE_ROLES,
  type NamespaceRole,
  type NamespaceRoleBinding,
  type VpNamespace,
  type VpNamespaceSpec,
  type VpNamespaceStatus,
} from './vp-namespace';
export type {
  VpDeploymentTarget,
  VpDeploymentTargetSpec,
  VpDeploymentTargetStatus,
} from './vp-deployment-target';
export {
  DEPLOYMENT_DELETION_POLICIES,
  JOB_STATES,
  MAX_CURSOR_EVENT_IDS,
  MAX_LISTED_JOBS,
  OBSERVED_DEPLOYMENT_STATES,
  SAVEPOINT_ORIGINS,
  SAVEPOINT_STATES,
  SYNCING_MODES,
  type DeploymentDeletionPolicy,
  type JobSummary,
  type ObservedDeploymentState,
  type SavepointSummary,
  type SyncingMode,
  type VpDeployment,
  type VpDeploymentSpec,
  type VpDeploymentStatus,
} from './vp-deployment';
export {
  DEFAULT_BACKOFF_LIMIT,
  type VpSavepoint,
  type VpSavepointSpec,
  type VpSavepointStatus,
} from './vp-savepoint';
