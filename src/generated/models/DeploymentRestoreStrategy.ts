/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type DeploymentRestoreStrategy = {
  kind?: 'LATEST_STATE' | 'LATEST_SAVEPOINT' | 'NONE';
  allowNonRestoredState?: boolean;
};

