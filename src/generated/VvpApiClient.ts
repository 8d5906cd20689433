/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { BaseHttpRequest } from './core/BaseHttpRequest';
import type { OpenAPIConfig } from './core/OpenAPI';
import { AxiosHttpRequest } from './core/AxiosHttpRequest';
import { ApiTokensService } from './services/ApiTokensService';
import { DeploymentDefaultsService } from './services/DeploymentDefaultsService';
import { DeploymentsService } from './services/DeploymentsService';
import { DeploymentTargetsService } from './services/DeploymentTargetsService';
import { EventsService } from './services/EventsService';
import { JobsService } from './services/JobsService';
import { NamespacesService } from './services/NamespacesService';
import { SavepointsService } from './services/SavepointsService';
import { StatusService } from './services/StatusService';
type HttpRequestConstructor = new (config: OpenAPIConfig) => BaseHttpRequest;
export class VvpApiClient {
  public readonly apiTokens: ApiTokensService;
  public readonly deploymentDefaults: DeploymentDefaultsService;
  public readonly deployments: DeploymentsService;
  public readonly deploymentTargets: DeploymentTargetsService;
  public readonly events: EventsService;
  public readonly jobs: JobsService;
  public readonly namespaces: NamespacesService;
  public readonly savepoints: SavepointsService;
  public readonly status: StatusService;
  public readonly request: BaseHttpRequest;
  constructor(config?: Partial<OpenAPIConfig>, HttpRequest: HttpRequestConstructor = AxiosHttpRequest) {
    this.request = new HttpRequest({
      BASE: config?.BASE ?? '',
      VERSION: config?.VERSION ?? '2.4.3',
      WITH_CREDENTIALS: config?.WITH_CREDENTIALS ?? false,
      CREDENTIALS: config?.CREDENTIALS ?? 'include',
      TOKEN: config?.TOKEN,
      USERNAME: config?.USERNAME,
      PASSWORD: config?.PASSWORD,
      HEADERS: config?.HEADERS,
      ENCODE_PATH: config?.ENCODE_PATH,
    });
    this.apiTokens = new ApiTokensService(this.request);
    this.deploymentDefaults = new DeploymentDefaultsService(this.request);
    this.deployments = new DeploymentsService(this.request);
    this.deploymentTargets = new DeploymentTargetsService(this.request);
    this.events = new EventsService(this.request);
    this.jobs = new JobsService(this.request);
    this.namespaces = new NamespacesService(this.request);
    this.savepoints = new SavepointsService(this.request);
    this.status = new StatusService(this.request);
  }
}

