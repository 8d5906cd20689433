import type { SimulatedTime } from './clock';
import {
  checkArtifact,
  checkDeploymentSpec,
  checkTargetSpec,
  readDeploymentSpec,
} from './deployment-spec';
import { badRequest, conflict, notFound } from './errors';
import {
  cloneJson,
  isJsonObject,
  jsonEqual,
  numberAt,
  objectAt,
  stringAt,
  stringMapAt,
  type Json,
  type JsonObject,
} from '../json';
import { parseLabelSelector } from './label-selector';
import { ANNOTATION_SPEC_VERSION, type DeploymentLifecycle } from './lifecycle';
import { applyMergePatch } from '../json';
import type {
  Deployment,
  DeploymentDefaults,
  DeploymentTarget,
  Job,
  Savepoint,
  VvpEvent,
  VvpVersion,
} from './model';
import { checkDnsLabel, checkFreeTextName, checkLabels, checkTargetName, isUuid } from './names';
import type { RandomSource } from './random';
import {
  isoTime,
  touch,
  type DeploymentRecord,
  type JobRecord,
  type NamespaceState,
  type SimulatorStore,
} from './store';

export interface ResourceList<T> {
  kind: string;
  apiVersion: 'v1';
  metadata: Record<string, never>;
  items: T[];
}

/** Whether a write created the resource (201) or replaced an existing one (200). */
export interface Upserted<T> {
  created: boolean;
  resource: T;
}

/** Undocumented AppManager behaviour the simulator reads strictly unless told otherwise. */
export interface AppManagerSettings {
  /** Accept writes whose `metadata.resourceVersion` is not the current one (strict: 409). */
  allowStaleResourceVersion?: boolean;
  /** A deployment written without `spec.state` (none in the defaults either) becomes CANCELLED (strict: 400). */
  allowMissingState?: boolean;
}

/** What a client may set in a deployment's metadata. */
interface UserMetadata {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  displayName: string | undefined;
}

const SERVER_ANNOTATION_PREFIX = 'com.dataartisans.appmanager.controller.';

function mergeStringMap(
  current: Record<string, string>,
  patch: Json | undefined,
): Record<string, string> {
  if (patch === undefined) return { ...current };
  return stringMapAt({ map: applyMergePatch(current, patch) }, 'map');
}

function list<T>(kind: string, items: T[]): ResourceList<T> {
  return { kind, apiVersion: 'v1', metadata: {}, items };
}

/** The deployment defaults a new namespace starts with, like a fresh VVP installation's. */
function initialDeploymentDefaultsSpec(): JsonObject {
  return {
    upgradeStrategy: { kind: 'STATEFUL' },
    restoreStrategy: { kind: 'LATEST_STATE', allowNonRestoredState: false },
    maxSavepointCreationAttempts: 4,
    maxJobCreationAttempts: 4,
    template: {
      spec: {
        artifact: { flinkVersion: '1.12', flinkImageRegistry: 'registry.ververica.com/v2.4' },
        parallelism: 1,
        resources: {
          jobmanager: { cpu: 1, memory: '1G' },
          taskmanager: { cpu: 1, memory: '2G' },
        },
        flinkConfiguration: {},
        logging: { loggingProfile: 'default' },
      },
    },
  };
}

/**
 * The Application Manager API: deployment targets, deployments, defaults, savepoints, jobs
 * and events of every namespace, with VVP's rules for names, references and deletion.
 */
export class AppManager {
  readonly #store: SimulatorStore;
  readonly #lifecycle: DeploymentLifecycle;
  readonly #clock: SimulatedTime;
  readonly #random: RandomSource;
  readonly #version: VvpVersion;
  readonly #settings: () => AppManagerSettings;

  constructor(deps: {
    store: SimulatorStore;
    lifecycle: DeploymentLifecycle;
    clock: SimulatedTime;
    random: RandomSource;
    version: VvpVersion;
    settings?: () => AppManagerSettings;
  }) {
    this.#store = deps.store;
    this.#lifecycle = deps.lifecycle;
    this.#clock = deps.clock;
    this.#random = deps.random;
    this.#version = deps.version;
    this.#settings = deps.settings ?? (() => ({}));
  }

  // ---- deployment targets ----

