/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DeploymentDefaults } from '../models/DeploymentDefaults';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class DeploymentDefaultsService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * @returns DeploymentDefaults The namespace's deployment defaults.
   * @throws ApiError
   */
  public getDeploymentDefaults({
    namespace,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
  }): CancelablePromise<DeploymentDefaults> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/api/v1/namespaces/{namespace}/deployment-defaults',
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
   * @returns DeploymentDefaults The namespace's deployment defaults.
   * @throws ApiError
   */
  public patchDeploymentDefaults({
    namespace,
    requestBody,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    requestBody: DeploymentDefaults,
  }): CancelablePromise<DeploymentDefaults> {
    return this.httpRequest.request({
      method: 'PATCH',
      url: '/api/v1/namespaces/{namespace}/deployment-defaults',
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
      },
    });
  }
}
