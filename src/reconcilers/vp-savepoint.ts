/**
 * VpSavepoint ↔ one VVP savepoint of a deployment (AppManager API).
 *
 * Why not a {@link ManagedKind}: the shared reconciler converges a long-lived, named VVP object
 * (observe by name → diff → update), and finds an interrupted create again by its name. A
 * savepoint is none of that: VVP gives it no name and no labels, it is immutable, and "the
 * desired state" is a one-shot action that may have to be repeated on failure (a new VVP
 * savepoint per attempt, up to `spec.backoffLimit`). So this reconciler runs its own small
 * flow, on the machinery's building blocks (token session, error classification, control
 * annotations, conditions) and by the same rules (write-ahead intent with a resourceVersion
 * precondition, lookup instead of repetition after a crash, one status write per reconcile).
 *
 * ```
 * import (spec.metadata.id):  GET it → report                       (never triggers, never deletes)
 * trigger:  intent pending? → list the deployment's savepoints, adopt ours, or trigger again
 *           status.id?       → GET it → STARTED: poll · COMPLETED: done
 *                                       FAILED: wait the backoff, trigger again · or give up
 *           nothing yet      → resolve the deployment → record intent → POST → report
 * ```
 */
import {
  ANNOTATION_PAUSED,
  DEFAULT_BACKOFF_LIMIT,
  DEFAULT_VVP_NAMESPACE,
  VP_DEPLOYMENT,
  VP_SAVEPOINT,
  type PendingOperation,
  type VpDeployment,
  type VpSavepoint,
  type VpSavepointStatus,
} from '../api';
import {
  TerminalError,
  exponentialDelay,
  findCondition,
  setCondition,
  toKubernetesTime,
  type ConditionUpdate,
  type EventSpec,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
} from '../controller';
import type { TokenResolver } from '../tokens';
import {
  DryRunWriteError,
  StateConflictError,
  NotFoundError,
  VvpCallAbortedError,
  type Savepoint,
  type VvpClient,
} from '../vvp';
import { readControls, type Controls } from './managed/control';
import { announceHeldBack } from './managed/dry-run';
import { classifyFailure } from './managed/failures';
import { CLOCK_SKEW_TOLERANCE_MS } from './managed/ownership';
import { VvpSession, tokenRequestFor } from './managed/session';
import { notReady, notSynced, ready, synced } from './managed/conditions';
import { recoveryRecorded } from './managed/recovery';
import type { DependencyIndex } from './managed/dependencies';

/** The VVP calls a VpSavepoint needs. */
export type SavepointVvp = Pick<VvpClient, 'savepoints'>;

export interface VpSavepointReconcilerOptions {
  vvp: SavepointVvp;
  tokens: TokenResolver;
  /** Filled with the VpDeployment each VpSavepoint names, for the VpDeployment watch. */
  dependencies?: DependencyIndex;
  /** Poll interval while a savepoint is STARTED (ms); 5 s. */
  pollMs?: number;
  /** Delay before the first retry of a FAILED savepoint (ms), doubling per attempt; 10 s. */
  retryInitialMs?: number;
  /** 5 min. */
  retryMaxMs?: number;
  /**
   * How long after an unanswered trigger its savepoint may still appear in VVP (a request VVP
   * was still working on when the client gave up); only after this is it sent again (ms). 30 s.
   */
  triggerSettleMs?: number;
  /** `--dry-run`: no trigger intent is recorded; the held-back trigger is reported. */
  dryRun?: boolean;
}

const DEFAULT_POLL_MS = 5_000;
const DEFAULT_RETRY_INITIAL_MS = 10_000;
const DEFAULT_RETRY_MAX_MS = 5 * 60_000;
/** Three times the VVP client's 10 s request timeout. */
const DEFAULT_TRIGGER_SETTLE_MS = 30_000;

/** The dependency key of a VpDeployment, for requeueing the VpSavepoints that name it. */
export function vpDeploymentDependency(namespace: string, name: string): string {
  return `VpDeployment ${namespace}/${name}`;
}

/** What an interrupted trigger would have made: a savepoint, or a registration of a location. */
export interface TriggerRequest {
  /** `spec.spec.savepointLocation`: a registration (origin COPIED) of that location. */
  savepointLocation?: string | undefined;
}

