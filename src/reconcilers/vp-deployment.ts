import {
  LABEL_INSTANCE,
  MAX_LISTED_JOBS,
  OWNER_LABELS,
  VP_DEPLOYMENT,
  VP_DEPLOYMENT_TARGET,
  VP_SAVEPOINT,
  type JobSummary,
  type SavepointSummary,
  type VpDeployment,
  type VpDeploymentTarget,
  type VpSavepoint,
} from '../api';
import { findCondition, type ConditionUpdate } from '../controller';
import { applyMergePatch, isJsonObject, jsonEqual, type Json, type JsonObject } from '../json';
import {
  StateConflictError,
  NotFoundError,
  type Deployment,
  type DeploymentsApi,
  type Job,
  type Savepoint,
  type VvpClient,
} from '../vvp';
import { mirrorDeploymentEvents, type EventCursor, type EventsVvp } from './event-mirror';
import { diffManaged } from './managed/diff';
import { locateInSpecMetadata } from './managed/location';
import { DependencyNotReadyError } from './managed/failures';
import { isOwnerLabelKey } from './managed/ownership';
import type {
  Connection,
  DeleteOutcome,
  ExternalClient,
  ExternalIdentity,
  ExternalReport,
  ManagedKind,
  UpdateOutcome,
  VvpLocation,
} from './managed/types';
import type { SavepointRecords } from './savepoint-records';

/** The VVP calls a VpDeployment needs. */
export type DeploymentVvp = Pick<VvpClient, 'deployments' | 'jobs' | 'savepoints' | 'status'> &
  EventsVvp;

/**
 * The template annotation a restartNonce change writes: a template change is an upgrade, so
 * VVP restarts the job through its upgrade path (with the configured upgrade strategy).
 */
export const RESTART_NONCE_ANNOTATION = 'vpoperator.dev/restart-nonce';

/** A VVP deployment as observed in one reconcile. */
export interface ObservedDeployment {
  deployment: Deployment;
  /** The newest jobs, listed only while VVP transitions or the job changed; else unchanged. */
  jobs: JobSummary[] | undefined;
  /** The newest savepoint of the deployment, looked up with the jobs. */
  lastSavepoint?: SavepointSummary | undefined;
  /** How far VVP events are mirrored, when they were looked at in this reconcile. */
  events?: { cursor: EventCursor; more: boolean } | undefined;
}

const METADATA_PREFIX = 'spec.metadata';
const SPEC_PREFIX = 'spec.spec';
/** The pseudo paths of the nonces, reported like fields that differ. */
const RESTART_PATH = 'spec.restartNonce';
const SAVEPOINT_PATH = 'spec.savepointNonce';
/** In PUT mode a new generation rewrites the whole deployment, so omitted fields are reset. */
const WHOLE_SPEC_PATH = 'spec.spec (syncingMode PUT: the whole deployment)';
const MAX_K8S_NAME = 253;

/** Where a deployment target reference stands. */
type TargetResolution =
  { kind: 'none' } | { kind: 'resolved'; id: string } | { kind: 'notReady'; message: string };

/**
 * VpDeployment ↔ VVP deployment (AppManager API), addressed by `status.id` on every VVP
 * version. Writes carry only what differs from the fields the CR manages (PATCH mode), or the
 * whole deployment after a spec change (PUT mode, VVP 2.4+). Nonces: a restartNonce change
 * rewrites a template annotation (VVP's upgrade path restarts the job); a savepointNonce change
 * creates a VpSavepoint owned by the VpDeployment. Both are acted on once: the VVP annotation
 * and the VpSavepoint's deterministic name make a repeat after a crash find the first.
 */
export class VpDeploymentKind implements ManagedKind<VpDeployment, ObservedDeployment> {
  readonly resource = VP_DEPLOYMENT;
  readonly ownership = 'labels';
  /**
   * Deployments (by uid) whose last mirror left VVP events for another call (more than one
   * batch, or a failed post): the next poll mirrors again even when nothing else changed.
   */
  readonly #unfinishedMirrors = new Set<string>();

  constructor(
    private readonly vvp: DeploymentVvp,
    private readonly savepoints: SavepointRecords,
  ) {}

  locate(object: VpDeployment): VvpLocation {
    return locateInSpecMetadata(object);
  }

