/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { SystemInformation } from '../models/SystemInformation';
import type { CancelablePromise } from '../core/CancelablePromise';
import type { BaseHttpRequest } from '../core/BaseHttpRequest';
export class StatusService {
  constructor(public readonly httpRequest: BaseHttpRequest) {}
  /**
   * Liveness of the Application Manager; the body is free-form.
   * @returns any Free-form status object.
   * @throws ApiError
   */
  public getStatus(): CancelablePromise<Record<string, any>> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/api/v1/status',
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
      },
    });
  }
  /**
   * Build version of the running VVP (`status.revisionInformation.buildVersion`).
   * @returns SystemInformation System information.
   * @throws ApiError
   */
  public getSystemInfo(): CancelablePromise<SystemInformation> {
    return this.httpRequest.request({
      method: 'GET',
      url: '/api/v1/status/system-info',
      errors: {
        401: `The API token is missing or unknown.`,
        403: `The API token's role does not allow this operation.`,
      },
    });
  }
}
