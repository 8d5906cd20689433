import type { Access } from './auth';
import { type JsonObject } from '../json';
import type { VvpVersion } from './model';
import type { SimulatedInstallation } from './installation';

export interface RouteContext {
  installation: SimulatedInstallation;
  version: VvpVersion;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed body; `{}` for operations without one. */
  body: JsonObject;
}

export interface Reply {
  status: number;
  body: unknown;
}

/** How one operation of api-spec/ is authorised and answered. */
export interface Route {
  access: Access;
  /** The first VVP version serving the operation (older ones answer 405). */
  since?: VvpVersion;
  handle(context: RouteContext): Reply;
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const created = (body: unknown): Reply => ({ status: 201, body });
const upserted = (result: { created: boolean; resource: unknown }): Reply =>
  result.created ? created(result.resource) : ok(result.resource);

function param(context: RouteContext, name: string): string {
  const value = context.params[name];
  if (value === undefined) throw new Error(`route has no path parameter ${name}`);
  return value;
}

function optionalQuery(context: RouteContext, name: string): string | undefined {
  return context.query.get(name) ?? undefined;
}

const ns = (context: RouteContext): string => param(context, 'namespace');

const BUILD_VERSIONS: Record<VvpVersion, string> = { '2.1': '2.1.0', '2.4': '2.4.3' };

/** Every operation of api-spec/, by operationId (the server checks both lists agree). */
export const ROUTES: Record<string, Route> = {
  listDeploymentTargets: {
    access: { resource: 'DeploymentTarget', verb: 'list' },
    handle: (c) => ok(c.installation.appManager.listDeploymentTargets(ns(c))),
  },
  createDeploymentTarget: {
    access: { resource: 'DeploymentTarget', verb: 'create' },
    handle: (c) => created(c.installation.appManager.createDeploymentTarget(ns(c), c.body)),
  },
  getDeploymentTarget: {
    access: { resource: 'DeploymentTarget', verb: 'get' },
    handle: (c) =>
      ok(c.installation.appManager.getDeploymentTarget(ns(c), param(c, 'deploymentTargetName'))),
  },
  upsertDeploymentTarget: {
    access: { resource: 'DeploymentTarget', verb: 'update' },
    since: '2.4',
    handle: (c) =>
      upserted(
        c.installation.appManager.upsertDeploymentTarget(
          ns(c),
          param(c, 'deploymentTargetName'),
          c.body,
        ),
      ),
  },
  deleteDeploymentTarget: {
    access: { resource: 'DeploymentTarget', verb: 'delete' },
    handle: (c) =>
      ok(c.installation.appManager.deleteDeploymentTarget(ns(c), param(c, 'deploymentTargetName'))),
  },
  listDeployments: {
    access: { resource: 'Deployment', verb: 'list' },
    handle: (c) =>
      ok(c.installation.appManager.listDeployments(ns(c), optionalQuery(c, 'labelSelector'))),
  },
  createDeployment: {
    access: { resource: 'Deployment', verb: 'create' },
    handle: (c) => created(c.installation.appManager.createDeployment(ns(c), c.body)),
  },
  getDeployment: {
    access: { resource: 'Deployment', verb: 'get' },
    handle: (c) =>
      ok(c.installation.appManager.getDeployment(ns(c), param(c, 'deploymentIdOrName'))),
  },
  patchDeployment: {
    access: { resource: 'Deployment', verb: 'update' },
    handle: (c) =>
      ok(c.installation.appManager.patchDeployment(ns(c), param(c, 'deploymentIdOrName'), c.body)),
  },
  upsertDeployment: {
    access: { resource: 'Deployment', verb: 'update' },
    since: '2.4',
    handle: (c) =>
      upserted(
        c.installation.appManager.upsertDeployment(ns(c), param(c, 'deploymentIdOrName'), c.body),
      ),
  },
  deleteDeployment: {
    access: { resource: 'Deployment', verb: 'delete' },
    handle: (c) =>
      ok(c.installation.appManager.deleteDeployment(ns(c), param(c, 'deploymentIdOrName'))),
  },
  getDeploymentDefaults: {
    access: { resource: 'DeploymentDefaults', verb: 'get' },
    handle: (c) => ok(c.installation.appManager.getDeploymentDefaults(ns(c))),
  },
  patchDeploymentDefaults: {
    access: { resource: 'DeploymentDefaults', verb: 'update' },
    handle: (c) => ok(c.installation.appManager.patchDeploymentDefaults(ns(c), c.body)),
  },
  listSavepoints: {
    access: { resource: 'Savepoint', verb: 'list' },
    handle: (c) =>
      ok(
        c.installation.appManager.listSavepoints(ns(c), {
          deploymentId: optionalQuery(c, 'deploymentId'),
          jobId: optionalQuery(c, 'jobId'),
        }),
      ),
  },
  createSavepoint: {
    access: { resource: 'Savepoint', verb: 'create' },
    handle: (c) => created(c.installation.appManager.createSavepoint(ns(c), c.body)),
  },
  getSavepoint: {
    access: { resource: 'Savepoint', verb: 'get' },
    handle: (c) => ok(c.installation.appManager.getSavepoint(ns(c), param(c, 'savepointId'))),
  },
  listJobs: {
    access: { resource: 'Job', verb: 'list' },
    handle: (c) =>
      ok(
        c.installation.appManager.listJobs(ns(c), {
          deploymentId: optionalQuery(c, 'deploymentId'),
        }),
      ),
  },
  getJob: {
    access: { resource: 'Job', verb: 'get' },
    handle: (c) => ok(c.installation.appManager.getJob(ns(c), param(c, 'jobId'))),
  },
  listEvents: {
    access: { resource: 'Event', verb: 'list' },
    handle: (c) =>
      ok(
        c.installation.appManager.listEvents(ns(c), {
          deploymentId: optionalQuery(c, 'deploymentId'),
          jobId: optionalQuery(c, 'jobId'),
        }),
      ),
  },
  getStatus: {
    access: { resource: 'Status', verb: 'get' },
    handle: () => ok({ status: 'OK' }),
  },
  getSystemInfo: {
    access: { resource: 'Status', verb: 'get' },
    handle: (c) =>
      ok({
        kind: 'SystemInformation',
        apiVersion: 'v1',
        status: {
          jvmVersion: '11.0.12',
          revisionInformation: {
            buildVersion: BUILD_VERSIONS[c.version],
            buildTime: '2021-01-01T00:00:00Z',
            commitShaLong: '0000000000000000000000000000000000000000',
            commitShaShort: '0000000',
          },
          resourceQuota: {
            apiVersion: 'v1',
            kind: 'ResourceQuota',
            spec: { type: 'UNLIMITED' },
            status: { used: { cpu: 0 } },
          },
        },
      }),
  },
  listNamespaces: {
    access: { resource: 'Namespace', verb: 'list' },
    handle: (c) => ok(c.installation.platform.listNamespaces()),
  },
  createNamespace: {
    access: { resource: 'Namespace', verb: 'create' },
    handle: (c) => ok(c.installation.platform.createNamespace(c.body)),
  },
  getNamespace: {
    access: { resource: 'Namespace', verb: 'get' },
    handle: (c) => ok(c.installation.platform.getNamespace(ns(c))),
  },
  updateNamespace: {
    access: { resource: 'Namespace', verb: 'update' },
    handle: (c) => ok(c.installation.platform.updateNamespace(ns(c), c.body)),
  },
  deleteNamespace: {
    access: { resource: 'Namespace', verb: 'delete' },
    handle: (c) => ok(c.installation.platform.deleteNamespace(ns(c))),
  },
  listApiTokens: {
    access: { resource: 'ApiToken', verb: 'list' },
    handle: (c) => ok(c.installation.platform.listApiTokens(ns(c))),
  },
  createApiToken: {
    access: { resource: 'ApiToken', verb: 'create' },
    handle: (c) => {
      const { token, secret } = c.installation.platform.createApiToken(ns(c), c.body);
      return ok({ apiToken: { ...token, secret } });
    },
  },
  getApiToken: {
    access: { resource: 'ApiToken', verb: 'get' },
    handle: (c) => ok(c.installation.platform.getApiToken(ns(c), param(c, 'apiTokenName'))),
  },
  deleteApiToken: {
    access: { resource: 'ApiToken', verb: 'delete' },
    handle: (c) => ok(c.installation.platform.deleteApiToken(ns(c), param(c, 'apiTokenName'))),
  },
};
