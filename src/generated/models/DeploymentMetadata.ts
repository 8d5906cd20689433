/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { StringMap } from './StringMap';
export type DeploymentMetadata = {
  id?: string;
  /**
   * Free text before VVP 2.4; a unique DNS label from 2.4 on.
   */
  name?: string;
  /**
   * VVP 2.4 and later.
   */
  displayName?: string;
  namespace?: string;
  createdAt?: string;
  modifiedAt?: string;
  labels?: StringMap;
  annotations?: StringMap;
  resourceVersion?: number;
};

