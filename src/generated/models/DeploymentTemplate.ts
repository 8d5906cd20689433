/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DeploymentTemplateMetadata } from './DeploymentTemplateMetadata';
import type { DeploymentTemplateSpec } from './DeploymentTemplateSpec';
export type DeploymentTemplate = {
  metadata?: DeploymentTemplateMetadata;
  spec?: DeploymentTemplateSpec;
};