  validate(object: VpDeployment): readonly string[] {
    const problems: string[] = [];
    if (object.spec?.spec === undefined) problems.push('spec.spec is required.');
    const configuration = object.spec?.spec.template?.spec?.flinkConfiguration ?? {};
    for (const [key, value] of Object.entries(configuration)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        problems.push(
          `spec.spec.template.spec.flinkConfiguration["${key}"] must be a string, number or boolean.`,
        );
      }
    }
    for (const key of Object.keys(object.spec?.metadata?.labels ?? {})) {
      if (isOwnerLabelKey(key)) {
        problems.push(
          `spec.metadata.labels must not set "${key}": the operator sets it to mark the deployments it owns.`,
        );
      }
    }
    if (object.spec?.initFields !== undefined && object.spec.syncingMode === 'PUT') {
      problems.push('spec.initFields is only allowed with syncingMode PATCH.');
    }
    return problems;
  }

  dependencies(object: VpDeployment): readonly string[] {
    const ref = object.spec?.deploymentTargetRef;
    return ref === undefined ? [] : [targetDependency(object.metadata?.namespace ?? '', ref.name)];
  }

  connect(object: VpDeployment, connection: Connection): ExternalClient<ObservedDeployment> {
    return new DeploymentClient(
      this.vvp,
      this.savepoints,
      object,
      this.locate(object),
      connection,
      this.#unfinishedMirrors,
    );
  }
}

/** The dependency key of a VpDeploymentTarget, for the watch that requeues its deployments. */
export function targetDependency(namespace: string, name: string): string {
  return `VpDeploymentTarget ${namespace}/${name}`;
}

/** Event batches one reconcile mirrors at most before leaving the rest to the next poll. */
const MAX_MIRROR_BATCHES_PER_RECONCILE = 10;

class DeploymentClient implements ExternalClient<ObservedDeployment> {
  readonly #target: TargetResolution;
  /** Created in this reconcile: the nonces present now trigger nothing. */
  #created = false;
  /** The savepointNonce was acted on in this reconcile. */
  #savepointRecorded = false;
  /** Something was written to VVP in this reconcile: poll again soon. */
  #wrote = false;

  constructor(
    private readonly vvp: DeploymentVvp,
    private readonly savepoints: SavepointRecords,
    private readonly object: VpDeployment,
    private readonly location: VvpLocation,
    private readonly connection: Connection,
    private readonly unfinishedMirrors: Set<string>,
  ) {
    this.#target = resolveTarget(object, connection);
  }