  listDeploymentTargets(namespace: string): ResourceList<DeploymentTarget> {
    return list('DeploymentTargetList', [...this.#readable(namespace).targets.values()]);
  }

  getDeploymentTarget(namespace: string, name: string): DeploymentTarget {
    return this.#target(this.#readable(namespace), name);
  }

  createDeploymentTarget(namespace: string, body: JsonObject): DeploymentTarget {
    const ns = this.#writable(namespace);
    const name = stringAt(objectAt(body, 'metadata'), 'name');
    if (name === undefined) throw badRequest('metadata.name is required');
    return this.#insertTarget(ns, name, body);
  }

  /** VVP 2.4+: creates the target, or accepts an identical one; the spec is immutable. */
  upsertDeploymentTarget(
    namespace: string,
    name: string,
    body: JsonObject,
  ): Upserted<DeploymentTarget> {
    const ns = this.#writable(namespace);
    this.#checkPathName(body, name);
    const existing = this.#findTarget(ns, name);
    if (existing === undefined)
      return { created: true, resource: this.#insertTarget(ns, name, body) };
    const spec = objectAt(body, 'spec') ?? {};
    if (!jsonEqual(spec, existing.spec)) {
      throw badRequest(
        `Deployment target '${name}': spec is immutable; delete the target and create it again ` +
          `(after moving deployments that use it to another target)`,
      );
    }
    const metadata = objectAt(body, 'metadata');
    this.#checkResourceVersion(`Deployment target '${name}'`, existing.metadata, body);
    const labels = this.#labels(metadata);
    this.#store.journal.preserve(existing);
    existing.metadata.labels = labels;
    existing.metadata.annotations = stringMapAt(metadata, 'annotations');
    touch(existing.metadata, this.#clock.now());
    return { created: false, resource: existing };
  }

  deleteDeploymentTarget(namespace: string, name: string): DeploymentTarget {
    const ns = this.#readable(namespace);
    const target = this.#target(ns, name);
    const users = [...ns.deployments.values()]
      .filter((d) => readDeploymentSpec(d.resource.spec).deploymentTargetId === target.metadata.id)
      .map((d) => d.resource.metadata.name);
    if (users.length > 0) {
      throw conflict(
        `Deployment target '${name}' is used by deployment(s) ${users.map((u) => `'${u}'`).join(', ')}; ` +
          `delete them or point them at another target first`,
      );
    }
    ns.targets.delete(target.metadata.id);
    return target;
  }

  #insertTarget(ns: NamespaceState, name: string, body: JsonObject): DeploymentTarget {
    const problem =
      checkTargetName('metadata.name', name) ?? checkTargetSpec(objectAt(body, 'spec'));
    if (problem !== undefined) throw badRequest(problem);
    this.#checkBodyNamespace(ns, body);
    if (this.#findTarget(ns, name) !== undefined) {
      throw conflict(
        `A deployment target named '${name}' already exists in namespace '${ns.name}'`,
      );
    }
    const metadata = objectAt(body, 'metadata');
    const now = isoTime(this.#clock.now());
    const target: DeploymentTarget = {
      kind: 'DeploymentTarget',
      apiVersion: 'v1',
      metadata: {
        id: this.#random.uuid(),
        name,
        namespace: ns.name,
        createdAt: now,
        modifiedAt: now,
        resourceVersion: 1,
        labels: this.#labels(metadata),
        annotations: stringMapAt(metadata, 'annotations'),
      },
      spec: cloneJson(objectAt(body, 'spec') ?? {}),
    };
    ns.targets.set(target.metadata.id, target);
    return target;
  }

  #findTarget(ns: NamespaceState, name: string): DeploymentTarget | undefined {
    for (const target of ns.targets.values()) if (target.metadata.name === name) return target;
    return undefined;
  }

  #target(ns: NamespaceState, name: string): DeploymentTarget {
    const target = this.#findTarget(ns, name);
    if (target === undefined) {
      throw notFound(`Deployment target '${name}' not found in namespace '${ns.name}'`);
    }
    return target;
  }

  // ---- deployments ----

  listDeployments(namespace: string, labelSelector?: string): ResourceList<Deployment> {
    const matches = labelSelector === undefined ? () => true : parseLabelSelector(labelSelector);
    const items = [...this.#readable(namespace).deployments.values()]
      .map((record) => record.resource)
      .filter((deployment) => matches(deployment.metadata.labels));
    return list('DeploymentList', items);
  }

  getDeployment(namespace: string, idOrName: string): Deployment {
    return this.#deployment(this.#readable(namespace), idOrName).resource;
  }

  createDeployment(namespace: string, body: JsonObject): Deployment {
    const ns = this.#writable(namespace);
    const name = stringAt(objectAt(body, 'metadata'), 'name');
    if (name === undefined) throw badRequest('metadata.name is required');
    return this.#insertDeployment(ns, name, body);
  }

  /** JSON merge patch of metadata and spec; `status` is the server's and is ignored. */
  patchDeployment(namespace: string, idOrName: string, patch: JsonObject): Deployment {
    const ns = this.#writable(namespace);
    const record = this.#deployment(ns, idOrName);
    const current = record.resource;
    const metadataPatch = objectAt(patch, 'metadata') ?? {};
    for (const field of ['id', 'name', 'namespace'] as const) {
      const value = metadataPatch[field];
      if (value !== undefined && value !== current.metadata[field]) {
        throw badRequest(
          `metadata.${field} is immutable (is '${current.metadata[field]}', patch sets ${JSON.stringify(value)})`,
        );
      }
    }
    this.#checkResourceVersion(`Deployment '${current.metadata.name}'`, current.metadata, patch);
    const spec = this.#expandSpec(ns, applyMergePatch(current.spec, objectAt(patch, 'spec') ?? {}));
    this.#applyDeploymentWrite(
      ns,
      record,
      {
        labels: mergeStringMap(current.metadata.labels, metadataPatch.labels),
        annotations: mergeStringMap(current.metadata.annotations, metadataPatch.annotations),
        displayName:
          'displayName' in metadataPatch
            ? stringAt(metadataPatch, 'displayName')
            : current.metadata.displayName,
      },
      spec,
    );
    return current;
  }

  /** VVP 2.4+: creates or replaces; fields left out return to the defaults. */
  upsertDeployment(namespace: string, name: string, body: JsonObject): Upserted<Deployment> {
    const ns = this.#writable(namespace);
    this.#checkPathName(body, name);
    const record = this.#findDeploymentByName(ns, name);
    if (record === undefined)
      return { created: true, resource: this.#insertDeployment(ns, name, body) };
    this.#checkBodyNamespace(ns, body);
    this.#checkResourceVersion(`Deployment '${name}'`, record.resource.metadata, body);
    const metadata = objectAt(body, 'metadata');
    const spec = this.#expandSpec(ns, objectAt(body, 'spec') ?? {});
    this.#applyDeploymentWrite(
      ns,
      record,
      {
        labels: stringMapAt(metadata, 'labels'),
        annotations: stringMapAt(metadata, 'annotations'),
        displayName: stringAt(metadata, 'displayName'),
      },
      spec,
    );
    return { created: false, resource: record.resource };
  }

  deleteDeployment(namespace: string, idOrName: string): Deployment {
    const ns = this.#readable(namespace);
    const record = this.#deployment(ns, idOrName);
    const deployment = record.resource;
    const desired = readDeploymentSpec(deployment.spec).state;
    const deletable = this.#version === '2.1' ? ['CANCELLED'] : ['CANCELLED', 'SUSPENDED'];
    if (!deletable.includes(desired)) {
      throw conflict(
        `Deployment '${deployment.metadata.name}' can only be deleted when spec.state is ${deletable.join(' or ')} ` +
          `(it is ${desired}); set spec.state first and wait for status.state to follow`,
      );
    }
    if (deployment.status.state !== desired && record.currentJobId !== undefined) {
      throw conflict(
        `Deployment '${deployment.metadata.name}' is still ${deployment.status.state} towards ${desired}; ` +
          `delete it once status.state is ${desired}`,
      );
    }
    this.#lifecycle.forget(ns, record);
    ns.removeDeployment(record);
    return deployment;
  }

  /** A namespace is being deleted: every deployment's job is stopped, then it is removed. */
  teardown(ns: NamespaceState, at: number): void {
    for (const record of ns.deployments.values()) {
      this.#store.journal.preserve(record);
      this.#lifecycle.teardown(ns, record, at);
    }
  }

  #insertDeployment(ns: NamespaceState, name: string, body: JsonObject): Deployment {
    const problem =
      this.#version === '2.4'
        ? checkDnsLabel('metadata.name', name)
        : checkFreeTextName('metadata.name', name);
    if (problem !== undefined) throw badRequest(problem);
    this.#checkBodyNamespace(ns, body);
    // Names are unique from 2.4 on; before, they were free text that could repeat.
    if (this.#version === '2.4' && this.#findDeploymentByName(ns, name) !== undefined) {
      throw conflict(`A deployment named '${name}' already exists in namespace '${ns.name}'`);
    }
    const metadata = objectAt(body, 'metadata');
    const spec = this.#expandSpec(ns, objectAt(body, 'spec') ?? {});
    const at = this.#clock.now();
    const deployment: Deployment = {
      kind: 'Deployment',
      apiVersion: 'v1',
      metadata: {
        id: this.#random.uuid(),
        name,
        namespace: ns.name,
        createdAt: isoTime(at),
        modifiedAt: isoTime(at),
        resourceVersion: 1,
        labels: this.#labels(metadata),
        annotations: { ...stringMapAt(metadata, 'annotations'), [ANNOTATION_SPEC_VERSION]: '1' },
      },
      spec,
      status: { state: 'CANCELLED' },
    };
    const displayName = stringAt(metadata, 'displayName');
    if (this.#version === '2.4' && displayName !== undefined)
      deployment.metadata.displayName = displayName;
    const record: DeploymentRecord = {
      resource: deployment,
      specVersion: 1,
      failedSavepointAttempts: 0,
      failedJobAttempts: 0,
      savepointsInFlight: new Set(),
    };
    ns.putDeployment(record);
    this.#lifecycle.specChanged(ns, record, at);
    return deployment;
  }

  /** Stores new metadata and spec; every write bumps resourceVersion, only spec changes act. */
  #applyDeploymentWrite(
    ns: NamespaceState,
    record: DeploymentRecord,
    metadata: UserMetadata,
    spec: JsonObject,
  ): void {
    const problem = checkLabels('metadata.labels', metadata.labels);
    if (problem !== undefined) throw badRequest(problem);
    this.#store.journal.preserve(record);
    const deployment = record.resource;
    const at = this.#clock.now();
    deployment.metadata.labels = metadata.labels;
    // The server's own annotations survive whatever the client sends.
    const serverAnnotations = Object.fromEntries(
      Object.entries(deployment.metadata.annotations).filter(([key]) =>
        key.startsWith(SERVER_ANNOTATION_PREFIX),
      ),
    );
    deployment.metadata.annotations = { ...metadata.annotations, ...serverAnnotations };
    if (this.#version === '2.4' && metadata.displayName !== undefined) {
      deployment.metadata.displayName = metadata.displayName;
    } else delete deployment.metadata.displayName;
    touch(deployment.metadata, at);
    if (jsonEqual(spec, deployment.spec)) return;
    deployment.spec = spec;
    record.specVersion += 1;
    deployment.metadata.annotations[ANNOTATION_SPEC_VERSION] = String(record.specVersion);
    this.#lifecycle.specChanged(ns, record, at);
  }

  /** Merges the namespace defaults under the given spec, resolves the target and checks the result. */
  #expandSpec(ns: NamespaceState, given: Json): JsonObject {
    if (!isJsonObject(given)) throw badRequest('spec must be an object');
    const expanded = applyMergePatch(ns.defaults.spec, given);
    const spec = isJsonObject(expanded) ? expanded : {};
    const targetName = stringAt(spec, 'deploymentTargetName');
    if (targetName !== undefined) {
      if (this.#version === '2.1') {
        throw badRequest(
          'spec.deploymentTargetName needs VVP 2.4 or later; use spec.deploymentTargetId',
        );
      }
      const target = this.#findTarget(ns, targetName);
      if (target === undefined) {
        throw badRequest(
          `spec.deploymentTargetName: deployment target '${targetName}' not found in namespace '${ns.name}'`,
        );
      }
      const targetId = stringAt(spec, 'deploymentTargetId');
      if (targetId !== undefined && targetId !== target.metadata.id) {
        throw badRequest(
          `spec.deploymentTargetId (${targetId}) and spec.deploymentTargetName ('${targetName}', id ${target.metadata.id}) disagree; set one of them`,
        );
      }
      spec.deploymentTargetId = target.metadata.id;
    }
    const targetId = stringAt(spec, 'deploymentTargetId');
    if (targetId === undefined) {
      throw badRequest(
        'spec.deploymentTargetId is required (or a default one in the namespace deployment defaults)',
      );
    }
    if (!ns.targets.has(targetId)) {
      throw badRequest(
        `spec.deploymentTargetId: deployment target ${targetId} not found in namespace '${ns.name}'`,
      );
    }
    if (spec.state === undefined) {
      if (this.#settings().allowMissingState !== true) {
        throw badRequest(
          'spec.state is required (RUNNING, SUSPENDED or CANCELLED); neither the request nor the namespace deployment defaults set it',
        );
      }
      spec.state = 'CANCELLED';
    }
    const problem = checkDeploymentSpec(spec) ?? checkArtifact(spec);
    if (problem !== undefined) throw badRequest(problem);
    return spec;
  }

