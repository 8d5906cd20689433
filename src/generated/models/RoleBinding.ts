/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type RoleBinding = {
  /**
   * viewer, editor or owner.
   */
  role?: string;
  /**
   * Principals such as `system:authenticated` or `group:<name>`.
   */
  members?: Array<string>;
};

