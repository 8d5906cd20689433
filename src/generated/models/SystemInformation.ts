/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { SystemInformationStatus } from './SystemInformationStatus';
export type SystemInformation = {
  apiVersion?: string;
  kind?: string;
  status?: SystemInformationStatus;
};

