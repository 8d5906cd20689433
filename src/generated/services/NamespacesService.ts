/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ListNamespacesResponse } from '../models/ListNamespacesResponse';
import type { Namespace } from '../models/Namespace';
import type { NamespaceResponse } from '../models/NamespaceResponse';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class NamespacesService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * @returns ListNamespacesResponse Every namespace.
   * @throws ApiError
   */
  public listNamespaces(): CancelablePromise<ListNamespacesResponse> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/namespaces/v1/namespaces',
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
      },
    });
  }
  /**
   * @returns NamespaceResponse The namespace.
   * @throws ApiError
   */
  public createNamespace({
    requestBody,
  }: {
    requestBody: Namespace,
  }): CancelablePromise<NamespaceResponse> {
    return this.httpRequest.request({
      method: 'POST',
      url: '/namespaces/v1/namespaces',
      body: requestBody,
      mediaType: 'application/json',
      errors: {
        400: `The request body or a parameter is invalid.`,
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
        409: `The operation conflicts with the current state (a referenced target, an existing name, a terminating namespace).`,
      },
    });
  }
  /**
   * @returns NamespaceResponse The namespace.
   * @throws ApiError
   */
  public getNamespace({
    namespace,
  }: {
    /**
     * The namespace's short name.
     */
    namespace: string,
  }): CancelablePromise<NamespaceResponse> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/namespaces/v1/namespaces/{namespace}',
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
   * @returns NamespaceResponse The namespace.
   * @throws ApiError
   */
  public updateNamespace({
    namespace,
    requestBody,
  }: {
    /**
     * The namespace's short name.
     */
    namespace: string,
    requestBody: Namespace,
  }): CancelablePromise<NamespaceResponse> {
    return this.httpRequest.request({
      method: 'PUT',
      url: '/namespaces/v1/namespaces/{namespace}',
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
   * Moves the namespace to LIFECYCLE_PHASE_TERMINATING; it is gone (404) once emptied.
   * @returns NamespaceResponse The namespace.
   * @throws ApiError
   */
  public deleteNamespace({
    namespace,
  }: {
    /**
     * The namespace's short name.
     */
    namespace: string,
  }): CancelablePromise<NamespaceResponse> {
    return this.httpRequest.request({
      method: 'DELETE',
      url: '/namespaces/v1/namespaces/{namespace}',
      path: {
        'namespace': namespace,
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
