/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type RevisionInformation = {
  /**
   * The VVP release, e.g. `2.4.3`.
   */
  buildVersion?: string;
  buildTime?: string;
  commitShaLong?: string;
  commitShaShort?: string;
};

