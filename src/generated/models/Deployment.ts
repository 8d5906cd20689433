/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DeploymentMetadata } from './DeploymentMetadata';
import type { DeploymentSpec } from './DeploymentSpec';
import type { DeploymentStatus } from './DeploymentStatus';
export type Deployment = {
  apiVersion?: string;
  kind?: string;
  metadata?: DeploymentMetadata;
  spec?: DeploymentSpec;
  status?: DeploymentStatus;
};

