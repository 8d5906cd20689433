/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type ApiToken = {
  /**
   * Qualified name, `namespaces/<ns>/apitokens/<token>`.
   */
  name?: string;
  /**
   * viewer, editor or owner.
   */
  role?: string;
  /**
   * Returned by the create call only.
   */
  secret?: string;
  createTime?: string;
};

