/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ResourceListOfEvent } from '../models/ResourceListOfEvent';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class EventsService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * An append-only log without paging or cursor; de-duplicate by `metadata.id`.
   * @returns ResourceListOfEvent Events matching the filters.
   * @throws ApiError
   */
  public listEvents({
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
  }): CancelablePromise<ResourceListOfEvent> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/api/v1/namespaces/{namespace}/events',
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
}
