import type { Agenda } from './agenda';
import { readDeploymentSpec, type DeploymentSpecView } from './deployment-spec';
import { cloneJson, jsonEqual, objectAt, stringAt, type JsonObject } from '../json';
import type { DeploymentState, EventName, Failure, Job, Savepoint, SavepointOrigin } from './model';
import type { RandomSource } from './random';
import {
  isoTime,
  touch,
  type DeploymentRecord,
  type JobRecord,
  type NamespaceState,
  type SavepointRecord,
} from './store';
import { badRequest, conflict } from './errors';

/** Tunable behaviour of the lifecycle; read on every step so run-time changes apply at once. */
export interface LifecycleSettings {
  /** How long each phase takes: a job starting or stopping, a savepoint completing. */
  transitionMs: number;
  /** Share of savepoints (0..1) that end FAILED. */
  savepointFailureRate: number;
  /** Share of job starts (0..1) that fail. */
  jobStartFailureRate: number;
  /**
   * Whether the installation has Universal Blob Storage (default true): without it, only jobs
   * whose Flink configuration sets `state.savepoints.dir` can take savepoints.
   */
  universalBlobStorage?: boolean;
}

/** The Flink configuration key that gives a job savepoint support without blob storage. */
export const SAVEPOINT_DIRECTORY_KEY = 'state.savepoints.dir';

/** Flink's job status once a job of each terminal VVP job state has ended. */
const FINAL_FLINK_STATUS = { TERMINATED: 'CANCELED', FAILED: 'FAILED', FINISHED: 'FINISHED' };

export const ANNOTATION_SPEC_VERSION =
  'com.dataartisans.appmanager.controller.deployment.spec.version';
export const ANNOTATION_TRANSITIONING =
  'com.dataartisans.appmanager.controller.deployment.transitioning';
export const ANNOTATION_TRANSITIONING_SINCE =
  'com.dataartisans.appmanager.controller.deployment.transitioning.since';

/** Where savepoints land when the template sets no `state.savepoints.dir` (Universal Blob Storage). */
const BLOB_STORAGE = 's3://vvp';

/**
 * VVP's deployment controller: drives each deployment from its observed state towards
 * `spec.state`, one phase at a time, with Job and Savepoint resources and events.
 *
 * Each step first finishes the phases that are due (job started or stopped, savepoint done),
 * then starts the next phase the desired state calls for, or settles the status when there is
 * nothing left to do. Only the latest desired state is acted on, as in VVP.
 */
export class DeploymentLifecycle {
  readonly #agenda: Agenda;
  readonly #random: RandomSource;
  readonly #settings: () => LifecycleSettings;
  readonly #namespaceEmptied: (namespace: NamespaceState) => void;

  /** `namespaceEmptied` is told when a namespace being deleted has no deployment left. */
  constructor(
    agenda: Agenda,
    random: RandomSource,
    settings: () => LifecycleSettings,
    namespaceEmptied: (namespace: NamespaceState) => void = () => undefined,
  ) {
    this.#agenda = agenda;
    this.#random = random;
    this.#settings = settings;
    this.#namespaceEmptied = namespaceEmptied;
  }

