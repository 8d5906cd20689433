/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Failure } from './Failure';
import type { JobStatusStarted } from './JobStatusStarted';
export type JobStatus = {
  state?: 'STARTING' | 'STANDBY' | 'STARTED' | 'TERMINATING' | 'FAILED' | 'TERMINATED' | 'FINISHED';
  failure?: Failure;
  started?: JobStatusStarted;
};

