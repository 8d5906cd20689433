/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DeploymentTargetMetadata } from './DeploymentTargetMetadata';
import type { DeploymentTargetSpec } from './DeploymentTargetSpec';
export type DeploymentTarget = {
  apiVersion?: string;
  kind?: string;
  metadata?: DeploymentTargetMetadata;
  spec?: DeploymentTargetSpec;
};

