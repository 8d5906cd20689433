/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Artifact } from './Artifact';
import type { KubernetesOptions } from './KubernetesOptions';
import type { Logging } from './Logging';
import type { ResourcesByComponent } from './ResourcesByComponent';
import type { StringMap } from './StringMap';
export type DeploymentTemplateSpec = {
  artifact?: Artifact;
  parallelism?: number;
  numberOfTaskManagers?: number;
  resources?: ResourcesByComponent;
  flinkConfiguration?: StringMap;
  logging?: Logging;
  kubernetes?: KubernetesOptions;
};

