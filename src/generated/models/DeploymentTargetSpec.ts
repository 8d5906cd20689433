/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { KubernetesTarget } from './KubernetesTarget';
export type DeploymentTargetSpec = {
  kubernetes?: KubernetesTarget;
};

