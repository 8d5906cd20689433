/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type ResourceSpec = {
  cpu?: number;
  /**
   * Quantity such as `1G`.
   */
  memory?: string;
};

