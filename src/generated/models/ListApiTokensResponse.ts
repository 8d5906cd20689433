/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ApiToken } from './ApiToken';
export type ListApiTokensResponse = {
  apiTokens?: Array<ApiToken>;
};

