/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DeploymentCondition } from './DeploymentCondition';
export type DeploymentStatusRunning = {
  jobId?: string;
  transitionTime?: string;
  conditions?: Array<DeploymentCondition>;
};

