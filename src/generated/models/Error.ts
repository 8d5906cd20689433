/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Error body observed from VVP; only `message` is relied upon.
 */
export type Error = {
  message: string;
};

