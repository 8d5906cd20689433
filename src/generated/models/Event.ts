/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { EventMetadata } from './EventMetadata';
import type { EventSpec } from './EventSpec';
export type Event = {
  apiVersion?: string;
  kind?: string;
  metadata?: EventMetadata;
  spec?: EventSpec;
};