  async observe(): Promise<ObservedDeployment | undefined> {
    const deployment = await this.#find();
    if (deployment === undefined) {
      // Nothing to create: a CR being deleted must not wait for its target.
      const deleting = this.object.metadata?.deletionTimestamp !== undefined;
      if (this.#target.kind === 'notReady' && !deleting) {
        throw new DependencyNotReadyError(this.#target.message);
      }
      return undefined;
    }
    const changed = this.#changed(deployment);
    return {
      deployment,
      jobs: changed ? await this.#listJobs(deployment) : undefined,
      lastSavepoint: changed ? await this.#lastSavepoint(deployment) : undefined,
      events:
        changed ||
        this.object.status?.eventCursor === undefined ||
        this.unfinishedMirrors.has(this.object.metadata?.uid ?? '')
          ? await this.#mirrorEvents(deployment)
          : undefined,
    };
  }

  identify(observed: ObservedDeployment): ExternalIdentity {
    const metadata = observed.deployment.metadata;
    return {
      id: metadata?.id ?? '',
      resourceVersion: metadata?.resourceVersion,
      labels: metadata?.labels ?? {},
      createdAt: metadata?.createdAt,
    };
  }

  diff(observed: ObservedDeployment): readonly string[] {
    const paths = [
      ...diffManaged(this.#desiredMetadata(), observed.deployment.metadata, METADATA_PREFIX).paths,
      ...diffManaged(this.#desiredSpec(), observed.deployment.spec, SPEC_PREFIX).paths,
    ];
    if (this.#putMode() && !this.#created && this.#specChangedSinceSync()) {
      paths.push(WHOLE_SPEC_PATH);
    }
    if (this.#restartPending(observed)) paths.push(RESTART_PATH);
    if (this.#savepointPending()) paths.push(SAVEPOINT_PATH);
    return paths;
  }

  async create(): Promise<ObservedDeployment> {
    if (this.#target.kind === 'notReady') throw new DependencyNotReadyError(this.#target.message);
    const base: Json = { metadata: this.#desiredMetadata(), spec: this.#desiredSpec() };
    const init = this.object.spec?.initFields;
    // initFields go under the CR's own fields, in the create request only.
    const body = isJsonObject(init) ? applyMergePatch(init, base) : base;
    const deployment = await (
      await this.#deployments()
    ).create({
      apiVersion: 'v1',
      kind: 'Deployment',
      ...(body as Deployment),
      metadata: {
        ...(isJsonObject(body) ? (body.metadata as Deployment['metadata']) : {}),
        name: this.location.name,
        namespace: this.location.vvpNamespace,
      },
    });
    this.#created = true;
    this.#wrote = true;
    return { deployment, jobs: undefined };
  }

  async update(
    observed: ObservedDeployment,
    paths: readonly string[],
  ): Promise<UpdateOutcome<ObservedDeployment>> {
    const notes: string[] = [];
    let deployment = observed.deployment;
    const restart = paths.includes(RESTART_PATH);
    const vvpPaths = paths.filter((path) => path !== RESTART_PATH && path !== SAVEPOINT_PATH);
    if (vvpPaths.length > 0 || restart) {
      const written = await this.#write(observed, vvpPaths, restart);
      deployment = written.deployment;
      notes.push(written.note);
      this.#wrote = true;
    }
    if (paths.includes(SAVEPOINT_PATH)) notes.push(await this.#recordNonceSavepoint());
    return {
      outcome: 'updated',
      observed: { ...observed, deployment },
      note: notes.join(' '),
    };
  }

  async delete(observed: ObservedDeployment): Promise<DeleteOutcome> {
    const policy = this.object.spec?.deletionPolicy ?? 'Delete';
    const desired = observed.deployment.spec?.state;
    const state = observed.deployment.status?.state;
    if (policy === 'SavepointThenDelete' && desired !== 'CANCELLED') {
      return this.#suspendThenDelete(observed.deployment);
    }
    if (desired !== 'CANCELLED') {
      await this.#patch({ spec: { state: 'CANCELLED' } });
      return this.#deleting('Cancelling the job before deleting the deployment.');
    }
    if (state !== 'CANCELLED') {
      return this.#deleting(`Waiting for the job to be cancelled (VVP reports ${state ?? '?'}).`);
    }
    return this.#deleteNow();
  }

  report(observed: ObservedDeployment): ExternalReport {
    const { deployment } = observed;
    const status = deployment.status;
    const jobs = observed.jobs ?? this.object.status?.jobs;
    const ready = readiness(deployment, jobs);
    return {
      ready,
      transitioning:
        this.#wrote || ready.reason === 'Transitioning' || observed.events?.more === true,
      status: {
        state: status?.state,
        jobId: status?.running?.jobId,
        running: status?.running,
        deploymentTargetId: deployment.spec?.deploymentTargetId,
        ...(observed.jobs === undefined ? {} : { jobs: observed.jobs }),
        ...(observed.lastSavepoint === undefined ? {} : { lastSavepoint: observed.lastSavepoint }),
        ...this.#eventCursor(observed),
        handledRestartNonce: this.#restartPending(observed)
          ? this.object.status?.handledRestartNonce
          : this.object.spec?.restartNonce,
        handledSavepointNonce:
          this.#savepointPending() && !this.#savepointRecorded
            ? this.object.status?.handledSavepointNonce
            : this.object.spec?.savepointNonce,
      },
    };
  }

  /**
   * The event cursor to keep. A deployment created now starts with an empty cursor: all its
   * events are news, not the history that first sight of an adopted deployment caps.
   */
  #eventCursor(observed: ObservedDeployment): { eventCursor?: EventCursor } {
    if (observed.events !== undefined) return { eventCursor: observed.events.cursor };
    return this.#created ? { eventCursor: {} } : {};
  }

  // ---- deletion

  /**
   * SavepointThenDelete: suspend (VVP takes a savepoint of origin SUSPEND), record that
   * savepoint as a VpSavepoint that outlives the deployment, then delete. Nothing is deleted
   * while a running job's state could be lost.
   */
  async #suspendThenDelete(deployment: Deployment): Promise<DeleteOutcome> {
    const desired = deployment.spec?.state;
    const state = deployment.status?.state;
    if (state === 'FAILED') {
      return {
        outcome: 'blocked',
        reason: 'DeletionBlocked',
        message: `${this.#describe()} is FAILED, so no savepoint can be taken before deleting it (deletionPolicy SavepointThenDelete). Repair the job so that it can be suspended, or set deletionPolicy Delete to delete it without a savepoint (Orphan to keep it).`,
      };
    }
    if (desired !== 'SUSPENDED' && (state === 'CANCELLED' || state === 'FINISHED')) {
      // No job runs, so there is no state to save.
      this.connection.event({
        type: 'Normal',
        reason: 'NoSavepointNeeded',
        action: 'Delete',
        note: `${this.#describe()} is ${state}: no job runs, so no savepoint is taken before deleting it.`,
      });
      await this.#patch({ spec: { state: 'CANCELLED' } });
      return this.#deleting('Deleting: no job runs.');
    }
    if (desired !== 'SUSPENDED') {
      await this.#patch({ spec: { state: 'SUSPENDED' } });
      return this.#deleting('Suspending the job with a savepoint before deleting the deployment.');
    }
    if (state !== 'SUSPENDED') {
      return this.#deleting(
        `Waiting for the job to be suspended with a savepoint (VVP reports ${state ?? '?'}).`,
      );
    }
    await this.#recordFinalSavepoint(deployment);
    if (!(await this.#capabilities()).upsert) {
      // VVP before 2.4 deletes only CANCELLED deployments; the state is saved already.
      await this.#patch({ spec: { state: 'CANCELLED' } });
      return this.#deleting(
        'Cancelling the suspended deployment, which this VVP needs to delete it.',
      );
    }
    return this.#deleteNow();
  }

  async #recordFinalSavepoint(deployment: Deployment): Promise<void> {
    const id = deployment.metadata?.id ?? '';
    const savepoints = await (await this.#savepointsApi()).list({ deploymentId: id });
    const final = newest(
      savepoints.filter(
        (savepoint) =>
          savepoint.status?.state === 'COMPLETED' &&
          (savepoint.metadata?.origin === 'SUSPEND' ||
            savepoint.metadata?.origin === 'SUSPEND_AND_UPGRADE'),
      ),
    );
    if (final?.metadata?.id === undefined) {
      this.connection.event({
        type: 'Normal',
        reason: 'NoSavepointNeeded',
        action: 'Delete',
        note: `${this.#describe()} is SUSPENDED without a savepoint (no job has run), so none is recorded before deleting it.`,
      });
      return;
    }
    const name = recordName(this.object.metadata?.name ?? '', final.metadata.id);
    const outcome = await this.savepoints.ensure({
      metadata: { name, namespace: this.object.metadata?.namespace ?? '', ...this.#recordLabels() },
      spec: {
        // Not owned by the VpDeployment: the record of the deployment's last state outlives it.
        deletionPolicy: 'Orphan',
        ...(this.object.spec?.apiTokenSecretRef === undefined
          ? {}
          : { apiTokenSecretRef: this.object.spec.apiTokenSecretRef }),
        metadata: {
          namespace: this.location.vvpNamespace,
          id: final.metadata.id,
          deploymentId: id,
        },
      },
    });
    // Also when the record existed already: a crash may have cut the first Event off, and the
    // recorder folds a repeat into the first.
    this.connection.event({
      type: 'Normal',
      reason: 'SavepointRecorded',
      action: 'Delete',
      note: `Suspended ${this.#describe()} with savepoint ${final.metadata.id} at ${final.spec?.savepointLocation ?? '(location not reported)'}; ${outcome === 'created' ? 'recorded' : 'it was recorded'} as VpSavepoint ${name}, which outlives this VpDeployment.`,
    });
  }

  async #deleteNow(): Promise<DeleteOutcome> {
    try {
      await (await this.#deployments()).delete(this.#id());
      return { outcome: 'deleted' };
    } catch (error) {
      if (error instanceof NotFoundError) return { outcome: 'deleted' };
      if (error instanceof StateConflictError) {
        return this.#deleting(
          `VVP is not ready to delete it yet: ${error.vvpMessage ?? error.message}`,
        );
      }
      throw error;
    }
  }

  #deleting(message: string): DeleteOutcome {
    return {
      outcome: 'inProgress',
      ready: { type: 'Ready', status: 'False', reason: 'Deleting', message },
    };
  }

  // ---- writes

  async #write(
    observed: ObservedDeployment,
    vvpPaths: readonly string[],
    restart: boolean,
  ): Promise<{ deployment: Deployment; note: string }> {
    const restartAnnotations: Record<string, string> = restart
      ? { [RESTART_NONCE_ANNOTATION]: String(this.object.spec?.restartNonce ?? '') }
      : {};
    const restartNote = restart ? ' Restarting the job (restartNonce changed).' : '';
    if (this.#putMode() && vvpPaths.length > 0 && (await this.#capabilities()).upsert) {
      const spec = this.#desiredSpec();
      const annotations = {
        ...keptRestartAnnotation(observed.deployment),
        ...templateAnnotations(spec),
        ...restartAnnotations,
      };
      const body: Deployment = {
        apiVersion: 'v1',
        kind: 'Deployment',
        metadata: {
          ...this.#desiredMetadata(),
          name: this.location.name,
          namespace: this.location.vvpNamespace,
        },
        spec: withTemplateAnnotations(spec, annotations),
      };
      const deployment = await (await this.#deployments()).upsert(this.location.name, body);
      return {
        deployment,
        note: `replaced the whole deployment (syncingMode PUT; ${vvpPaths.join(', ')}).${restartNote}`,
      };
    }
    const metadata = diffManaged(this.#desiredMetadata(), observed.deployment.metadata).patch;
    let spec = diffManaged(this.#desiredSpec(), observed.deployment.spec).patch ?? {};
    if (restart) spec = withTemplateAnnotations(spec, restartAnnotations);
    const patch: JsonObject = {
      ...(metadata === undefined ? {} : { metadata }),
      ...(Object.keys(spec).length === 0 ? {} : { spec }),
    };
    if (Object.keys(patch).length === 0) {
      // PUT mode on a VVP without PUT, and every field the CR sets matches already.
      return { deployment: observed.deployment, note: 'VVP matches the spec (PUT needs VVP 2.4).' };
    }
    // By the id VVP just showed: an adopted deployment has no status.id yet, and addressing by
    // name needs VVP 2.4.
    const deployment = await this.#patch(patch, observed.deployment.metadata?.id);
    const changed = vvpPaths.filter((path) => path !== WHOLE_SPEC_PATH);
    return {
      deployment,
      note: `${changed.length > 0 ? `changed ${changed.join(', ')}.` : ''}${restartNote}`.trim(),
    };
  }

  async #recordNonceSavepoint(): Promise<string> {
    const nonce = this.object.spec?.savepointNonce;
    const owner = this.object.metadata;
    const name = truncateName(`${owner?.name ?? ''}-${String(nonce)}`);
    const outcome = await this.savepoints.ensure({
      metadata: {
        name,
        namespace: owner?.namespace ?? '',
        ...this.#recordLabels(),
        ownerReferences: [
          {
            apiVersion: this.object.apiVersion ?? 'vpoperator.dev/v1alpha1',
            kind: VP_DEPLOYMENT.kind,
            name: owner?.name ?? '',
            uid: owner?.uid ?? '',
            controller: true,
          },
        ],
      },
      spec: {
        deploymentRef: { name: owner?.name ?? '' },
        ...(this.object.spec?.apiTokenSecretRef === undefined
          ? {}
          : { apiTokenSecretRef: this.object.spec.apiTokenSecretRef }),
        metadata: { namespace: this.location.vvpNamespace },
      },
    });
    this.#savepointRecorded = true;
    return outcome === 'created'
      ? `Requested a savepoint (savepointNonce ${String(nonce)}) as VpSavepoint ${name}.`
      : `The savepoint of savepointNonce ${String(nonce)} was requested before (VpSavepoint ${name}).`;
  }

  /** The operator instance's label, so that this instance's VpSavepoint controller takes it. */
  #recordLabels(): { labels?: Record<string, string> } {
    const instance = this.object.metadata?.labels?.[LABEL_INSTANCE];
    return instance === undefined ? {} : { labels: { [LABEL_INSTANCE]: instance } };
  }

  async #patch(patch: JsonObject, id: string = this.#id()): Promise<Deployment> {
    return (await this.#deployments()).patch(id, patch);
  }

  // ---- reading

  async #find(): Promise<Deployment | undefined> {
    const deployments = await this.#deployments();
    const id = this.object.status?.id;
    try {
      if (id !== undefined) return await deployments.get(id);
      if ((await this.#capabilities()).deploymentsByName) {
        return await deployments.get(this.location.name);
      }
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    // Before 2.4 names may repeat: only our owner label finds an interrupted create.
    const uid = this.connection.ownerLabels[OWNER_LABELS.uid];
    if (uid === undefined) return undefined;
    const [ours] = await deployments.list({ labelSelector: `${OWNER_LABELS.uid}=${uid}` });
    return ours;
  }

  /**
   * Whether VVP may have news (jobs, events): it transitions, or state or job differ from what
   * status last recorded. A steady state skips both lists: one GET per poll.
   */
  #changed(deployment: Deployment): boolean {
    const status = this.object.status;
    return (
      deployment.status?.state === 'TRANSITIONING' ||
      deployment.status?.state !== status?.state ||
      deployment.status?.running?.jobId !== status?.jobId ||
      status?.jobs === undefined ||
      this.#savepointTriggeredSinceMirror(deployment)
    );
  }

  /**
   * Whether a VpSavepoint of this deployment was triggered after the newest mirrored VVP
   * event: VVP then has savepoint events of the deployment (NEED_TO_TRIGGER_A_SAVEPOINT, …)
   * although its state and job stayed the same. Read from the informer cache, so a steady
   * state still costs one GET; once mirrored, the cursor is past the trigger.
   */
  #savepointTriggeredSinceMirror(deployment: Deployment): boolean {
    const id = deployment.metadata?.id;
    const mirroredUntil = Date.parse(this.object.status?.eventCursor?.lastEventTime ?? '');
    return this.connection.cache
      .list<VpSavepoint>(VP_SAVEPOINT, this.object.metadata?.namespace)
      .some((savepoint) => {
        if (id === undefined || savepoint.status?.deploymentId !== id) return false;
        const triggered = Date.parse(savepoint.status.lastAttemptTime ?? '');
        if (Number.isNaN(triggered)) return false;
        // Without a mirrored event yet, any trigger is news.
        return Number.isNaN(mirroredUntil) || triggered > mirroredUntil;
      });
  }

  /** Mirrors the deployment's new VVP events into Kubernetes Events (event-mirror.ts). */
  async #mirrorEvents(deployment: Deployment): Promise<{ cursor: EventCursor; more: boolean }> {
    // Batch after batch within this reconcile, so that the cursor written with the status
    // covers everything VVP listed: a manager killed between two polls leaves nothing behind
    // that no later poll would look at. A batch that does not advance (a failed post) stops.
    // No cursor but our own create intent: the create was interrupted (a crash before the status
    // write), so the deployment is ours from its first event, not an adopted one's history.
    let cursor =
      this.object.status?.eventCursor ??
      (this.object.status?.pendingOperation === undefined ? undefined : {});
    let more = false;
    for (let batch = 0; batch < MAX_MIRROR_BATCHES_PER_RECONCILE; batch += 1) {
      const result = await mirrorDeploymentEvents({
        object: this.object,
        vvp: this.vvp,
        vvpNamespace: this.location.vvpNamespace,
        deploymentId: deployment.metadata?.id ?? '',
        callOptions: await this.connection.session.appManager(),
        events: this.connection.events,
        cursor,
      });
      const advanced = !jsonEqual(result.cursor, cursor);
      cursor = result.cursor;
      more = result.more;
      if (!more || !advanced) break;
    }
    const uid = this.object.metadata?.uid ?? '';
    if (more) this.unfinishedMirrors.add(uid);
    else this.unfinishedMirrors.delete(uid);
    return { cursor: cursor ?? {}, more };
  }

  async #lastSavepoint(deployment: Deployment): Promise<SavepointSummary | undefined> {
    const savepoints = await (
      await this.#savepointsApi()
    ).list({ deploymentId: deployment.metadata?.id ?? '' });
    const latest = newest(savepoints);
    if (latest?.metadata?.id === undefined) return undefined;
    return withoutUndefined({
      id: latest.metadata.id,
      state: latest.status?.state,
      location: latest.spec?.savepointLocation,
      origin: latest.metadata.origin,
      createdAt: latest.metadata.createdAt,
    }) as SavepointSummary;
  }

  async #listJobs(deployment: Deployment): Promise<JobSummary[]> {
    const jobs = await this.vvp
      .jobs(this.location.vvpNamespace, await this.connection.session.appManager())
      .list({ deploymentId: deployment.metadata?.id ?? '' });
    return summarizeJobs(jobs);
  }

