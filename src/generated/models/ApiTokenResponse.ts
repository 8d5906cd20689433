/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ApiToken } from './ApiToken';
/**
 * The one-key wrapper VVP puts around a single API token (create, get).
 */
export type ApiTokenResponse = {
  apiToken?: ApiToken;
};

