/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { EventName } from './EventName';
export type EventMetadata = {
  id?: string;
  namespace?: string;
  name?: EventName;
  deploymentId?: string;
  jobId?: string;
  createdAt?: string;
  resourceVersion?: number;
};