  // ---- desired state

  #desiredMetadata(): JsonObject {
    const metadata = this.object.spec?.metadata;
    return withoutUndefined({
      labels: { ...metadata?.labels, ...this.connection.ownerLabels },
      annotations: metadata?.annotations,
      displayName: metadata?.displayName,
    });
  }

  #desiredSpec(): JsonObject {
    const spec = structuredClone(this.object.spec?.spec ?? {}) as JsonObject;
    if (this.#target.kind === 'resolved') spec.deploymentTargetId = this.#target.id;
    const template = spec.template;
    if (isJsonObject(template) && isJsonObject(template.spec)) {
      const configuration = template.spec.flinkConfiguration;
      if (isJsonObject(configuration)) {
        // VVP keeps Flink configuration as text.
        template.spec.flinkConfiguration = Object.fromEntries(
          Object.entries(configuration).map(([key, value]) => [
            key,
            typeof value === 'string' ? value : JSON.stringify(value),
          ]),
        );
      }
    }
    return spec;
  }

  #restartPending(observed: ObservedDeployment): boolean {
    const nonce = this.object.spec?.restartNonce;
    if (nonce === undefined || this.#firstSight()) return false;
    if (nonce === this.object.status?.handledRestartNonce) return false;
    // Written before a crash lost the status write: the restart is under way already.
    return (
      templateAnnotations(observed.deployment.spec)[RESTART_NONCE_ANNOTATION] !== String(nonce)
    );
  }

  #savepointPending(): boolean {
    const nonce = this.object.spec?.savepointNonce;
    if (nonce === undefined || this.#firstSight()) return false;
    return nonce !== this.object.status?.handledSavepointNonce;
  }

  /** Created or adopted now: nonces present at this point trigger nothing. */
  #firstSight(): boolean {
    return this.#created || this.object.status?.id === undefined;
  }

  #putMode(): boolean {
    return this.object.spec?.syncingMode === 'PUT';
  }

  #specChangedSinceSync(): boolean {
    const synced = findCondition(this.object.status?.conditions, 'Synced');
    return (
      synced?.status !== 'True' || synced.observedGeneration !== this.object.metadata?.generation
    );
  }

  // ---- plumbing

  #id(): string {
    return this.object.status?.id ?? this.location.name;
  }

  async #deployments(): Promise<DeploymentsApi> {
    return this.vvp.deployments(
      this.location.vvpNamespace,
      await this.connection.session.appManager(),
    );
  }

  async #savepointsApi(): Promise<ReturnType<DeploymentVvp['savepoints']>> {
    return this.vvp.savepoints(
      this.location.vvpNamespace,
      await this.connection.session.appManager(),
    );
  }

  async #capabilities(): Promise<
    Awaited<ReturnType<ReturnType<DeploymentVvp['status']>['capabilities']>>
  > {
    return this.vvp.status(await this.connection.session.appManager()).capabilities();
  }

  #describe(): string {
    return `VVP deployment "${this.location.vvpNamespace}/${this.location.name}"`;
  }
}

