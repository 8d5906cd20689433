/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Failure } from './Failure';
export type SavepointStatus = {
  state?: 'STARTED' | 'COMPLETED' | 'FAILED';
  failure?: Failure;
};