/**
 * Which VVP savepoint an interrupted trigger made (pure): of the deployment's savepoints, one
 * with origin USER_REQUEST (a registration: COPIED, of the same location) created at or after the intent (less the clock skew VVP and the
 * operator may have), newer than the attempt before it and claimed by no other VpSavepoint:
 * the first created at or after the intent, else the last one before it. VVP savepoints carry no owner mark, so a
 * savepoint someone else requested in the same seconds would be taken for ours: that errs
 * towards one savepoint too few, never one too many.
 */
export function findTriggeredSavepoint(
  savepoints: readonly Savepoint[],
  intent: PendingOperation,
  previous: Savepoint | undefined,
  claimed: ReadonlySet<string>,
  request: TriggerRequest = {},
): Savepoint | undefined {
  const location = request.savepointLocation;
  const intended = Date.parse(intent.startedAt);
  const earliest = intended - CLOCK_SKEW_TOLERANCE_MS;
  const previousId = previous?.metadata?.id;
  const previousCreated = timeOf(previous?.metadata?.createdAt);
  const candidates = savepoints.filter((savepoint) => {
    const id = savepoint.metadata?.id;
    const created = timeOf(savepoint.metadata?.createdAt);
    return (
      id !== undefined &&
      id !== previousId &&
      !claimed.has(id) &&
      (location === undefined
        ? savepoint.metadata?.origin === 'USER_REQUEST'
        : savepoint.metadata?.origin === 'COPIED' &&
          savepoint.spec?.savepointLocation === location) &&
      created >= earliest &&
      created >= previousCreated
    );
  });
  const byTime = candidates.sort(
    (a, b) => timeOf(a.metadata?.createdAt) - timeOf(b.metadata?.createdAt),
  );
  // The trigger follows its intent, so on agreeing clocks ours is the first one created at or
  // after it; only when there is none, the one closest before it (VVP's clock behind ours).
  return (
    byTime.find((savepoint) => timeOf(savepoint.metadata?.createdAt) >= intended) ?? byTime.at(-1)
  );
}

/** The wait before attempt `attempts + 1`, after `attempts` triggers (10 s, 20 s, 40 s …). */
export function retryDelay(attempts: number, initialMs: number, maxMs: number): number {
  return exponentialDelay({ baseDelayMs: initialMs, maxDelayMs: maxMs }, attempts - 1);
}

/** Takes, follows and retries VVP savepoints for VpSavepoints; see the module comment. */
export class VpSavepointReconciler implements Reconciler<VpSavepoint> {
  readonly #options: VpSavepointReconcilerOptions;

  constructor(options: VpSavepointReconcilerOptions) {
    this.#options = options;
  }

  reconcile(
    object: VpSavepoint,
    context: ReconcileContext<VpSavepoint>,
  ): Promise<ReconcileResult | undefined> {
    return new SavepointRun(this.#options, object, context).reconcile();
  }

  /**
   * The AppManager API (VVP 2.0–2.4) cannot delete savepoints, so both policies leave the VVP
   * record (and Flink's data) in place; `Delete` says so in a Warning Event rather than keeping
   * the finalizer for something that can never happen.
   */
  finalize(object: VpSavepoint, context: ReconcileContext<VpSavepoint>): Promise<undefined> {
    this.#options.dependencies?.forget(object);
    const id = object.status?.id ?? object.spec?.metadata?.id;
    const what = id === undefined ? 'No VVP savepoint was recorded' : `VVP savepoint ${id}`;
    const location = object.status?.location;
    const data = location === undefined ? '' : ` Its data stays at ${location}.`;
    const event: EventSpec =
      // Orphan is the default here (the machinery's default, Delete, is for other kinds).
      (object.spec?.deletionPolicy ?? 'Orphan') === 'Delete' && id !== undefined
        ? {
            type: 'Warning',
            reason: 'NotDeleted',
            action: 'Delete',
            note: `${what} was left in VVP: this VVP version's API cannot delete savepoints (deletionPolicy Delete needs one that can).${data}`,
          }
        : {
            type: 'Normal',
            reason: 'Orphaned',
            action: 'Delete',
            note: `${id === undefined ? what : `Left ${what} in VVP`}.${data}`,
          };
    void context.events.event(object, event);
    return Promise.resolve(undefined);
  }
}

/** What one report writes besides conditions, observedGeneration and the reconcile ack. */
interface Report {
  synced: ConditionUpdate;
  /** Omitted: Ready keeps its value (a VVP outage does not make a taken savepoint unready). */
  ready?: ConditionUpdate;
  /** Status members to set (undefined removes one). */
  status?: Partial<VpSavepointStatus>;
  /** Something was written to VVP in this reconcile. */
  wrote?: boolean;
}

class SavepointRun {
  readonly #options: VpSavepointReconcilerOptions;
  readonly #context: ReconcileContext<VpSavepoint>;
  readonly #controls: Controls;
  readonly #vvpNamespace: string;
  readonly #session: VvpSession;
  #object: VpSavepoint;
  /** The interrupted trigger this reconcile found the savepoint of, until that is recorded. */
  #recovery: { intent: PendingOperation; event: EventSpec } | undefined;