/** spec.deploymentTargetRef → the target's VVP id, from the informer cache. */
function resolveTarget(object: VpDeployment, connection: Connection): TargetResolution {
  const ref = object.spec?.deploymentTargetRef;
  if (ref === undefined) return { kind: 'none' };
  const namespace = object.metadata?.namespace ?? '';
  const target = connection.cache.get<VpDeploymentTarget>(
    VP_DEPLOYMENT_TARGET,
    ref.name,
    namespace,
  );
  const where = `VpDeploymentTarget ${namespace}/${ref.name} (spec.deploymentTargetRef)`;
  if (target === undefined) {
    return {
      kind: 'notReady',
      message: `${where} does not exist; create it, the deployment waits for it.`,
    };
  }
  const vvpNamespace = locateInSpecMetadata(object).vvpNamespace;
  const targetNamespace = locateInSpecMetadata(target).vvpNamespace;
  if (targetNamespace !== vvpNamespace) {
    return {
      kind: 'notReady',
      message: `${where} is in VVP namespace "${targetNamespace}", the deployment in "${vvpNamespace}"; a deployment can only use a target of its own VVP namespace.`,
    };
  }
  const ready = findCondition(target.status?.conditions, 'Ready');
  const id = target.status?.id;
  if (ready?.status !== 'True' || id === undefined) {
    return {
      kind: 'notReady',
      message: `${where} is not Ready yet${ready?.message ? ` (${ready.message})` : ''}; the deployment is created once it is.`,
    };
  }
  return { kind: 'resolved', id };
}

