/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { StringMap } from './StringMap';
export type JobMetadata = {
  id?: string;
  namespace?: string;
  deploymentId?: string;
  deploymentName?: string;
  createdAt?: string;
  modifiedAt?: string;
  terminatedAt?: string;
  annotations?: StringMap;
  resourceVersion?: number;
};

