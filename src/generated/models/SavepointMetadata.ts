/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { StringMap } from './StringMap';
export type SavepointMetadata = {
  id?: string;
  namespace?: string;
  deploymentId?: string;
  jobId?: string;
  origin?: 'USER_REQUEST' | 'SUSPEND' | 'SUSPEND_AND_UPGRADE' | 'COPIED' | 'RETAINED_CHECKPOINT';
  createdAt?: string;
  modifiedAt?: string;
  annotations?: StringMap;
  resourceVersion?: number;
};