/** Ready only when VVP's observed state is the desired one (and, for RUNNING, a job runs). */
export function readiness(
  deployment: Deployment,
  jobs: readonly JobSummary[] | undefined,
): ConditionUpdate {
  const desired = deployment.spec?.state;
  const state = deployment.status?.state;
  const latest = jobs?.[0];
  const notReady = (reason: string, message: string): ConditionUpdate => ({
    type: 'Ready',
    status: 'False',
    reason,
    message,
  });
  if (state === 'FAILED') {
    const why = latest?.failure?.message ?? 'VVP gives no reason';
    return notReady(
      'Failed',
      `VVP reports the deployment FAILED: ${why}. It stays FAILED until the spec changes (fix it, or set spec.spec.state).`,
    );
  }
  if (state === 'TRANSITIONING') {
    return notReady('Transitioning', `VVP is moving the deployment to ${desired ?? '?'}.`);
  }
  if (state === 'FINISHED' && desired === 'RUNNING') {
    return notReady('Finished', 'The job finished; set spec.spec.state to run it again.');
  }
  if (state !== desired || state === undefined) {
    return notReady(
      'Transitioning',
      `VVP reports ${state ?? 'no state'}, desired is ${desired ?? '?'}.`,
    );
  }
  if (state !== 'RUNNING') {
    return { type: 'Ready', status: 'True', reason: 'Available', message: `${state}, as desired.` };
  }
  const jobId = deployment.status?.running?.jobId;
  if (jobId === undefined) return notReady('Transitioning', 'Waiting for the job to start.');
  const failing = deployment.status?.running?.conditions?.find(
    (condition) => condition.status === 'False' || /fail/i.test(condition.type ?? ''),
  );
  if (failing !== undefined || latest?.state === 'FAILED') {
    const message = failing?.message ?? latest?.failure?.message ?? 'the job is failing';
    return notReady('JobFailing', `Job ${jobId}: ${message}`);
  }
  return {
    type: 'Ready',
    status: 'True',
    reason: 'Available',
    message: `Job ${jobId} is running.`,
  };
}

