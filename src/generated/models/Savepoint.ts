/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { SavepointMetadata } from './SavepointMetadata';
import type { SavepointSpec } from './SavepointSpec';
import type { SavepointStatus } from './SavepointStatus';
export type Savepoint = {
  apiVersion?: string;
  kind?: string;
  metadata?: SavepointMetadata;
  spec?: SavepointSpec;
  status?: SavepointStatus;
};

