/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { StringMap } from './StringMap';
export type DeploymentTemplateMetadata = {
  annotations?: StringMap;
};