/** The newest jobs first, trimmed to what status keeps. */
export function summarizeJobs(jobs: readonly Job[]): JobSummary[] {
  return [...jobs]
    .sort((a, b) => (b.metadata?.createdAt ?? '').localeCompare(a.metadata?.createdAt ?? ''))
    .slice(0, MAX_LISTED_JOBS)
    .map(
      (job) =>
        withoutUndefined({
          id: job.metadata?.id ?? '',
          state: job.status?.state,
          createdAt: job.metadata?.createdAt,
          startedAt: job.status?.started?.startedAt,
          terminatedAt: job.metadata?.terminatedAt,
          failure:
            job.status?.failure === undefined
              ? undefined
              : withoutUndefined({ ...job.status.failure }),
        }) as JobSummary,
    );
}

function newest(savepoints: readonly Savepoint[]): Savepoint | undefined {
  return [...savepoints].sort((a, b) =>
    (b.metadata?.createdAt ?? '').localeCompare(a.metadata?.createdAt ?? ''),
  )[0];
}

/** `<deployment>-<first 8 of the savepoint id>`: one record per savepoint, found again after a crash. */
function recordName(deployment: string, savepointId: string): string {
  return truncateName(`${deployment}-${savepointId.slice(0, 8)}`);
}

function truncateName(name: string): string {
  return name.length <= MAX_K8S_NAME ? name : name.slice(0, MAX_K8S_NAME).replace(/[-.]+$/, '');
}

function templateAnnotations(spec: unknown): Record<string, string> {
  if (!isJsonObject(spec) || !isJsonObject(spec.template)) return {};
  const metadata = spec.template.metadata;
  if (!isJsonObject(metadata) || !isJsonObject(metadata.annotations)) return {};
  return Object.fromEntries(
    Object.entries(metadata.annotations).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** The restart annotation VVP has, kept by a PUT so that it does not restart the job. */
function keptRestartAnnotation(deployment: Deployment): Record<string, string> {
  const value = templateAnnotations(deployment.spec)[RESTART_NONCE_ANNOTATION];
  return value === undefined ? {} : { [RESTART_NONCE_ANNOTATION]: value };
}

function withTemplateAnnotations(
  spec: JsonObject,
  annotations: Record<string, string>,
): JsonObject {
  if (Object.keys(annotations).length === 0) return spec;
  const merged = applyMergePatch(spec, { template: { metadata: { annotations } } });
  return isJsonObject(merged) ? merged : spec;
}

function withoutUndefined(object: Record<string, unknown>): JsonObject {
  return Object.fromEntries(
    Object.entries(object).filter(([, value]) => value !== undefined),
  ) as JsonObject;
}
