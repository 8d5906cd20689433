/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DeploymentDefaultsMetadata } from './DeploymentDefaultsMetadata';
import type { DeploymentSpec } from './DeploymentSpec';
export type DeploymentDefaults = {
  apiVersion?: string;
  kind?: string;
  metadata?: DeploymentDefaultsMetadata;
  spec?: DeploymentSpec;
};

