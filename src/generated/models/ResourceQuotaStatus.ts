/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ResourceConsumption } from './ResourceConsumption';
export type ResourceQuotaStatus = {
  used?: ResourceConsumption;
};