  #findDeploymentByName(ns: NamespaceState, name: string): DeploymentRecord | undefined {
    return ns.deploymentsByName.get(name);
  }

  /** 2.1 addresses deployments by id; 2.4 tries a UUID as id first, then as name. */
  #deployment(ns: NamespaceState, idOrName: string): DeploymentRecord {
    const byId = isUuid(idOrName) ? ns.deployments.get(idOrName.toLowerCase()) : undefined;
    const record =
      byId ?? (this.#version === '2.4' ? this.#findDeploymentByName(ns, idOrName) : undefined);
    if (record === undefined) {
      const how = this.#version === '2.4' ? 'id or name' : 'id';
      throw notFound(`Deployment with ${how} '${idOrName}' not found in namespace '${ns.name}'`);
    }
    return record;
  }

  // ---- deployment defaults ----

  getDeploymentDefaults(namespace: string): DeploymentDefaults {
    return this.#readable(namespace).defaults;
  }

  patchDeploymentDefaults(namespace: string, patch: JsonObject): DeploymentDefaults {
    const ns = this.#writable(namespace);
    this.#checkResourceVersion(`Deployment defaults of '${ns.name}'`, ns.defaults.metadata, patch);
    const spec = applyMergePatch(ns.defaults.spec, objectAt(patch, 'spec') ?? {});
    const problem = isJsonObject(spec) ? checkDeploymentSpec(spec) : 'spec must be an object';
    if (problem !== undefined) throw badRequest(problem);
    this.#store.journal.preserve(ns.defaults);
    ns.defaults.spec = isJsonObject(spec) ? spec : {};
    touch(ns.defaults.metadata, this.#clock.now());
    return ns.defaults;
  }

  // ---- savepoints ----

  listSavepoints(
    namespace: string,
    filter: { deploymentId?: string; jobId?: string },
  ): ResourceList<Savepoint> {
    const items = [...this.#readable(namespace).savepoints.values()]
      .map((record) => record.resource)
      .filter(
        (s) =>
          (filter.deploymentId === undefined || s.metadata.deploymentId === filter.deploymentId) &&
          (filter.jobId === undefined || s.metadata.jobId === filter.jobId),
      );
    return list('SavepointList', items);
  }

  getSavepoint(namespace: string, id: string): Savepoint {
    const ns = this.#readable(namespace);
    const savepoint = ns.savepoints.get(id.toLowerCase());
    if (savepoint === undefined)
      throw notFound(`Savepoint ${id} not found in namespace '${ns.name}'`);
    return savepoint.resource;
  }

  /** Triggers a savepoint of the running job, or registers an existing snapshot (`COPIED`). */
  createSavepoint(namespace: string, body: JsonObject): Savepoint {
    const ns = this.#writable(namespace);
    const deploymentId = stringAt(objectAt(body, 'metadata'), 'deploymentId');
    if (deploymentId === undefined) {
      throw badRequest(
        'metadata.deploymentId is required: the deployment whose job the savepoint is of',
      );
    }
    const record = ns.deployments.get(deploymentId.toLowerCase());
    if (record === undefined) {
      throw badRequest(
        `metadata.deploymentId: deployment ${deploymentId} not found in namespace '${ns.name}'`,
      );
    }
    const at = this.#clock.now();
    const location = stringAt(objectAt(body, 'spec'), 'savepointLocation');
    if (location === undefined) {
      this.#store.journal.preserve(record);
      return this.#lifecycle.triggerSavepoint(ns, record, at);
    }
    const savepoint: Savepoint = {
      kind: 'Savepoint',
      apiVersion: 'v1',
      metadata: {
        id: this.#random.uuid(),
        namespace: ns.name,
        createdAt: isoTime(at),
        modifiedAt: isoTime(at),
        resourceVersion: 1,
        annotations: stringMapAt(objectAt(body, 'metadata'), 'annotations'),
        deploymentId: record.resource.metadata.id,
        origin: 'COPIED',
      },
      spec: { savepointLocation: location },
      status: { state: 'COMPLETED' },
    };
    ns.savepoints.set(savepoint.metadata.id, { resource: savepoint });
    return savepoint;
  }

  // ---- jobs and events ----

  listJobs(namespace: string, filter: { deploymentId?: string }): ResourceList<Job> {
    const items = [...this.#readable(namespace).jobs.values()]
      .map((record) => record.resource)
      .filter(
        (j) => filter.deploymentId === undefined || j.metadata.deploymentId === filter.deploymentId,
      );
    return list('JobList', items);
  }

  getJob(namespace: string, id: string): Job {
    const ns = this.#readable(namespace);
    const job = ns.jobs.get(id.toLowerCase());
    if (job === undefined) throw notFound(`Job ${id} not found in namespace '${ns.name}'`);
    return job.resource;
  }

  listEvents(
    namespace: string,
    filter: { deploymentId?: string; jobId?: string },
  ): ResourceList<VvpEvent> {
    const items = this.#readable(namespace)
      .events(filter.deploymentId)
      .filter((e) => filter.jobId === undefined || e.metadata.jobId === filter.jobId);
    return list('EventList', items);
  }

  // ---- simulated Flink outcomes (admin API) ----

  failJob(namespace: string, jobId: string, message: string): Job {
    const ns = this.#readable(namespace);
    const job = ns.jobs.get(jobId.toLowerCase());
    if (job === undefined) throw notFound(`Job ${jobId} not found in namespace '${ns.name}'`);
    this.#preserveJob(ns, job);
    this.#lifecycle.failJob(ns, job, message, this.#clock.now());
    return job.resource;
  }

  finishJob(namespace: string, jobId: string): Job {
    const ns = this.#readable(namespace);
    const job = ns.jobs.get(jobId.toLowerCase());
    if (job === undefined) throw notFound(`Job ${jobId} not found in namespace '${ns.name}'`);
    this.#preserveJob(ns, job);
    this.#lifecycle.finishJob(ns, job, this.#clock.now());
    return job.resource;
  }

  #preserveJob(ns: NamespaceState, job: JobRecord): void {
    this.#store.journal.preserve(job);
    this.#store.journal.preserve(ns.deployments.get(job.resource.metadata.deploymentId));
  }

  // ---- namespace access ----

  #readable(name: string): NamespaceState {
    const ns = this.#store.namespaces.get(name);
    if (ns === undefined) throw notFound(`Namespace '${name}' not found`);
    return ns;
  }

  /** Creates and changes are refused while the namespace is being deleted. */
  #writable(name: string): NamespaceState {
    const ns = this.#readable(name);
    if (ns.terminating)
      throw conflict(
        `Namespace '${name}' is being deleted (TERMINATING); nothing can be created or changed in it`,
      );
    return ns;
  }

  #checkBodyNamespace(ns: NamespaceState, body: JsonObject): void {
    const given = stringAt(objectAt(body, 'metadata'), 'namespace');
    if (given !== undefined && given !== ns.name) {
      throw badRequest(
        `metadata.namespace '${given}' does not match the namespace '${ns.name}' in the path`,
      );
    }
  }

  /** Labels as given, if they follow Kubernetes label syntax. */
  #labels(metadata: JsonObject | undefined): Record<string, string> {
    const labels = stringMapAt(metadata, 'labels');
    const problem = checkLabels('metadata.labels', labels);
    if (problem !== undefined) throw badRequest(problem);
    return labels;
  }

  /**
   * Optimistic concurrency: a write that names a `metadata.resourceVersion` must name the
   * current one (strict reading; VVP's behaviour is undocumented). Without one it is not checked.
   */
  #checkResourceVersion(
    what: string,
    current: { resourceVersion: number },
    body: JsonObject,
  ): void {
    const given = numberAt(objectAt(body, 'metadata'), 'resourceVersion');
    if (given === undefined || given === current.resourceVersion) return;
    if (this.#settings().allowStaleResourceVersion === true) return;
    throw conflict(
      `${what} has resourceVersion ${current.resourceVersion}, the request was based on ${given}; ` +
        'read it again and retry (or leave metadata.resourceVersion out)',
    );
  }

  #checkPathName(body: JsonObject, name: string): void {
    const given = stringAt(objectAt(body, 'metadata'), 'name');
    if (given !== undefined && given !== name) {
      throw badRequest(`metadata.name '${given}' does not match the name '${name}' in the path`);
    }
  }
}

export function newDeploymentDefaults(
  namespace: string,
  id: string,
  at: number,
): DeploymentDefaults {
  return {
    kind: 'DeploymentDefaults',
    apiVersion: 'v1',
    metadata: {
      id,
      namespace,
      createdAt: isoTime(at),
      modifiedAt: isoTime(at),
      resourceVersion: 1,
      annotations: {},
    },
    spec: initialDeploymentDefaultsSpec(),
  };
}
