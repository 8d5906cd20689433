import type { Registry } from 'prom-client';
import { VvpApiClient } from '../generated/VvpApiClient';
import { BaseHttpRequest } from '../generated/core/BaseHttpRequest';
import { CancelablePromise } from '../generated/core/CancelablePromise';
import type { ApiRequestOptions } from '../generated/core/ApiRequestOptions';
import type { OpenAPIConfig } from '../generated/core/OpenAPI';
import type { Logger } from '../logging';
import { sleepUnlessAborted } from './abort';
import { anonymousPlatform, type PlatformTokenProvider, type TokenProvider } from './auth';
import { VvpError } from './errors';
import { DEFAULT_RATE_LIMIT, RequestLimiter } from './rate-limit';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
import { VvpTransport, concretePath, type VvpCallOptions } from './transport';
import type {
  ApiToken,
  Deployment,
  DeploymentDefaults,
  DeploymentTarget,
  Event,
  Job,
  Namespace,
  Savepoint,
  SystemInformation,
} from './types';
import { capabilitiesOf, type VvpCapabilities } from './version';

export interface VvpClientOptions {
  /** AppManager API base, e.g. `http://vvp:8080/api` (`--app-manager-api-url`). */
  appManagerApiUrl: string;
  /** Platform API base, e.g. `http://vvp:8080` (`--platform-api-url`). */
  platformApiUrl: string;
  /** Token per VVP namespace for AppManager calls. */
  tokens: TokenProvider;
  /** Token for Platform API and unscoped calls; anonymous when omitted. */
  platformTokens?: PlatformTokenProvider;
  /**
   * The process-wide rate limiter every request waits for; share one between all clients of a
   * process. A limiter of its own with DEFAULT_RATE_LIMIT when omitted.
   */
  limiter?: RequestLimiter;
  logger: Logger;
  /** The manager's metrics registry. */
  registry: Registry;
  /** Per attempt; 10 s by default. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Waits between retries; a real timer by default (tests inject a recorder). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1); Math.random by default. */
  random?: () => number;
  /** Wall clock in ms (durations, HTTP-date `Retry-After`); Date.now by default. */
  now?: () => number;
}

