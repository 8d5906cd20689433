/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DeploymentTarget } from '../models/DeploymentTarget';
import type { ResourceListOfDeploymentTarget } from '../models/ResourceListOfDeploymentTarget';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class DeploymentTargetsService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * @returns ResourceListOfDeploymentTarget All deployment targets of the namespace.
   * @throws ApiError
   */
  public listDeploymentTargets({
    namespace,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
  }): CancelablePromise<ResourceListOfDeploymentTarget> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/api/v1/namespaces/{namespace}/deployment-targets',
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
   * @returns DeploymentTarget The deployment target.
   * @throws ApiError
   */
  public createDeploymentTarget({
    namespace,
    requestBody,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    requestBody: DeploymentTarget,
  }): CancelablePromise<DeploymentTarget> {
    return this.httpRequest.request({
      method: 'POST',
      url: '/api/v1/namespaces/{namespace}/deployment-targets',
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
   * @returns DeploymentTarget The deployment target.
   * @throws ApiError
   */
  public getDeploymentTarget({
    namespace,
    deploymentTargetName,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    deploymentTargetName: string,
  }): CancelablePromise<DeploymentTarget> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/api/v1/namespaces/{namespace}/deployment-targets/{deploymentTargetName}',
      path: {
        'namespace': namespace,
        'deploymentTargetName': deploymentTargetName,
      },
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
        404: `The namespace or the addressed resource does not exist.`,
      },
    });
  }
  /**
   * Creates or replaces the target. VVP 2.4 and later only.
   * @returns DeploymentTarget The deployment target.
   * @throws ApiError
   */
  public upsertDeploymentTarget({
    namespace,
    deploymentTargetName,
    requestBody,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    deploymentTargetName: string,
    requestBody: DeploymentTarget,
  }): CancelablePromise<DeploymentTarget> {
    return this.httpRequest.request({
      method: 'PUT',
      url: '/api/v1/namespaces/{namespace}/deployment-targets/{deploymentTargetName}',
      path: {
        'namespace': namespace,
        'deploymentTargetName': deploymentTargetName,
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
   * Refused with 409 while a deployment references the target.
   * @returns DeploymentTarget The deployment target.
   * @throws ApiError
   */
  public deleteDeploymentTarget({
    namespace,
    deploymentTargetName,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    deploymentTargetName: string,
  }): CancelablePromise<DeploymentTarget> {
    return this.httpRequest.request({
      method: 'DELETE',
      url: '/api/v1/namespaces/{namespace}/deployment-targets/{deploymentTargetName}',
      path: {
        'namespace': namespace,
        'deploymentTargetName': deploymentTargetName,
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
