/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Event } from './Event';
import type { ResourceListMetadata } from './ResourceListMetadata';
export type ResourceListOfEvent = {
  apiVersion?: string;
  kind?: string;
  metadata?: ResourceListMetadata;
  items?: Array<Event>;
};

