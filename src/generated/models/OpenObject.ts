/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * Arbitrary JSON object passed through unchanged (Kubernetes shapes and the like).
 */
export type OpenObject = Record<string, any>;