  constructor(
    options: VpSavepointReconcilerOptions,
    object: VpSavepoint,
    context: ReconcileContext<VpSavepoint>,
  ) {
    this.#options = options;
    this.#context = context;
    this.#object = object;
    this.#controls = readControls(object);
    this.#vvpNamespace = object.spec?.metadata?.namespace ?? DEFAULT_VVP_NAMESPACE;
    this.#session = new VvpSession(
      options.tokens,
      // VpSavepoints are namespaced: a referenced Secret is always in the CR's namespace.
      tokenRequestFor(object, this.#vvpNamespace, object.metadata?.namespace ?? ''),
      context.signal,
    );
    const ref = object.spec?.deploymentRef;
    options.dependencies?.record(
      object,
      ref === undefined ? [] : [vpDeploymentDependency(object.metadata?.namespace ?? '', ref.name)],
    );
  }

  async reconcile(): Promise<ReconcileResult | undefined> {
    const importId = this.#object.spec?.metadata?.id;
    if (importId !== undefined) return this.#observeImported(importId);
    const status = this.#object.status ?? {};
    const intent = status.pendingOperation;
    if (intent !== undefined) return this.#resolveIntent(intent);
    if (status.id !== undefined) {
      const current = await this.#read(status.id);
      if (current === undefined) return this.#lost(status.id);
      return this.#follow(current);
    }
    return this.#trigger(undefined);
  }

  // ---- import: observe only