  /** The namespace is being deleted: stop the deployment's job, then remove the deployment. */
  teardown(namespace: NamespaceState, record: DeploymentRecord, at: number): void {
    record.tearingDown = true;
    record.haltedAtSpecVersion = undefined;
    this.#agenda.schedule(deploymentKey(namespace, record), at, (stepAt) => {
      this.#step(namespace, record, stepAt);
    });
  }

  /** Why the job cannot take a savepoint, or undefined when it can. */
  savepointSupportProblem(job: JobRecord): string | undefined {
    if (this.#settings().universalBlobStorage !== false) return undefined;
    const configured = stringAt(
      objectAt(job.resource.spec, 'flinkConfiguration'),
      SAVEPOINT_DIRECTORY_KEY,
    );
    if (configured !== undefined) return undefined;
    return (
      `Job ${job.resource.metadata.id} is not configured with savepoint support: set ` +
      `${SAVEPOINT_DIRECTORY_KEY} in spec.template.spec.flinkConfiguration (this installation has no Universal Blob Storage)`
    );
  }

  /** The spec was created or changed: clear a halt and act at once. */
  specChanged(namespace: NamespaceState, record: DeploymentRecord, at: number): void {
    record.haltedAtSpecVersion = undefined;
    record.failedJobAttempts = 0;
    record.failedSavepointAttempts = 0;
    this.#agenda.schedule(deploymentKey(namespace, record), at, (stepAt) => {
      this.#step(namespace, record, stepAt);
    });
  }

  forget(namespace: NamespaceState, record: DeploymentRecord): void {
    this.#agenda.cancel(deploymentKey(namespace, record));
  }

  /** A USER_REQUEST savepoint of the deployment's running job. */
  triggerSavepoint(namespace: NamespaceState, record: DeploymentRecord, at: number): Savepoint {
    const job = this.#currentJob(namespace, record);
    if (job?.resource.status.state !== 'STARTED') {
      throw conflict(
        `Deployment '${record.resource.metadata.name}' (${record.resource.metadata.id}) has no running job ` +
          `(status.state is ${record.resource.status.state}); a savepoint can only be taken while it is RUNNING`,
      );
    }
    const unsupported = this.savepointSupportProblem(job);
    if (unsupported !== undefined) {
      throw badRequest(`JOB_IS_NOT_CONFIGURED_WITH_SAVEPOINT_SUPPORT: ${unsupported}`);
    }
    const jobId = job.resource.metadata.id;
    this.#emit(
      namespace,
      record,
      'NEED_TO_TRIGGER_A_SAVEPOINT',
      `A savepoint of job ${jobId} was requested`,
      at,
      jobId,
    );
    const savepoint = this.#startSavepoint(namespace, record, job, 'USER_REQUEST', at);
    this.#emitSavepointTriggered(namespace, record, savepoint, at);
    this.#reschedule(namespace, record);
    return savepoint;
  }

  /** Simulates the Flink job failing beyond recovery: the deployment goes FAILED. */
  failJob(namespace: NamespaceState, job: JobRecord, message: string, at: number): void {
    const record = this.#activeDeploymentOf(namespace, job);
    this.#endJob(record, job, 'FAILED', at, {
      message,
      reason: 'SimulatedFailure',
      failedAt: isoTime(at),
    });
    this.#emit(
      namespace,
      record,
      'TERMINATING_A_JOB_DUE_TO_AN_UNRECOVERABLE_FAILURE',
      `Job ${job.resource.metadata.id} failed: ${message}`,
      at,
      job.resource.metadata.id,
    );
    this.#halt(namespace, record, 'FAILED', at);
  }

  /** Simulates a bounded job ending: the deployment goes FINISHED. */
  finishJob(namespace: NamespaceState, job: JobRecord, at: number): void {
    const record = this.#activeDeploymentOf(namespace, job);
    const jobId = job.resource.metadata.id;
    this.#endJob(record, job, 'FINISHED', at);
    this.#emit(namespace, record, 'JOB_SUCCESSFULLY_FINISHED', `Job ${jobId} finished`, at, jobId);
    this.#emit(
      namespace,
      record,
      'TRANSITIONED_TO_FINISHED_STATE',
      'Deployment is FINISHED',
      at,
      jobId,
    );
    this.#halt(namespace, record, 'FINISHED', at);
  }

  #activeDeploymentOf(namespace: NamespaceState, job: JobRecord): DeploymentRecord {
    const record = namespace.deployments.get(job.resource.metadata.deploymentId);
    if (
      record?.currentJobId !== job.resource.metadata.id ||
      job.resource.status.state !== 'STARTED'
    ) {
      throw conflict(
        `Job ${job.resource.metadata.id} is ${job.resource.status.state}, not the running job of its deployment`,
      );
    }
    return record;
  }

  #step(namespace: NamespaceState, record: DeploymentRecord, at: number): void {
    this.#finishDuePhases(namespace, record, at);
    this.#startNextPhase(namespace, record, at);
    this.#reschedule(namespace, record);
  }

  #reschedule(namespace: NamespaceState, record: DeploymentRecord): void {
    const due: number[] = [];
    const job = this.#currentJob(namespace, record);
    if (job?.dueAt !== undefined) due.push(job.dueAt);
    for (const id of record.savepointsInFlight) {
      const dueAt = namespace.savepoints.get(id)?.dueAt;
      if (dueAt !== undefined) due.push(dueAt);
    }
    const key = deploymentKey(namespace, record);
    if (due.length === 0) this.#agenda.cancel(key);
    else {
      this.#agenda.schedule(key, Math.min(...due), (stepAt) => {
        this.#step(namespace, record, stepAt);
      });
    }
  }

  #finishDuePhases(namespace: NamespaceState, record: DeploymentRecord, at: number): void {
    for (const id of record.savepointsInFlight) {
      const savepoint = namespace.savepoints.get(id);
      if (savepoint?.dueAt !== undefined && savepoint.dueAt <= at) {
        this.#finishSavepoint(namespace, record, savepoint, at);
      }
    }
    const job = this.#currentJob(namespace, record);
    if (job?.dueAt === undefined || job.dueAt > at) return;
    job.dueAt = undefined;
    const jobId = job.resource.metadata.id;
    if (job.resource.status.state === 'STARTING') {
      if (this.#random.next() < this.#settings().jobStartFailureRate) {
        this.#endJob(record, job, 'FAILED', at, {
          message: 'The Flink job could not be started (simulated failure)',
          reason: 'JobStartFailed',
          failedAt: isoTime(at),
        });
        record.failedJobAttempts += 1;
        this.#emit(
          namespace,
          record,
          'FAILED_CREATING_A_NEW_JOB',
          `Job ${jobId} failed to start (attempt ${record.failedJobAttempts})`,
          at,
          jobId,
        );
        return;
      }
      job.resource.status = {
        state: 'STARTED',
        started: {
          flinkJobId: jobId.replaceAll('-', ''),
          startedAt: isoTime(at),
          lastUpdateTime: isoTime(at),
          observedFlinkJobStatus: 'RUNNING',
          observedFlinkJobRestarts: 0,
        },
      };
      touch(job.resource.metadata, at);
      record.failedJobAttempts = 0;
      this.#emit(namespace, record, 'JOB_SUCCESSFULLY_STARTED', `Job ${jobId} started`, at, jobId);
    } else if (job.resource.status.state === 'TERMINATING') {
      this.#endJob(record, job, 'TERMINATED', at);
      this.#emit(
        namespace,
        record,
        'AWAIT_FOR_A_CLUSTER_TO_TEARDOWN',
        `Job ${jobId} terminated, its cluster is torn down`,
        at,
        jobId,
      );
    }
  }

  #finishSavepoint(
    namespace: NamespaceState,
    record: DeploymentRecord,
    savepoint: SavepointRecord,
    at: number,
  ): void {
    const resource = savepoint.resource;
    savepoint.dueAt = undefined;
    record.savepointsInFlight.delete(resource.metadata.id);
    const isTransition = record.transitionSavepointId === resource.metadata.id;
    if (this.#random.next() < this.#settings().savepointFailureRate) {
      resource.status = {
        state: 'FAILED',
        failure: {
          message: 'Flink could not complete the savepoint (simulated failure)',
          reason: 'SavepointFailed',
          failedAt: isoTime(at),
        },
      };
      touch(resource.metadata, at);
      if (isTransition) {
        record.transitionSavepointId = undefined;
        record.failedSavepointAttempts += 1;
      }
      const attempt = isTransition ? ` (attempt ${record.failedSavepointAttempts})` : '';
      this.#emit(
        namespace,
        record,
        'AN_UNRECOVERABLE_FAILURE_WHILE_TAKING_A_SAVEPOINT',
        `Savepoint ${resource.metadata.id} failed${attempt}`,
        at,
        resource.metadata.jobId,
      );
      return;
    }
    resource.status = { state: 'COMPLETED' };
    resource.spec = {
      savepointLocation: `${this.#savepointDirectory(namespace, record)}/savepoint-${resource.metadata.id.slice(0, 8)}`,
      flinkSavepointId: this.#random.uuid(),
    };
    touch(resource.metadata, at);
    if (isTransition) {
      this.#emit(
        namespace,
        record,
        'FOUND_A_COMPLETED_SAVEPOINT_READY_FOR_SUSPENSION',
        `Savepoint ${resource.metadata.id} completed`,
        at,
        resource.metadata.jobId,
      );
    }
  }

  #startNextPhase(namespace: NamespaceState, record: DeploymentRecord, at: number): void {
    if (record.haltedAtSpecVersion === record.specVersion) return;
    const job = this.#currentJob(namespace, record);
    const transitionSavepoint =
      record.transitionSavepointId === undefined
        ? undefined
        : namespace.savepoints.get(record.transitionSavepointId)?.resource;
    // A job starting or stopping, or a savepoint being taken, is waited for before anything else.
    if (job !== undefined && job.resource.status.state !== 'STARTED') return;
    if (transitionSavepoint?.status.state === 'STARTED') return;

    const spec = readDeploymentSpec(record.resource.spec);
    const savepointTaken =
      transitionSavepoint?.status.state === 'COMPLETED' &&
      transitionSavepoint.metadata.jobId === job?.resource.metadata.id;
    if (record.tearingDown === true) {
      if (job !== undefined) {
        this.#beginTransition(namespace, record, at);
        this.#stopJob(namespace, record, job, 'FOUND_A_JOB_TO_TERMINATE', at);
      } else this.#remove(namespace, record, at);
      return;
    }
    switch (spec.state) {
      case 'RUNNING':
        if (job === undefined) {
          if (record.failedJobAttempts >= spec.maxJobCreationAttempts) {
            this.#fail(
              namespace,
              record,
              'TOO_MANY_FAILED_JOB_CREATION_ATTEMPTS',
              `The job failed to start ${record.failedJobAttempts} times (spec.maxJobCreationAttempts)`,
              at,
            );
          } else this.#startJob(namespace, record, spec, at);
        } else if (
          !jsonEqual(job.runtimeSpec, runtimeSpecOf(spec)) &&
          spec.upgradeStrategy !== 'NONE'
        ) {
          this.#beginTransition(namespace, record, at);
          if (spec.upgradeStrategy === 'STATELESS') {
            const jobId = job.resource.metadata.id;
            this.#emit(
              namespace,
              record,
              'USING_AN_UPGRADE_STRATEGY',
              `Upgrading with strategy STATELESS: job ${jobId} is stopped without a savepoint, then a new job starts`,
              at,
              jobId,
            );
            this.#stopJob(namespace, record, job, 'FOUND_AN_OLD_JOB_AND_WILL_TERMINATE_IT', at);
          } else if (savepointTaken) {
            this.#stopJob(namespace, record, job, 'FOUND_AN_OLD_JOB_AND_WILL_TERMINATE_IT', at);
          } else {
            this.#takeTransitionSavepoint(namespace, record, spec, job, 'SUSPEND_AND_UPGRADE', at);
          }
        } else this.#settle(namespace, record, 'RUNNING', at);
        return;
      case 'SUSPENDED':
        if (job === undefined) this.#settle(namespace, record, 'SUSPENDED', at);
        else {
          this.#beginTransition(namespace, record, at);
          if (savepointTaken) this.#stopJob(namespace, record, job, 'FOUND_A_JOB_TO_TERMINATE', at);
          else this.#takeTransitionSavepoint(namespace, record, spec, job, 'SUSPEND', at);
        }
        return;
      case 'CANCELLED':
        if (job === undefined) this.#settle(namespace, record, 'CANCELLED', at);
        else {
          this.#beginTransition(namespace, record, at);
          this.#stopJob(namespace, record, job, 'FOUND_A_JOB_TO_TERMINATE', at);
        }
        return;
    }
  }

  #startJob(
    namespace: NamespaceState,
    record: DeploymentRecord,
    spec: DeploymentSpecView,
    at: number,
  ): void {
    this.#beginTransition(namespace, record, at);
    const deployment = record.resource;
    const restoreFrom = this.#restoreSource(namespace, record, spec);
    const templateSpec = objectAt(spec.template, 'spec') ?? {};
    const target =
      spec.deploymentTargetId === undefined
        ? undefined
        : namespace.targets.get(spec.deploymentTargetId);
    const jobSpec: JsonObject = {
      ...cloneJson(templateSpec),
      allowNonRestoredState: spec.allowNonRestoredState,
      deploymentTarget: {
        kubernetes: {
          namespace: stringAt(objectAt(target?.spec, 'kubernetes'), 'namespace') ?? 'vvp',
        },
      },
    };
    if (restoreFrom?.spec.savepointLocation !== undefined) {
      jobSpec.savepointLocation = restoreFrom.spec.savepointLocation;
    }
    const id = this.#random.uuid();
    const job: Job = {
      kind: 'Job',
      apiVersion: 'v1',
      metadata: {
        id,
        namespace: namespace.name,
        createdAt: isoTime(at),
        modifiedAt: isoTime(at),
        resourceVersion: 1,
        annotations: {},
        deploymentId: deployment.metadata.id,
        deploymentName: deployment.metadata.name,
      },
      spec: jobSpec,
      status: { state: 'STARTING' },
    };
    namespace.jobs.set(id, {
      resource: job,
      runtimeSpec: runtimeSpecOf(spec),
      dueAt: at + this.#settings().transitionMs,
    });
    record.currentJobId = id;
    const restoreNote =
      restoreFrom === undefined
        ? 'with empty state'
        : `restoring savepoint ${restoreFrom.metadata.id}`;
    this.#emit(
      namespace,
      record,
      'CREATING_A_NEW_JOB',
      `Creating job ${id} ${restoreNote} (restore strategy ${spec.restoreStrategy})`,
      at,
      id,
    );
    this.#emit(
      namespace,
      record,
      'SPINNING_UP_A_CLUSTER_FOR_A_JOB',
      `Spinning up a Flink cluster for job ${id}`,
      at,
      id,
    );
    this.#emit(
      namespace,
      record,
      'AWAITING_A_JOB_TO_START',
      `Waiting for job ${id} to start`,
      at,
      id,
    );
  }

  /** The snapshot a new job restores, per `spec.restoreStrategy` (VVP docs, deployment upgrades). */
  #restoreSource(
    namespace: NamespaceState,
    record: DeploymentRecord,
    spec: DeploymentSpecView,
  ): Savepoint | undefined {
    if (spec.restoreStrategy === 'NONE') return undefined;
    let latest: Savepoint | undefined;
    for (const { resource } of namespace.savepoints.values()) {
      if (resource.metadata.deploymentId !== record.resource.metadata.id) continue;
      if (resource.status.state !== 'COMPLETED') continue;
      if (
        spec.restoreStrategy === 'LATEST_SAVEPOINT' &&
        resource.metadata.origin === 'RETAINED_CHECKPOINT'
      )
        continue;
      if (latest === undefined || resource.metadata.modifiedAt >= latest.metadata.modifiedAt)
        latest = resource;
    }
    return latest;
  }

  #takeTransitionSavepoint(
    namespace: NamespaceState,
    record: DeploymentRecord,
    spec: DeploymentSpecView,
    job: JobRecord,
    origin: 'SUSPEND' | 'SUSPEND_AND_UPGRADE',
    at: number,
  ): void {
    if (record.failedSavepointAttempts >= spec.maxSavepointCreationAttempts) {
      this.#fail(
        namespace,
        record,
        'TOO_MANY_FAILED_SUSPENSION_ATTEMPTS',
        `The savepoint failed ${record.failedSavepointAttempts} times (spec.maxSavepointCreationAttempts)`,
        at,
      );
      return;
    }
    const unsupported = this.savepointSupportProblem(job);
    if (unsupported !== undefined) {
      this.#fail(
        namespace,
        record,
        'JOB_IS_NOT_CONFIGURED_WITH_SAVEPOINT_SUPPORT',
        unsupported,
        at,
      );
      return;
    }
    const savepoint = this.#startSavepoint(namespace, record, job, origin, at);
    const id = savepoint.metadata.id;
    const jobId = job.resource.metadata.id;
    record.transitionSavepointId = id;
    if (origin === 'SUSPEND') {
      this.#emit(
        namespace,
        record,
        'CREATING_A_SAVEPOINT_BEFORE_SUSPENSION',
        `Creating savepoint ${id} of job ${jobId} before suspending`,
        at,
        jobId,
      );
      this.#emit(
        namespace,
        record,
        'AWAITING_SAVEPOINT_COMPLETION_TO_TRANSITION_TO_SUSPENDED',
        `Waiting for savepoint ${id}`,
        at,
        jobId,
      );
    } else {
      this.#emit(
        namespace,
        record,
        'USING_AN_UPGRADE_STRATEGY',
        `Upgrading with strategy STATEFUL: savepoint ${id} of job ${jobId}, then a new job`,
        at,
        jobId,
      );
      this.#emitSavepointTriggered(namespace, record, savepoint, at);
    }
  }

  #emitSavepointTriggered(
    namespace: NamespaceState,
    record: DeploymentRecord,
    savepoint: Savepoint,
    at: number,
  ): void {
    const { id, jobId } = savepoint.metadata;
    this.#emit(
      namespace,
      record,
      'SUCCESSFULLY_TRIGGERED_A_SAVEPOINT',
      `Triggered savepoint ${id} of job ${jobId ?? ''}`,
      at,
      jobId,
    );
    this.#emit(
      namespace,
      record,
      'AWAITING_FOR_A_SAVEPOINT_TO_COMPLETE',
      `Waiting for savepoint ${id}`,
      at,
      jobId,
    );
  }

  /** The last step of a namespace's teardown: the deployment and its jobs are gone. */
  #remove(namespace: NamespaceState, record: DeploymentRecord, at: number): void {
    this.#settle(namespace, record, 'CANCELLED', at);
    this.forget(namespace, record);
    namespace.removeDeployment(record);
    if (namespace.terminationDue && namespace.deployments.size === 0) {
      this.#namespaceEmptied(namespace);
    }
  }

  #startSavepoint(
    namespace: NamespaceState,
    record: DeploymentRecord,
    job: JobRecord,
    origin: SavepointOrigin,
    at: number,
  ): Savepoint {
    const savepoint: Savepoint = {
      kind: 'Savepoint',
      apiVersion: 'v1',
      metadata: {
        id: this.#random.uuid(),
        namespace: namespace.name,
        createdAt: isoTime(at),
        modifiedAt: isoTime(at),
        resourceVersion: 1,
        annotations: {
          [ANNOTATION_SPEC_VERSION]: String(record.specVersion),
        },
        deploymentId: record.resource.metadata.id,
        jobId: job.resource.metadata.id,
        origin,
      },
      spec: {},
      status: { state: 'STARTED' },
    };
    namespace.savepoints.set(savepoint.metadata.id, {
      resource: savepoint,
      dueAt: at + this.#settings().transitionMs,
    });
    record.savepointsInFlight.add(savepoint.metadata.id);
    return savepoint;
  }

  #stopJob(
    namespace: NamespaceState,
    record: DeploymentRecord,
    job: JobRecord,
    reason: EventName,
    at: number,
  ): void {
    const jobId = job.resource.metadata.id;
    job.resource.status = { ...job.resource.status, state: 'TERMINATING' };
    job.dueAt = at + this.#settings().transitionMs;
    touch(job.resource.metadata, at);
    this.#emit(namespace, record, reason, `Terminating job ${jobId}`, at, jobId);
    this.#emit(
      namespace,
      record,
      'AWAITING_A_JOB_TO_TERMINATE',
      `Waiting for job ${jobId} to terminate`,
      at,
      jobId,
    );
  }

  /** The job reached a terminal state: the deployment has no current job any more. */
  #endJob(
    record: DeploymentRecord,
    job: JobRecord,
    state: 'FAILED' | 'TERMINATED' | 'FINISHED',
    at: number,
    failure?: Failure,
  ): void {
    record.currentJobId = undefined;
    // A savepoint of this job still in flight completes on its own, but no longer steers a transition.
    record.transitionSavepointId = undefined;
    record.failedSavepointAttempts = 0;
    job.dueAt = undefined;
    const started = job.resource.status.started;
    job.resource.status = {
      ...job.resource.status,
      state,
      ...(failure === undefined ? {} : { failure }),
      ...(started === undefined
        ? {}
        : {
            started: {
              ...started,
              observedFlinkJobStatus: FINAL_FLINK_STATUS[state],
              lastUpdateTime: isoTime(at),
            },
          }),
    };
    job.resource.metadata.terminatedAt = isoTime(at);
    touch(job.resource.metadata, at);
  }

  #beginTransition(namespace: NamespaceState, record: DeploymentRecord, at: number): void {
    const deployment = record.resource;
    if (deployment.status.state === 'TRANSITIONING') return;
    const desired = readDeploymentSpec(deployment.spec).state;
    this.#emit(
      namespace,
      record,
      'STATE_TRANSITION_IS_NEEDED',
      `Transitioning from ${deployment.status.state} to ${desired}`,
      at,
    );
    deployment.status = { state: 'TRANSITIONING' };
    deployment.metadata.annotations[ANNOTATION_TRANSITIONING] = 'true';
    deployment.metadata.annotations[ANNOTATION_TRANSITIONING_SINCE] = isoTime(at);
    touch(deployment.metadata, at);
  }

  #settle(
    namespace: NamespaceState,
    record: DeploymentRecord,
    state: 'RUNNING' | 'SUSPENDED' | 'CANCELLED',
    at: number,
  ): void {
    const deployment = record.resource;
    if (deployment.status.state === state) return;
    // Without a job to act on the transition starts and completes in the same step.
    this.#beginTransition(namespace, record, at);
    this.#setStatus(record, state, at);
    if (state === 'RUNNING' && record.currentJobId !== undefined) {
      deployment.status.running = {
        jobId: record.currentJobId,
        transitionTime: isoTime(at),
        conditions: [],
      };
    }
    this.#emit(
      namespace,
      record,
      'STATE_TRANSITION_IS_COMPLETED',
      `Deployment is ${state}`,
      at,
      record.currentJobId,
    );
  }

  #fail(
    namespace: NamespaceState,
    record: DeploymentRecord,
    reason: EventName,
    message: string,
    at: number,
  ): void {
    this.#emit(namespace, record, reason, message, at, record.currentJobId);
    this.#halt(namespace, record, 'FAILED', at);
  }

  /** FAILED and FINISHED: nothing more happens until the spec changes. */
  #halt(
    namespace: NamespaceState,
    record: DeploymentRecord,
    state: 'FAILED' | 'FINISHED',
    at: number,
  ): void {
    record.haltedAtSpecVersion = record.specVersion;
    this.#setStatus(record, state, at);
    this.#reschedule(namespace, record);
  }

  #setStatus(record: DeploymentRecord, state: DeploymentState, at: number): void {
    const deployment = record.resource;
    deployment.status = { state };
    deployment.metadata.annotations = withoutKeys(deployment.metadata.annotations, [
      ANNOTATION_TRANSITIONING,
      ANNOTATION_TRANSITIONING_SINCE,
    ]);
    touch(deployment.metadata, at);
  }

  #currentJob(namespace: NamespaceState, record: DeploymentRecord): JobRecord | undefined {
    return record.currentJobId === undefined ? undefined : namespace.jobs.get(record.currentJobId);
  }

  #savepointDirectory(namespace: NamespaceState, record: DeploymentRecord): string {
    const template = objectAt(readDeploymentSpec(record.resource.spec).template, 'spec');
    const configured = stringAt(objectAt(template, 'flinkConfiguration'), 'state.savepoints.dir');
    return (
      configured ??
      `${BLOB_STORAGE}/namespaces/${namespace.name}/deployments/${record.resource.metadata.id}/savepoints`
    );
  }

  #emit(
    namespace: NamespaceState,
    record: DeploymentRecord,
    name: EventName,
    message: string,
    at: number,
    jobId?: string,
  ): void {
    namespace.addEvent({
      kind: 'Event',
      apiVersion: 'v1',
      metadata: {
        id: this.#random.uuid(),
        namespace: namespace.name,
        createdAt: isoTime(at),
        name,
        deploymentId: record.resource.metadata.id,
        ...(jobId === undefined ? {} : { jobId }),
      },
      spec: { message },
    });
  }
}

export function deploymentKey(namespace: NamespaceState, record: DeploymentRecord): string {
  return `${namespacePrefix(namespace.name)}deployment/${record.resource.metadata.id}`;
}

/** Agenda keys of everything in a namespace start with this. */
export function namespacePrefix(name: string): string {
  return `namespace/${name}/`;
}

/** A job must be replaced when the template or the target it was started from changes. */
function runtimeSpecOf(spec: DeploymentSpecView): JsonObject {
  return cloneJson({ template: spec.template, target: spec.deploymentTargetId ?? null });
}

function withoutKeys(map: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([key]) => !keys.includes(key)));
}
