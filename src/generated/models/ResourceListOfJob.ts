/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Job } from './Job';
import type { ResourceListMetadata } from './ResourceListMetadata';
export type ResourceListOfJob = {
  apiVersion?: string;
  kind?: string;
  metadata?: ResourceListMetadata;
  items?: Array<Job>;
};