  async #observeImported(id: string): Promise<ReconcileResult | undefined> {
    const savepoint = await this.#read(id);
    if (savepoint === undefined) {
      await this.#report({
        synced: notSynced(
          'NotFound',
          `VVP savepoint ${id} (spec.metadata.id) does not exist in VVP namespace "${this.#vvpNamespace}". Imports only observe: correct spec.metadata.id by creating a new VpSavepoint.`,
        ),
        ready: notReady('Unavailable', `VVP savepoint ${id} does not exist.`),
      });
      return undefined;
    }
    const state = savepoint.status?.state;
    await this.#report({
      synced: synced('Imported: observed only, never triggered.'),
      ready:
        state === 'COMPLETED'
          ? ready(`Savepoint at ${savepoint.spec?.savepointLocation ?? '?'}.`)
          : state === 'FAILED'
            ? notReady('Failed', `VVP reports the savepoint FAILED: ${failureText(savepoint)}.`)
            : notReady('Creating', 'VVP is taking the savepoint.'),
      status: observedStatus(savepoint),
    });
    return state === 'STARTED' ? { requeueAfter: this.#pollMs() } : undefined;
  }

  // ---- trigger, follow, retry

  /** An intent is recorded: the trigger may have reached VVP. Look before triggering again. */
  async #resolveIntent(intent: PendingOperation): Promise<ReconcileResult | undefined> {
    const status = this.#object.status ?? {};
    const previous = status.id === undefined ? undefined : await this.#read(status.id);
    const listed = await this.#vvpStep('list the deployment savepoints', async () =>
      (await this.#savepoints()).list({ deploymentId: intent.name }),
    );
    const found = findTriggeredSavepoint(listed, intent, previous, this.#claimedElsewhere(), {
      savepointLocation: this.#object.spec?.spec?.savepointLocation,
    });
    if (found === undefined) {
      if (this.#controls.paused) return this.#reportPaused();
      const settle = this.#options.triggerSettleMs ?? DEFAULT_TRIGGER_SETTLE_MS;
      const wait = Date.parse(intent.startedAt) + settle - this.#context.now().getTime();
      if (wait > 0) {
        await this.#report({
          synced: synced(''),
          ready: notReady(
            'Creating',
            `The savepoint trigger of ${intent.startedAt} got no answer and VVP lists no savepoint for it yet; it is sent again only if none appears within ${Math.round(settle / 1000)} s.`,
          ),
        });
        return { requeueAfter: Math.min(wait, this.#pollMs()) };
      }
      this.#context.logger.info(
        { deploymentId: intent.name, startedAt: intent.startedAt },
        'the interrupted savepoint trigger did not reach VVP; triggering it now',
      );
      return this.#recordAndPost(intent.name, status.attempts ?? 1);
    }
    // Announced only by the status write that records it (see recoveryRecorded).
    this.#recovery = {
      intent,
      event: {
        type: 'Normal',
        reason: 'Triggered',
        action: 'Trigger',
        note: `Found VVP savepoint ${found.metadata?.id ?? '?'}, triggered by an interrupted earlier reconcile; following it (no second savepoint was triggered).`,
      },
    };
    return this.#follow(found, { pendingOperation: undefined });
  }

  async #follow(
    savepoint: Savepoint,
    extra: Partial<VpSavepointStatus> = {},
    wrote = false,
  ): Promise<ReconcileResult | undefined> {
    const status = { ...observedStatus(savepoint), ...extra };
    const attempts = this.#object.status?.attempts ?? 1;
    switch (savepoint.status?.state) {
      case 'COMPLETED': {
        if (this.#object.status?.state !== 'COMPLETED') {
          this.#event(
            'Normal',
            'Completed',
            'Trigger',
            `VVP savepoint ${savepoint.metadata?.id ?? '?'} completed at ${savepoint.spec?.savepointLocation ?? '?'}.`,
          );
        }
        await this.#report({
          synced: synced(''),
          ready: ready(`Savepoint at ${savepoint.spec?.savepointLocation ?? '?'}.`),
          status,
          wrote,
        });
        return undefined;
      }
      case 'FAILED':
        return this.#failed(savepoint, status, attempts, wrote);
      default:
        await this.#report({
          wrote,
          synced: synced(''),
          ready: notReady(
            'Creating',
            `VVP is taking savepoint ${savepoint.metadata?.id ?? '?'} (attempt ${attempts}).`,
          ),
          status,
        });
        return { requeueAfter: this.#pollMs() };
    }
  }

  async #failed(
    savepoint: Savepoint,
    status: Partial<VpSavepointStatus>,
    attempts: number,
    wrote: boolean,
  ): Promise<ReconcileResult | undefined> {
    const limit = this.#object.spec?.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
    const why = failureText(savepoint);
    if (attempts > limit) {
      const message = `The savepoint failed ${attempts} time(s), the last time: ${why}. spec.backoffLimit (${limit}) is reached; the operator does not trigger it again. Create a new VpSavepoint to try again.`;
      if (
        findCondition(this.#object.status?.conditions, 'Ready')?.reason !== 'BackoffLimitExceeded'
      )
        this.#event('Warning', 'BackoffLimitExceeded', 'Trigger', message);
      await this.#report({
        synced: synced(''),
        ready: notReady('BackoffLimitExceeded', message),
        status,
        wrote,
      });
      return undefined;
    }
    const delay = retryDelay(attempts, this.#retryInitialMs(), this.#retryMaxMs());
    const last = Date.parse(this.#object.status?.lastAttemptTime ?? '');
    const wait = Number.isNaN(last) ? 0 : last + delay - this.#context.now().getTime();
    if (wait > 0) {
      const message = `Attempt ${attempts} of ${limit + 1} failed: ${why}. Triggering again in ${Math.ceil(wait / 1000)} s.`;
      if (this.#object.status?.state !== 'FAILED')
        this.#event('Warning', 'SavepointFailed', 'Trigger', message);
      await this.#report({
        synced: synced(''),
        ready: notReady('Creating', message),
        status,
        wrote,
      });
      return { requeueAfter: wait };
    }
    return this.#trigger(savepoint, status);
  }

  /** A new attempt: record the intent, then trigger. `previous` is the failed attempt. */
  async #trigger(
    previous: Savepoint | undefined,
    observed: Partial<VpSavepointStatus> = {},
  ): Promise<ReconcileResult | undefined> {
    const deploymentId = this.#resolveDeployment();
    if (deploymentId.problem !== undefined) {
      await this.#report({
        synced: notSynced('DependencyNotReady', deploymentId.problem),
        ready: notReady('Unavailable', 'No savepoint yet: the deployment is not known.'),
      });
      return undefined;
    }
    if (this.#controls.paused) {
      return this.#reportPaused();
    }
    const attempts = previous === undefined ? 1 : (this.#object.status?.attempts ?? 1) + 1;
    return this.#recordAndPost(deploymentId.id, attempts, observed);
  }

  /**
   * Records the intent to trigger a savepoint of `deploymentId` (attempt `attempts`), then
   * triggers it. Also used to send again a trigger that is known not to have reached VVP: the
   * intent then starts anew, as the earlier one left nothing behind.
   */
  async #recordAndPost(
    deploymentId: string,
    attempts: number,
    observed: Partial<VpSavepointStatus> = {},
  ): Promise<ReconcileResult | undefined> {
    const intent: PendingOperation = {
      operation: 'Create',
      vvpNamespace: this.#vvpNamespace,
      name: deploymentId,
      // Milliseconds, unlike metav1.Time: the intent is matched against VVP's creation times.
      startedAt: this.#context.now().toISOString(),
    };
    // Write-ahead: intent and attempt are in status before the trigger, with a resourceVersion
    // precondition, so neither a crash nor a reconcile from a stale cache can trigger twice.
    // A dry run records none: its trigger is held back, so no savepoint can be pending.
    if (this.#options.dryRun === true) return this.#post(intent, attempts);
    await this.#writeStatus({
      ...this.#object.status,
      ...observed,
      pendingOperation: intent,
      attempts,
      lastAttemptTime: intent.startedAt,
      deploymentId,
    });
    return this.#post(intent, attempts);
  }

  /** The one non-idempotent call; its intent is in status. */
  async #post(intent: PendingOperation, attempts: number): Promise<ReconcileResult | undefined> {
    const location = this.#object.spec?.spec?.savepointLocation;
    const annotations = this.#object.spec?.metadata?.annotations;
    let created: Savepoint;
    try {
      created = await (
        await this.#savepoints()
      ).create({
        apiVersion: 'v1',
        kind: 'Savepoint',
        metadata: {
          namespace: this.#vvpNamespace,
          deploymentId: intent.name,
          ...(annotations === undefined ? {} : { annotations }),
        },
        ...(location === undefined ? {} : { spec: { savepointLocation: location } }),
      });
    } catch (error) {
      return this.#triggerFailed(error, attempts, intent.name);
    }
    this.#event(
      'Normal',
      'Triggered',
      'Trigger',
      `Triggered VVP savepoint ${created.metadata?.id ?? '?'} of deployment ${intent.name} (attempt ${attempts}).`,
    );
    return this.#follow(created, { pendingOperation: undefined, attempts }, true);
  }

  /**
   * The trigger failed. VVP refused it (4xx): nothing was taken, so the intent is cleared and
   * the attempt not counted. No answer (5xx, timeout): it may have been taken, so the intent
   * stays and the next reconcile looks for it first.
   */
  async #triggerFailed(error: unknown, attempts: number, deploymentId: string): Promise<undefined> {
    if (error instanceof VvpCallAbortedError || this.#context.signal.aborted) throw error;
    if (error instanceof DryRunWriteError) {
      await this.#report({
        synced: announceHeldBack(
          {
            reason: 'WouldCreate',
            what: `a savepoint of VVP deployment ${deploymentId}`,
            fields: [],
            request: error,
          },
          { object: this.#object, logger: this.#context.logger, events: this.#context.events },
        ),
        ready: notReady('Unavailable', 'No savepoint taken: the operator runs with --dry-run.'),
      });
      return undefined;
    }
    const action = `trigger a savepoint in VVP namespace "${this.#vvpNamespace}"`;
    const failure = await classifyFailure(
      error,
      action,
      this.#locationForMessages(),
      this.#session,
    );
    const refused = failure.refused || error instanceof StateConflictError;
    const reason =
      error instanceof StateConflictError || error instanceof NotFoundError
        ? 'DependencyNotReady'
        : failure.reason;
    const message =
      error instanceof StateConflictError
        ? `VVP refused to ${action}: ${error.vvpMessage ?? error.message}. A savepoint needs a RUNNING deployment; the operator retries with backoff.`
        : failure.message;
    this.#warnOnChange(reason, message);
    await this.#report({
      synced: notSynced(reason, message),
      status: refused
        ? { pendingOperation: undefined, attempts: Math.max(0, attempts - 1) || undefined }
        : {},
    });
    if (failure.terminal) throw new TerminalError(message, { cause: error });
    throw error;
  }

  async #reportPaused(): Promise<undefined> {
    await this.#report({
      synced: notSynced(
        'Paused',
        `Paused by annotation ${ANNOTATION_PAUSED}: no savepoint is triggered until the annotation is removed.`,
      ),
    });
    return undefined;
  }

  /** The savepoint status.id names is gone from VVP (VVP cannot delete savepoints: a reset). */
  async #lost(id: string): Promise<ReconcileResult | undefined> {
    const message = `VVP savepoint ${id} no longer exists in VVP namespace "${this.#vvpNamespace}". The operator does not take another one on its own: create a new VpSavepoint for that.`;
    this.#warnOnChange('NotFound', message);
    await this.#report({
      synced: notSynced('NotFound', message),
      ready: notReady('Unavailable', message),
    });
    return undefined;
  }

  // ---- plumbing

  #resolveDeployment(): { id: string; problem?: undefined } | { id?: undefined; problem: string } {
    const direct = this.#object.spec?.metadata?.deploymentId;
    if (direct !== undefined) return { id: direct };
    const ref = this.#object.spec?.deploymentRef;
    if (ref === undefined) {
      return { problem: 'Name the deployment: spec.deploymentRef or spec.metadata.deploymentId.' };
    }
    const namespace = this.#object.metadata?.namespace;
    const deployment = this.#context.cache.get<VpDeployment>(VP_DEPLOYMENT, ref.name, namespace);
    if (deployment === undefined) {
      return {
        problem: `VpDeployment "${ref.name}" (spec.deploymentRef) does not exist in namespace "${namespace ?? ''}"; the savepoint is triggered once it exists and has a VVP deployment.`,
      };
    }
    const id = deployment.status?.id;
    if (id === undefined) {
      return {
        problem: `VpDeployment "${ref.name}" (spec.deploymentRef) has no VVP deployment yet; the savepoint is triggered once it has.`,
      };
    }
    const vvpNamespace = deployment.spec?.metadata?.namespace ?? DEFAULT_VVP_NAMESPACE;
    if (vvpNamespace !== this.#vvpNamespace) {
      return {
        problem: `VpDeployment "${ref.name}" is in VVP namespace "${vvpNamespace}", but spec.metadata.namespace is "${this.#vvpNamespace}": set spec.metadata.namespace to "${vvpNamespace}" (in a new VpSavepoint).`,
      };
    }
    return { id };
  }

  /** Savepoint ids other VpSavepoints of this namespace follow or import. */
  #claimedElsewhere(): Set<string> {
    const uid = this.#object.metadata?.uid;
    const claimed = new Set<string>();
    for (const other of this.#context.cache.list<VpSavepoint>(
      VP_SAVEPOINT,
      this.#object.metadata?.namespace,
    )) {
      if (other.metadata?.uid === uid) continue;
      for (const id of [other.status?.id, other.spec?.metadata?.id]) {
        if (id !== undefined) claimed.add(id);
      }
    }
    return claimed;
  }

  async #read(id: string): Promise<Savepoint | undefined> {
    return this.#vvpStep(`read VVP savepoint ${id}`, async () => {
      try {
        return await (await this.#savepoints()).get(id);
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    });
  }

  /** Runs a read; a failure is reported (Synced=False, Ready kept) and rethrown for backoff. */
  async #vvpStep<R>(action: string, run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof VvpCallAbortedError || this.#context.signal.aborted) throw error;
      const failure = await classifyFailure(
        error,
        action,
        this.#locationForMessages(),
        this.#session,
      );
      this.#warnOnChange(failure.reason, failure.message);
      await this.#report({ synced: notSynced(failure.reason, failure.message) });
      if (failure.terminal) throw new TerminalError(failure.message, { cause: error });
      throw error;
    }
  }

  async #savepoints(): Promise<ReturnType<SavepointVvp['savepoints']>> {
    return this.#options.vvp.savepoints(this.#vvpNamespace, await this.#session.appManager());
  }

  /** The one status write of a reconcile, see {@link #writeStatus}. */
  async #report(report: Report): Promise<void> {
    const previous = this.#object.status ?? {};
    const now = this.#context.now();
    const generation = this.#object.metadata?.generation;
    const at = { now, ...(generation === undefined ? {} : { observedGeneration: generation }) };
    let conditions = previous.conditions;
    const readyUpdate =
      report.ready ??
      (findCondition(conditions, 'Ready') === undefined
        ? notReady('Unavailable', 'Not observed in VVP yet.')
        : undefined);
    if (readyUpdate !== undefined) conditions = setCondition(conditions, readyUpdate, at);
    conditions = setCondition(conditions, report.synced, at);
    const status: Record<string, unknown> = {
      ...previous,
      ...report.status,
      observedGeneration: generation,
      conditions,
      lastSyncTime: report.wrote === true ? toKubernetesTime(now) : previous.lastSyncTime,
      lastHandledReconcileAt:
        this.#controls.reconcileRequestedAt ?? previous.lastHandledReconcileAt,
    };
    await this.#writeStatus(status);
  }

  /**
   * Writes status; nothing is written when nothing changed. Always with a resourceVersion
   * precondition: what a reconcile decides about an intent or an attempt from an object of a
   * stale cache (whose latest status write has not arrived yet) must not land; the core retries
   * on the conflict with the current object. The write that records a recovery announces it.
   */
  async #writeStatus(desired: Record<string, unknown>): Promise<void> {
    const before = this.#object;
    const resourceVersion = before.metadata?.resourceVersion;
    this.#object = await this.#context.client.patchStatus(
      before,
      desired,
      resourceVersion === undefined ? {} : { resourceVersion },
    );
    const recovery = this.#recovery;
    if (recovery !== undefined && recoveryRecorded(before, this.#object, recovery.intent)) {
      this.#recovery = undefined;
      void this.#context.events.event(this.#object, recovery.event);
    }
  }

  #event(type: 'Normal' | 'Warning', reason: string, action: string, note: string): void {
    void this.#context.events.event(this.#object, { type, reason, action, note });
  }

  /** A Warning when the Synced reason changes to `reason`, not on every retry. */
  #warnOnChange(reason: string, note: string): void {
    if (findCondition(this.#object.status?.conditions, 'Synced')?.reason === reason) return;
    this.#event('Warning', reason, 'Reconcile', note);
  }

  #locationForMessages(): { vvpNamespace: string; name: string } {
    return { vvpNamespace: this.#vvpNamespace, name: this.#object.metadata?.name ?? '' };
  }

  #pollMs(): number {
    return this.#options.pollMs ?? DEFAULT_POLL_MS;
  }

  #retryInitialMs(): number {
    return this.#options.retryInitialMs ?? DEFAULT_RETRY_INITIAL_MS;
  }

  #retryMaxMs(): number {
    return this.#options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS;
  }
}

/** The status members a VVP savepoint fills. */
function observedStatus(savepoint: Savepoint): Partial<VpSavepointStatus> {
  const metadata = savepoint.metadata ?? {};
  return {
    id: metadata.id,
    resourceVersion: metadata.resourceVersion,
    state: savepoint.status?.state,
    deploymentId: metadata.deploymentId,
    jobId: metadata.jobId,
    location: savepoint.spec?.savepointLocation,
    origin: metadata.origin,
    failure: savepoint.status?.failure,
  };
}

function timeOf(time: string | undefined): number {
  const parsed = Date.parse(time ?? '');
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}

function failureText(savepoint: Savepoint): string {
  const failure = savepoint.status?.failure;
  return failure?.message ?? failure?.reason ?? 'VVP gave no reason';
}