/**
 * VVP answers from its database in milliseconds; a call that hangs longer is better retried or
 * handed back to the work queue than allowed to hold a reconcile worker.
 */
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * How long the capabilities (from VVP's build version) are reused. They change only when VVP is
 * upgraded; without reuse every lookup by name (each new object) cost a system-info request.
 */
export const CAPABILITIES_TTL_MS = 5 * 60_000;

export interface DeploymentTargetsApi {
  list(): Promise<DeploymentTarget[]>;
  get(name: string): Promise<DeploymentTarget>;
  create(target: DeploymentTarget): Promise<DeploymentTarget>;
  /** Create or replace (PUT): VVP 2.4+ only. */
  upsert(name: string, target: DeploymentTarget): Promise<DeploymentTarget>;
  /** Fails with StateConflictError while a deployment references the target. */
  delete(name: string): Promise<DeploymentTarget | undefined>;
}

export interface DeploymentsApi {
  list(filter?: { labelSelector?: string }): Promise<Deployment[]>;
  /** By `metadata.id` (every version) or, on 2.4+, by name. */
  get(idOrName: string): Promise<Deployment>;
  /** Never retried once it reached VVP: a repeated create could start a second Flink job. */
  create(deployment: Deployment): Promise<Deployment>;
  /** JSON merge patch: only the given fields change. */
  patch(idOrName: string, patch: Deployment): Promise<Deployment>;
  /** Create or replace (PUT) by name, resetting omitted fields: VVP 2.4+ only. */
  upsert(name: string, deployment: Deployment): Promise<Deployment>;
  /**
   * Allowed only once `spec.state` is CANCELLED (or SUSPENDED on 2.4+). Deletes are retried, so
   * a NotFoundError can also mean an earlier attempt already deleted it.
   */
  delete(idOrName: string): Promise<Deployment | undefined>;
}

export interface DeploymentDefaultsApi {
  get(): Promise<DeploymentDefaults>;
  patch(patch: DeploymentDefaults): Promise<DeploymentDefaults>;
}

export interface SavepointsApi {
  list(filter?: { deploymentId?: string; jobId?: string }): Promise<Savepoint[]>;
  get(id: string): Promise<Savepoint>;
  /** Triggers (or, with `spec.savepointLocation`, registers) a savepoint. Never retried once sent. */
  create(savepoint: Savepoint): Promise<Savepoint>;
}

export interface JobsApi {
  list(filter?: { deploymentId?: string }): Promise<Job[]>;
  get(id: string): Promise<Job>;
}

export interface EventsApi {
  /** The whole matching log, unordered and unpaged; de-duplicate by `metadata.id`. */
  list(filter?: { deploymentId?: string; jobId?: string }): Promise<Event[]>;
}

export interface StatusApi {
  /** Liveness of the AppManager; the body is free-form. */
  get(): Promise<Record<string, unknown>>;
  systemInfo(): Promise<SystemInformation>;
  /** What this VVP accepts, from its build version. */
  capabilities(): Promise<VvpCapabilities>;
}

export interface NamespacesApi {
  list(): Promise<Namespace[]>;
  /** `name` is the short name; bodies carry the qualified `namespaces/<name>`. */
  get(name: string): Promise<Namespace>;
  create(namespace: Namespace): Promise<Namespace>;
  update(name: string, namespace: Namespace): Promise<Namespace>;
  /** Starts termination; the namespace answers 404 once VVP has emptied it. */
  delete(name: string): Promise<Namespace | undefined>;
}

export interface ApiTokensApi {
  list(): Promise<ApiToken[]>;
  get(name: string): Promise<ApiToken>;
  /** The only call that returns the token's `secret`. Never retried once sent. */
  create(token: ApiToken): Promise<ApiToken>;
  delete(name: string): Promise<void>;
}

/**
 * The operator's only door to VVP: typed calls grouped by resource, e.g.
 * `vvp.deployments('default', { signal }).get(id)`. Every accessor takes VvpCallOptions: the
 * signal cancels the call (in-flight HTTP, retry pauses, the wait for the rate limiter), `auth`
 * replaces the configured token for it. Failures are VvpError subclasses (see ./errors), an
 * aborted call rejects with VvpCallAbortedError.
 */
export class VvpClient {
  readonly #transport: VvpTransport;
  /** The generated services for calls without options, built once. */
  readonly #plain: VvpApiClient;
  readonly #now: () => number;
  /** The last capabilities VVP reported, and when; failures are not kept. */
  #capabilities: { value: VvpCapabilities; at: number } | undefined;

  constructor(options: VvpClientOptions) {
    this.#transport = new VvpTransport({
      appManagerApiUrl: options.appManagerApiUrl,
      platformApiUrl: options.platformApiUrl,
      tokens: options.tokens,
      platformTokens: options.platformTokens ?? anonymousPlatform,
      limiter: options.limiter ?? new RequestLimiter(DEFAULT_RATE_LIMIT),
      logger: options.logger,
      registry: options.registry,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      sleep: options.sleep ?? sleepUnlessAborted,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
    });
    this.#plain = new VvpApiClient({}, transportRequestClass(this.#transport, {}));
    this.#now = options.now ?? Date.now;
  }

  /** The generated services, sending through the transport with these call options. */
  #services(options: VvpCallOptions): VvpApiClient {
    if (options.signal === undefined && options.auth === undefined) return this.#plain;
    return new VvpApiClient({}, transportRequestClass(this.#transport, options));
  }

  deploymentTargets(namespace: string, options: VvpCallOptions = {}): DeploymentTargetsApi {
    const api = this.#services(options).deploymentTargets;
    return {
      list: async () => itemsOf(await api.listDeploymentTargets({ namespace })),
      get: (name) => api.getDeploymentTarget({ namespace, deploymentTargetName: name }),
      create: (target) => api.createDeploymentTarget({ namespace, requestBody: target }),
      upsert: (name, target) =>
        api.upsertDeploymentTarget({ namespace, deploymentTargetName: name, requestBody: target }),
      delete: (name) => api.deleteDeploymentTarget({ namespace, deploymentTargetName: name }),
    };
  }

  deployments(namespace: string, options: VvpCallOptions = {}): DeploymentsApi {
    const api = this.#services(options).deployments;
    return {
      list: async (filter = {}) => itemsOf(await api.listDeployments({ namespace, ...filter })),
      get: (idOrName) => api.getDeployment({ namespace, deploymentIdOrName: idOrName }),
      create: (deployment) => api.createDeployment({ namespace, requestBody: deployment }),
      patch: (idOrName, patch) =>
        api.patchDeployment({ namespace, deploymentIdOrName: idOrName, requestBody: patch }),
      upsert: (name, deployment) =>
        api.upsertDeployment({ namespace, deploymentIdOrName: name, requestBody: deployment }),
      delete: (idOrName) => api.deleteDeployment({ namespace, deploymentIdOrName: idOrName }),
    };
  }

  deploymentDefaults(namespace: string, options: VvpCallOptions = {}): DeploymentDefaultsApi {
    const api = this.#services(options).deploymentDefaults;
    return {
      get: () => api.getDeploymentDefaults({ namespace }),
      patch: (patch) => api.patchDeploymentDefaults({ namespace, requestBody: patch }),
    };
  }

  savepoints(namespace: string, options: VvpCallOptions = {}): SavepointsApi {
    const api = this.#services(options).savepoints;
    return {
      list: async (filter = {}) => itemsOf(await api.listSavepoints({ namespace, ...filter })),
      get: (id) => api.getSavepoint({ namespace, savepointId: id }),
      create: (savepoint) => api.createSavepoint({ namespace, requestBody: savepoint }),
    };
  }

  jobs(namespace: string, options: VvpCallOptions = {}): JobsApi {
    const api = this.#services(options).jobs;
    return {
      list: async (filter = {}) => itemsOf(await api.listJobs({ namespace, ...filter })),
      get: (id) => api.getJob({ namespace, jobId: id }),
    };
  }

  events(namespace: string, options: VvpCallOptions = {}): EventsApi {
    const api = this.#services(options).events;
    return {
      list: async (filter = {}) => itemsOf(await api.listEvents({ namespace, ...filter })),
    };
  }

  apiTokens(namespace: string, options: VvpCallOptions = {}): ApiTokensApi {
    const api = this.#services(options).apiTokens;
    const collection = '/apitokens/v1/namespaces/{namespace}/apitokens';
    const item = `${collection}/{apiTokenName}`;
    return {
      list: async () => (await api.listApiTokens({ namespace })).apiTokens ?? [],
      get: async (name) => {
        const { apiToken } = await api.getApiToken({ namespace, apiTokenName: name });
        return unwrapped(apiToken, 'apiToken', 'GET', item, { namespace, apiTokenName: name });
      },
      create: async (token) => {
        const { apiToken } = await api.createApiToken({ namespace, requestBody: token });
        return unwrapped(apiToken, 'apiToken', 'POST', collection, { namespace });
      },
      delete: async (name) => {
        await api.deleteApiToken({ namespace, apiTokenName: name });
      },
    };
  }

  /** Liveness and version of the AppManager; platform credentials unless `options.auth`. */
  status(options: VvpCallOptions = {}): StatusApi {
    const api = this.#services(options).status;
    return {
      get: () => api.getStatus(),
      systemInfo: () => api.getSystemInfo(),
      capabilities: async () => {
        const cached = this.#capabilities;
        if (cached !== undefined && this.#now() - cached.at < CAPABILITIES_TTL_MS) {
          return cached.value;
        }
        const value = capabilitiesOf(
          (await api.getSystemInfo()).status?.revisionInformation?.buildVersion,
        );
        this.#capabilities = { value, at: this.#now() };
        return value;
      },
    };
  }

  /** VVP namespaces (Platform API); platform credentials unless `options.auth`. */
  namespaces(options: VvpCallOptions = {}): NamespacesApi {
    const api = this.#services(options).namespaces;
    const collection = '/namespaces/v1/namespaces';
    const item = `${collection}/{namespace}`;
    return {
      list: async () => (await api.listNamespaces()).namespaces ?? [],
      get: async (name) => {
        const { namespace } = await api.getNamespace({ namespace: name });
        return unwrapped(namespace, 'namespace', 'GET', item, { namespace: name });
      },
      create: async (body) => {
        const { namespace } = await api.createNamespace({ requestBody: body });
        return unwrapped(namespace, 'namespace', 'POST', collection, {});
      },
      update: async (name, body) => {
        const { namespace } = await api.updateNamespace({ namespace: name, requestBody: body });
        return unwrapped(namespace, 'namespace', 'PUT', item, { namespace: name });
      },
      delete: async (name) => (await api.deleteNamespace({ namespace: name })).namespace,
    };
  }
}

/** Plugs the transport into the generated client in place of its own axios request. */
function transportRequestClass(
  transport: VvpTransport,
  callOptions: VvpCallOptions,
): new (config: OpenAPIConfig) => BaseHttpRequest {
  return class TransportHttpRequest extends BaseHttpRequest {
    override request<T>(options: ApiRequestOptions): CancelablePromise<T> {
      return new CancelablePromise<T>((resolve, reject) => {
        // The generated signature names the response type; the spec is the contract for it.
        transport.send(options, callOptions).then((body) => {
          resolve(body as T);
        }, reject);
      });
    }
  };
}

function itemsOf<T>(list: { items?: T[] }): T[] {
  return list.items ?? [];
}

/** Platform responses wrap the object in one key; a response without it is malformed. */
function unwrapped<T>(
  value: T | undefined,
  key: string,
  method: string,
  route: string,
  params: Record<string, string>,
): T {
  if (value === undefined) {
    throw new VvpError(`answered without the expected "${key}" object`, {
      method,
      route,
      path: concretePath(method, route, params),
      status: undefined,
      vvpMessage: undefined,
    });
  }
  return value;
}
