/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DeploymentTarget } from './DeploymentTarget';
import type { ResourceListMetadata } from './ResourceListMetadata';
export type ResourceListOfDeploymentTarget = {
  apiVersion?: string;
  kind?: string;
  metadata?: ResourceListMetadata;
  items?: Array<DeploymentTarget>;
};

