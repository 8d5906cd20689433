/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Artifact } from './Artifact';
import type { JobDeploymentTarget } from './JobDeploymentTarget';
import type { KubernetesOptions } from './KubernetesOptions';
import type { Logging } from './Logging';
import type { ResourcesByComponent } from './ResourcesByComponent';
import type { StringMap } from './StringMap';
/**
 * The deployment template frozen when the job was created.
 */
export type JobSpec = {
  artifact?: Artifact;
  deploymentTarget?: JobDeploymentTarget;
  parallelism?: number;
  numberOfTaskManagers?: number;
  resources?: ResourcesByComponent;
  flinkConfiguration?: StringMap;
  logging?: Logging;
  kubernetes?: KubernetesOptions;
  /**
   * The snapshot the job was restored from.
   */
  savepointLocation?: string;
  allowNonRestoredState?: boolean;
};

