/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Job } from '../models/Job';
import type { ResourceListOfJob } from '../models/ResourceListOfJob';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class JobsService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * @returns ResourceListOfJob Jobs matching the filter, terminal ones included, unpaged.
   * @throws ApiError
   */
  public listJobs({
    namespace,
    deploymentId,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    deploymentId?: string,
  }): CancelablePromise<ResourceListOfJob> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/api/v1/namespaces/{namespace}/jobs',
      path: {
        'namespace': namespace,
      },
      query: {
        'deploymentId': deploymentId,
      },
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
        404: `The namespace or the addressed resource does not exist.`,
      },
    });
  }
  /**
   * @returns Job The job.
   * @throws ApiError
   */
  public getJob({
    namespace,
    jobId,
  }: {
    /**
     * The VVP namespace.
     */
    namespace: string,
    jobId: string,
  }): CancelablePromise<Job> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/api/v1/namespaces/{namespace}/jobs/{jobId}',
      path: {
        'namespace': namespace,
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
