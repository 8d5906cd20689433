/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { StringMap } from './StringMap';
export type DeploymentTargetMetadata = {
  id?: string;
  name?: string;
  namespace?: string;
  createdAt?: string;
  modifiedAt?: string;
  labels?: StringMap;
  annotations?: StringMap;
  resourceVersion?: number;
};

