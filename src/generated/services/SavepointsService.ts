/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ResourceListOfSavepoint } from '../models/ResourceListOfSavepoint';
import type { Savepoint } from '../models/Savepoint';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class SavepointsService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * @returns ResourceListOfSavepoint Savepoints matching the filters, unpaged.
   * @throws ApiError
   */
  public listSavepoints({
    namespace,
    deploymentId,
    jobId,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    deploymentId?: string,
    jobId?: string,
  }): CancelablePromise<ResourceListOfSavepoint> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/api/v1/namespaces/{namespace}/savepoints',
      path: {
        'namespace': namespace,
      },
      query: {
        'deploymentId': deploymentId,
        'jobId': jobId,
      },
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
        404: `The namespace or the addressed resource does not exist.`,
      },
    });
  }
  /**
   * Triggers a savepoint of the deployment's running job (`metadata.deploymentId`), or
   * registers an existing snapshot when `spec.savepointLocation` is given.
   *
   * @returns Savepoint The savepoint.
   * @throws ApiError
   */
  public createSavepoint({
    namespace,
    requestBody,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    requestBody: Savepoint,
  }): CancelablePromise<Savepoint> {
    return this.httpRequest.request({
      method: 'POST',
      url: '/api/v1/namespaces/{namespace}/savepoints',
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
   * @returns Savepoint The savepoint.
   * @throws ApiError
   */
  public getSavepoint({
    namespace,
    savepointId,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    savepointId: string,
  }): CancelablePromise<Savepoint> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/api/v1/namespaces/{namespace}/savepoints/{savepointId}',
      path: {
        'namespace': namespace,
        'savepointId': savepointId,
      },
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
        404: `The namespace or the addressed resource does not exist.`,
      },
    });
  }
}
