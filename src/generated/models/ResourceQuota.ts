/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ResourceQuotaSpec } from './ResourceQuotaSpec';
import type { ResourceQuotaStatus } from './ResourceQuotaStatus';
export type ResourceQuota = {
  apiVersion?: string;
  kind?: string;
  spec?: ResourceQuotaSpec;
  status?: ResourceQuotaStatus;
};

