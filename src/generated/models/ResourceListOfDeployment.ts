/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Deployment } from './Deployment';
import type { ResourceListMetadata } from './ResourceListMetadata';
export type ResourceListOfDeployment = {
  apiVersion?: string;
  kind?: string;
  metadata?: ResourceListMetadata;
  items?: Array<Deployment>;
};

