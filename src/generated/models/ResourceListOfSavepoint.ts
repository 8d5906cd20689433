/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ResourceListMetadata } from './ResourceListMetadata';
import type { Savepoint } from './Savepoint';
export type ResourceListOfSavepoint = {
  apiVersion?: string;
  kind?: string;
  metadata?: ResourceListMetadata;
  items?: Array<Savepoint>;
};

