/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ApiToken } from '../models/ApiToken';
import type { ApiTokenResponse } from '../models/ApiTokenResponse';
import type { DeleteApiTokenResponse } from '../models/DeleteApiTokenResponse';
import type { ListApiTokensResponse } from '../models/ListApiTokensResponse';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class ApiTokensService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * @returns ListApiTokensResponse The namespace's API tokens, without their secrets.
   * @throws ApiError
   */
  public listApiTokens({
    namespace,
  }: {
    /**
     * The namespace's short name.
     */
    namespace: string,
  }): CancelablePromise<ListApiTokensResponse> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/apitokens/v1/namespaces/{namespace}/apitokens',
      path: {
        'namespace': namespace,
      },
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
        404: `The namespace or the addressed resource does not exist.`,
      },
    });
  }
  /**
   * The only response that ever carries the token's `secret`.
   * @returns ApiTokenResponse The API token.
   * @throws ApiError
   */
  public createApiToken({
    namespace,
    requestBody,
  }: {
    /**
     * The namespace's short name.
     */
    namespace: string,
    requestBody: ApiToken,
  }): CancelablePromise<ApiTokenResponse> {
    return this.httpRequest.request({
      method: 'POST',
      url: '/apitokens/v1/namespaces/{namespace}/apitokens',
      path: {
        'namespace': namespace,
      },
      body: requestBody,
      mediaType: 'application/json',
      errors: {
        400: `The request body or a parameter is invalid.`,
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
        404: `The namespace or the addressed resource does not exist.`,
        409: `The operation conflicts with the current state (a referenced target, an existing name, a terminating namespace).`,
      },
    });
  }
  /**
   * @returns ApiTokenResponse The API token.
   * @throws ApiError
   */
  public getApiToken({
    namespace,
    apiTokenName,
  }: {
    /**
     * The namespace's short name.
     */
    namespace: string,
    /**
     * The token's short name (the last segment of its qualified name).
     */
    apiTokenName: string,
  }): CancelablePromise<ApiTokenResponse> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/apitokens/v1/namespaces/{namespace}/apitokens/{apiTokenName}',
      path: {
        'namespace': namespace,
        'apiTokenName': apiTokenName,
      },
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
        404: `The namespace or the addressed resource does not exist.`,
      },
    });
  }
  /**
   * Revokes the token immediately.
   * @returns DeleteApiTokenResponse Empty object.
   * @throws ApiError
   */
  public deleteApiToken({
    namespace,
    apiTokenName,
  }: {
    /**
     * The namespace's short name.
     */
    namespace: string,
    /**
     * The token's short name (the last segment of its qualified name).
     */
    apiTokenName: string,
  }): CancelablePromise<DeleteApiTokenResponse> {
    return this.httpRequest.request({
      method: 'DELETE',
      url: '/apitokens/v1/namespaces/{namespace}/apitokens/{apiTokenName}',
      path: {
        'namespace': namespace,
        'apiTokenName': apiTokenName,
      },
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
        404: `The namespace or the addressed resource does not exist.`,
      },
    });
  }
}
