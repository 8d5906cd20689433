/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DeploymentStatusRunning } from './DeploymentStatusRunning';
export type DeploymentStatus = {
  state?: 'RUNNING' | 'SUSPENDED' | 'CANCELLED' | 'TRANSITIONING' | 'FAILED' | 'FINISHED';
  running?: DeploymentStatusRunning;
};

