/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ResourceQuota } from './ResourceQuota';
import type { RevisionInformation } from './RevisionInformation';
export type SystemInformationStatus = {
  jvmVersion?: string;
  revisionInformation?: RevisionInformation;
  resourceQuota?: ResourceQuota;
};

