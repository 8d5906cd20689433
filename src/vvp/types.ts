import type * as generated from '../generated';

/**
 * The generated models with every `any` (open JSON objects such as Kubernetes pod settings)
 * turned into `unknown`, so that no unchecked value leaks into the operator.
 */
export type NoAny<T> = 0 extends 1 & T
  ? unknown
  : T extends readonly (infer Item)[]
    ? NoAny<Item>[]
    : T extends object
      ? { [Key in keyof T]: NoAny<T[Key]> }
      : T;

export type ApiToken = NoAny<generated.ApiToken>;
export type Artifact = NoAny<generated.Artifact>;
export type Deployment = NoAny<generated.Deployment>;
export type DeploymentCondition = NoAny<generated.DeploymentCondition>;
export type DeploymentDefaults = NoAny<generated.DeploymentDefaults>;
export type DeploymentMetadata = NoAny<generated.DeploymentMetadata>;
export type DeploymentRestoreStrategy = NoAny<generated.DeploymentRestoreStrategy>;
export type DeploymentSpec = NoAny<generated.DeploymentSpec>;
export type DeploymentStatus = NoAny<generated.DeploymentStatus>;
export type DeploymentTarget = NoAny<generated.DeploymentTarget>;
export type DeploymentTemplate = NoAny<generated.DeploymentTemplate>;
export type DeploymentTemplateSpec = NoAny<generated.DeploymentTemplateSpec>;
export type DeploymentUpgradeStrategy = NoAny<generated.DeploymentUpgradeStrategy>;
export type DesiredDeploymentState = generated.DesiredDeploymentState;
export type Event = NoAny<generated.Event>;
export type EventName = generated.EventName;
export type Failure = NoAny<generated.Failure>;
export type Job = NoAny<generated.Job>;
export type KubernetesOptions = NoAny<generated.KubernetesOptions>;
export type Namespace = NoAny<generated.Namespace>;
export type RoleBinding = NoAny<generated.RoleBinding>;
export type Savepoint = NoAny<generated.Savepoint>;
export type SystemInformation = NoAny<generated.SystemInformation>;
