/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { JobMetadata } from './JobMetadata';
import type { JobSpec } from './JobSpec';
import type { JobStatus } from './JobStatus';
export type Job = {
  apiVersion?: string;
  kind?: string;
  metadata?: JobMetadata;
  spec?: JobSpec;
  status?: JobStatus;
};

