/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Deployment } from '../models/Deployment';
import type { ResourceListOfDeployment } from '../models/ResourceListOfDeployment';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class DeploymentsService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * @returns ResourceListOfDeployment Deployments of the namespace, unpaged.
   * @throws ApiError
   */
  public listDeployments({
    namespace,
    labelSelector,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    /**
     * Kubernetes-style label selector, e.g. `app=orders,tier=prod`.
     */
    labelSelector?: string,
  }): CancelablePromise<ResourceListOfDeployment> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/api/v1/namespaces/{namespace}/deployments',
      path: {
        'namespace': namespace,
      },
      query: {
        'labelSelector': labelSelector,
      },
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
        404: `The namespace or the addressed resource does not exist.`,
      },
    });
  }
  /**
   * @returns Deployment The deployment.
   * @throws ApiError
   */
  public createDeployment({
    namespace,
    requestBody,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    requestBody: Deployment,
  }): CancelablePromise<Deployment> {
    return this.httpRequest.request({
      method: 'POST',
      url: '/api/v1/namespaces/{namespace}/deployments',
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
   * @returns Deployment The deployment.
   * @throws ApiError
   */
  public getDeployment({
    namespace,
    deploymentIdOrName,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    /**
     * The deployment's `metadata.id` (every version; VVP 2.4+ tries a UUID as an id
     * first) or, on VVP 2.4 and later, its `metadata.name`.
     *
     */
    deploymentIdOrName: string,
  }): CancelablePromise<Deployment> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/api/v1/namespaces/{namespace}/deployments/{deploymentIdOrName}',
      path: {
        'namespace': namespace,
        'deploymentIdOrName': deploymentIdOrName,
      },
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
        404: `The namespace or the addressed resource does not exist.`,
      },
    });
  }
  /**
   * JSON merge patch (sent as plain `application/json`) of a partial deployment.
   * @returns Deployment The deployment.
   * @throws ApiError
   */
  public patchDeployment({
    namespace,
    deploymentIdOrName,
    requestBody,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    /**
     * The deployment's `metadata.id` (every version; VVP 2.4+ tries a UUID as an id
     * first) or, on VVP 2.4 and later, its `metadata.name`.
     *
     */
    deploymentIdOrName: string,
    requestBody: Deployment,
  }): CancelablePromise<Deployment> {
    return this.httpRequest.request({
      method: 'PATCH',
      url: '/api/v1/namespaces/{namespace}/deployments/{deploymentIdOrName}',
      path: {
        'namespace': namespace,
        'deploymentIdOrName': deploymentIdOrName,
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
   * Creates or replaces the whole deployment; fields left out are reset rather than
   * kept. VVP 2.4 and later only, addressed by name.
   *
   * @returns Deployment The deployment.
   * @throws ApiError
   */
  public upsertDeployment({
    namespace,
    deploymentIdOrName,
    requestBody,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    /**
     * The deployment's `metadata.id` (every version; VVP 2.4+ tries a UUID as an id
     * first) or, on VVP 2.4 and later, its `metadata.name`.
     *
     */
    deploymentIdOrName: string,
    requestBody: Deployment,
  }): CancelablePromise<Deployment> {
    return this.httpRequest.request({
      method: 'PUT',
      url: '/api/v1/namespaces/{namespace}/deployments/{deploymentIdOrName}',
      path: {
        'namespace': namespace,
        'deploymentIdOrName': deploymentIdOrName,
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
   * Allowed only while `spec.state` is CANCELLED (2.1) or CANCELLED/SUSPENDED (2.4+).
   *
   * @returns Deployment The deployment.
   * @throws ApiError
   */
  public deleteDeployment({
    namespace,
    deploymentIdOrName,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    /**
     * The deployment's `metadata.id` (every version; VVP 2.4+ tries a UUID as an id
     * first) or, on VVP 2.4 and later, its `metadata.name`.
     *
     */
    deploymentIdOrName: string,
  }): CancelablePromise<Deployment> {
    return this.httpRequest.request({
      method: 'DELETE',
      url: '/api/v1/namespaces/{namespace}/deployments/{deploymentIdOrName}',
      path: {
        'namespace': namespace,
        'deploymentIdOrName': deploymentIdOrName,
      },
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
        404: `The namespace or the addressed resource does not exist.`,
        409: `The operation conflicts with the current state (a referenced target, an existing name, a terminating namespace).`,
      },
    });
  }
}
