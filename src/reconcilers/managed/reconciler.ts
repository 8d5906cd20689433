import {
  TerminalError,
  exponentialDelay,
  setCondition,
  toKubernetesTime,
  findCondition,
  type ConditionUpdate,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
} from '../../controller';
import {
  ANNOTATION_ADOPT,
  ANNOTATION_FORCE_ORPHAN,
  ANNOTATION_PAUSED,
  OWNER_LABELS,
  type PendingOperation,
} from '../../api';
import type { TokenResolver } from '../../tokens';
import { DryRunWriteError, StateConflictError, VvpCallAbortedError } from '../../vvp';
import { readControls, type Controls } from './control';
import { announceHeldBack, type WouldWrite } from './dry-run';
import { DependencyIndex, secretDependency, vvpNamespaceDependency } from './dependencies';
import { classifyFailure } from './failures';
import { judgeOwnership, ownerLabelsFor, type Ownership } from './ownership';
import { recoveryRecorded } from './recovery';
import { VvpSession, tokenRequestFor } from './session';
import { notReady, notSynced, synced } from './conditions';
import type {
  ExternalClient,
  ExternalIdentity,
  ExternalReport,
  ManagedKind,
  ManagedResource,
  VvpLocation,
} from './types';

export interface ManagedReconcilerOptions<T extends ManagedResource, O> {
  kind: ManagedKind<T, O>;
  tokens: TokenResolver;
  /** `--instance-id`, written into owner labels. */
  instanceId?: string | undefined;
  /** Where Secrets named by cluster-scoped CRs live: the operator's own namespace. */
  operatorNamespace: string;
  /** Filled with each CR's dependencies, for the secondary watches that requeue dependants. */
  dependencies?: DependencyIndex;
  /** Poll interval while VVP is transitioning (ms); 5 s by default. */
  transitionPollMs?: number;
  /** A blocked deletion is retried after this (ms), doubling up to `blockedRetryMaxMs`; 10 s. */
  blockedRetryInitialMs?: number;
  /** 5 min by default. */
  blockedRetryMaxMs?: number;
  /** How often a paused object being deleted is looked at again (ms); 5 min by default. */
  pausedDeletionPollMs?: number;
  /**
   * `--dry-run` (the VVP client holds back every write): no create intent is recorded, and
   * each held-back write is reported (see ./dry-run.ts) instead of acted on.
   */
  dryRun?: boolean;
}

const DEFAULT_TRANSITION_POLL_MS = 5_000;
const DEFAULT_BLOCKED_RETRY_INITIAL_MS = 10_000;
const DEFAULT_BLOCKED_RETRY_MAX_MS = 5 * 60_000;
const MAX_REMEMBERED_BLOCKED = 4096;

/**
 * The one managed-resource reconciler every kind runs on. Each reconcile goes observe (what
 * exists in VVP) → judge ownership → diff (the fields the CR manages) → act (create, update or
 * delete only the difference) → report (one status write; Events). The kind supplies only its
 * VVP calls ({@link ManagedKind}, {@link ExternalClient}).
 *
 * Status: `lastSyncTime` changes only when the operator wrote to VVP or Synced became True for
 * a new generation, so a steady state makes no status write (and, diffing to nothing, no VVP
 * write either): reads only. `lastHandledReconcileAt` echoes the reconcile-requested-at
 * annotation once a reconcile for it has reported.
 */
export class ManagedReconciler<T extends ManagedResource, O> implements Reconciler<T> {
  readonly #options: ManagedReconcilerOptions<T, O>;
  /** Consecutive blocked deletion attempts per object uid, for growing retry delays. */
  readonly #blockedAttempts = new Map<string, number>();

  constructor(options: ManagedReconcilerOptions<T, O>) {
    this.#options = options;
  }

  reconcile(object: T, context: ReconcileContext<T>): Promise<ReconcileResult | undefined> {
    return new ReconcileRun(this.#options, object, context).reconcile();
  }

  async finalize(object: T, context: ReconcileContext<T>): Promise<ReconcileResult | undefined> {
    const run = new ReconcileRun(this.#options, object, context);
    const result = await run.finalize(this.#blockedRetryDelay(object));
    if (result === undefined) {
      this.#forgetBlocked(object);
      this.#options.dependencies?.forget(object);
    }
    return result;
  }

  /** The delay for the next retry of a blocked deletion, counting this attempt. */
  #blockedRetryDelay(object: T): () => number {
    return () => {
      const uid = object.metadata?.uid ?? '';
      const attempts = this.#blockedAttempts.get(uid) ?? 0;
      this.#blockedAttempts.delete(uid);
      this.#blockedAttempts.set(uid, attempts + 1);
      if (this.#blockedAttempts.size > MAX_REMEMBERED_BLOCKED) {
        const oldest = this.#blockedAttempts.keys().next();
        if (oldest.done !== true) this.#blockedAttempts.delete(oldest.value);
      }
      return exponentialDelay(
        {
          baseDelayMs: this.#options.blockedRetryInitialMs ?? DEFAULT_BLOCKED_RETRY_INITIAL_MS,
          maxDelayMs: this.#options.blockedRetryMaxMs ?? DEFAULT_BLOCKED_RETRY_MAX_MS,
        },
        attempts,
      );
    };
  }

  #forgetBlocked(object: T): void {
    this.#blockedAttempts.delete(object.metadata?.uid ?? '');
  }
}

/** What one report writes besides the conditions. */
interface Report<O> {
  synced: ConditionUpdate;
  /** Omitted: Ready keeps its value (a VVP outage does not make a working object unready). */
  ready?: ConditionUpdate;
  /** The VVP object this CR manages, as last seen; omitted when it has none (or not yet). */
  managed?: { identity: ExternalIdentity; external: ExternalReport; observed: O };
  /** Something was written to VVP in this reconcile. */
  wrote?: boolean;
  adopted?: boolean;
  /** The pending create intent: resolved (cleared) or kept. */
  intent: 'clear' | 'keep';
  /** The recorded VVP id no longer names anything (the object is gone). */
  forgetId?: boolean;
  /** Drift repaired in this reconcile: the CR paths VVP had changed behind our back. */
  drifted?: readonly string[];
  /** The intent of an interrupted earlier create whose object this reconcile found. */
  recovering?: PendingOperation;
}

/** How far a reconcile got before its report. */
interface Progress {
  adopted: boolean;
  wrote: boolean;
  /** See {@link Report.recovering}. */
  recovering?: PendingOperation;
}

/** One reconcile (or finalize) of one CR: the object as last written, and the means to act. */
class ReconcileRun<T extends ManagedResource, O> {
  readonly #options: ManagedReconcilerOptions<T, O>;
  readonly #context: ReconcileContext<T>;
  readonly #kind: ManagedKind<T, O>;
  readonly #controls: Controls;
  readonly #location: VvpLocation;
  readonly #session: VvpSession;
  /** The CR as the API server last returned it; every write goes over the latest. */
  #object: T;
  #client: ExternalClient<O> | undefined;

  constructor(options: ManagedReconcilerOptions<T, O>, object: T, context: ReconcileContext<T>) {
    this.#options = options;
    this.#context = context;
    this.#kind = options.kind;
    this.#object = object;
    this.#controls = readControls(object);
    this.#location = options.kind.locate(object);
    const request = tokenRequestFor(object, this.#location.vvpNamespace, options.operatorNamespace);
    this.#session = new VvpSession(options.tokens, request, context.signal);
    options.dependencies?.record(object, [
      vvpNamespaceDependency(this.#location.vvpNamespace),
      ...(request.secretRef === undefined
        ? []
        : [secretDependency(request.secretRef.namespace, request.secretRef.name)]),
      ...(options.kind.dependencies?.(object) ?? []),
    ]);
  }

  async reconcile(): Promise<ReconcileResult | undefined> {
    const problems = this.#kind.validate(this.#object);
    if (problems.length > 0) {
      const message = `Invalid spec: ${problems.join(' ')}`;
      await this.#report({ synced: notSynced('InvalidSpec', message), intent: 'keep' });
      throw new TerminalError(`${this.#describe()}: ${message}`);
    }
    const client = this.#connect();
    const observed = await this.#step(`read ${this.#describe()}`, () => client.observe());
    if (observed === undefined) return this.#whenAbsent(client);
    const identity = client.identify(observed);
    const ownership = judgeOwnership(this.#object, this.#location, identity);
    if (ownership.owner === 'other')
      return this.#whenForeign(client, observed, identity, ownership);
    const intent = this.#object.status?.pendingOperation;
    // An intent without an id: the create it announced may have reached VVP, and this is its
    // object. Announced only by the status write that records it (see recoveryRecorded).
    const recovering = intent !== undefined && this.#object.status?.id === undefined;
    return this.#manage(client, observed, {
      adopted: false,
      wrote: false,
      ...(recovering ? { recovering: intent } : {}),
    });
  }

  async finalize(nextBlockedDelay: () => number): Promise<ReconcileResult | undefined> {
    if (this.#controls.forceOrphan) {
      this.#event(
        'Warning',
        'ForceOrphaned',
        'Delete',
        `Left ${this.#describe()} in VVP as it is, without finishing deletionPolicy ${this.#controls.deletionPolicy}: annotation ${ANNOTATION_FORCE_ORPHAN} is "true". Clean it up in VVP if it should not stay.`,
      );
      return undefined;
    }
    if (this.#controls.deletionPolicy === 'Orphan') {
      this.#event(
        'Normal',
        'Orphaned',
        'Delete',
        `Left ${this.#describe()} in VVP (deletionPolicy Orphan).`,
      );
      return undefined;
    }
    if (this.#controls.paused) {
      await this.#report({
        synced: notSynced(
          'Paused',
          `Paused by annotation ${ANNOTATION_PAUSED}: ${this.#describe()} is deleted once the annotation is removed (or set deletionPolicy: Orphan to leave it).`,
        ),
        intent: 'keep',
      });
      return { requeueAfter: this.#options.pausedDeletionPollMs ?? DEFAULT_BLOCKED_RETRY_MAX_MS };
    }
    const client = this.#connect();
    const observed = await this.#step(`read ${this.#describe()}`, () => client.observe());
    if (observed === undefined) {
      await this.#afterDeletion(client);
      return undefined;
    }
    const identity = client.identify(observed);
    if (judgeOwnership(this.#object, this.#location, identity).owner === 'other') {
      this.#event(
        'Normal',
        'NotDeleted',
        'Delete',
        `Left ${this.#describe()} in VVP: this ${this.#kind.resource.kind} did not create or adopt it.`,
      );
      return undefined;
    }
    let outcome: Awaited<ReturnType<ExternalClient<O>['delete']>>;
    try {
      outcome = await this.#step(`delete ${this.#describe()}`, () => client.delete(observed));
    } catch (error) {
      if (!(error instanceof DryRunWriteError)) throw error;
      // Kept like a paused deletion: the finalizer stays until the operator may write.
      await this.#report({ synced: this.#heldBack('WouldDelete', error), intent: 'keep' });
      return { requeueAfter: this.#options.pausedDeletionPollMs ?? DEFAULT_BLOCKED_RETRY_MAX_MS };
    }
    switch (outcome.outcome) {
      case 'deleted':
        this.#event('Normal', 'Deleted', 'Delete', `Deleted ${this.#describe()}.`);
        await this.#afterDeletion(client);
        return undefined;
      case 'inProgress':
        await this.#report({
          synced: synced(`Deletion of ${this.#describe()} is in progress in VVP.`),
          ready: outcome.ready,
          intent: 'keep',
        });
        return { requeueAfter: this.#transitionPollMs() };
      case 'blocked': {
        const delay = nextBlockedDelay();
        const message = `${outcome.message} Retrying in ${Math.round(delay / 1000)} s.`;
        this.#warnOnChange(outcome.reason, 'Delete', outcome.message);
        await this.#report({
          synced: notSynced(outcome.reason, message),
          ready: {
            type: 'Ready',
            status: 'False',
            reason: 'Deleting',
            message: `Deleting ${this.#describe()}: blocked.`,
          },
          intent: 'keep',
        });
        return { requeueAfter: delay };
      }
    }
  }

  // ---- reconcile steps

  async #whenAbsent(client: ExternalClient<O>): Promise<ReconcileResult | undefined> {
    const status = this.#object.status;
    const lost = status?.id !== undefined;
    if (this.#controls.paused) {
      const what = lost
        ? `${this.#describe()} no longer exists in VVP`
        : `${this.#describe()} does not exist in VVP`;
      await this.#report({
        synced: notSynced(
          'Paused',
          `Paused by annotation ${ANNOTATION_PAUSED}: ${what}; not creating it until the annotation is removed.`,
        ),
        ready: notReady('Unavailable', `${what}.`),
        intent: 'keep',
      });
      return undefined;
    }
    if (lost) {
      this.#event(
        'Warning',
        'NotFound',
        'Create',
        `${this.#describe()} (id ${status.id ?? ''}) was deleted in VVP behind the operator's back; creating it again.`,
      );
    }
    const intent: PendingOperation = {
      operation: 'Create',
      vvpNamespace: this.#location.vvpNamespace,
      name: this.#location.name,
      startedAt: toKubernetesTime(this.#context.now()),
    };
    const previous = status?.pendingOperation;
    const sameIntent =
      previous?.vvpNamespace === intent.vvpNamespace && previous.name === intent.name;
    // Write-ahead: the intent is stored before the non-idempotent create, with a
    // resourceVersion precondition so a reconcile working from a stale cache cannot lose it.
    // A dry run records no intent: it would prove ownership of whatever appears there later.
    const resourceVersion = this.#object.metadata?.resourceVersion;
    if (this.#options.dryRun !== true) {
      this.#object = await this.#context.client.patchStatus(
        this.#object,
        {
          ...status,
          id: undefined,
          resourceVersion: undefined,
          pendingOperation: sameIntent ? previous : intent,
        },
        resourceVersion === undefined ? {} : { resourceVersion },
      );
    }
    let created: O;
    try {
      created = await client.create();
    } catch (error) {
      if (error instanceof DryRunWriteError) {
        await this.#report({
          synced: this.#heldBack('WouldCreate', error),
          ready: notReady('Unavailable', `${this.#describe()} does not exist in VVP.`),
          intent: 'keep',
        });
        return undefined;
      }
      if (error instanceof StateConflictError) return this.#createConflict(client);
      return this.#fail(error, `create ${this.#describe()}`, 'clearIfRefused');
    }
    this.#event('Normal', 'Created', 'Create', `Created ${this.#describe()}.`);
    return this.#manage(client, created, { adopted: false, wrote: true });
  }

  /**
   * VVP says the object exists although we just saw none: someone else created it in between.
   * Ours only if it carries our owner label (kinds without labels: never).
   */
  async #createConflict(client: ExternalClient<O>): Promise<ReconcileResult | undefined> {
    const observed = await this.#step(`read ${this.#describe()}`, () => client.observe());
    if (observed === undefined) {
      throw new Error(
        `${this.#describe()}: VVP answered 409 to the create but the object cannot be read; retrying`,
      );
    }
    const identity = client.identify(observed);
    const uid = this.#object.metadata?.uid;
    const ours = identity.labels !== undefined && identity.labels[OWNER_LABELS.uid] === uid;
    if (ours) return this.#manage(client, observed, { adopted: false, wrote: true });
    return this.#whenForeign(client, observed, identity, { owner: 'other', holder: undefined });
  }

  async #whenForeign(
    client: ExternalClient<O>,
    observed: O,
    identity: ExternalIdentity,
    ownership: Extract<Ownership, { owner: 'other' }>,
  ): Promise<ReconcileResult | undefined> {
    const held =
      ownership.holder === undefined
        ? 'that the operator did not create'
        : `owned by ${ownership.holder}`;
    if (!this.#controls.adopt) {
      const message = `${this.#describe()} already exists in VVP ${held}; it is left untouched. To manage it with this ${this.#kind.resource.kind}, keeping its state, annotate it with ${ANNOTATION_ADOPT}: "true".`;
      this.#warnOnChange('AlreadyExists', 'Create', message);
      await this.#report({
        synced: notSynced('AlreadyExists', message),
        ready: notReady(
          'Unavailable',
          `${this.#describe()} is not managed by this ${this.#kind.resource.kind}.`,
        ),
        intent: 'clear',
      });
      return undefined;
    }
    if (this.#controls.paused) {
      await this.#report({
        synced: notSynced(
          'Paused',
          `Paused by annotation ${ANNOTATION_PAUSED}: ${this.#describe()} exists in VVP ${held} and will be adopted once the annotation is removed.`,
        ),
        intent: 'clear',
      });
      return undefined;
    }
    this.#event(
      'Normal',
      this.#options.dryRun === true ? 'WouldAdopt' : 'Adopted',
      'Adopt',
      `${this.#options.dryRun === true ? 'Would adopt (--dry-run)' : 'Adopted'} ${this.#describe()} (id ${identity.id}), which existed in VVP ${held}; its state is kept.`,
    );
    return this.#manage(client, observed, { adopted: true, wrote: false });
  }

  async #manage(
    client: ExternalClient<O>,
    observed: O,
    progress: Progress,
  ): Promise<ReconcileResult | undefined> {
    let current = observed;
    const paths = client.diff(current);
    const drifted = this.#isDrift(client.identify(current), progress) ? paths : [];
    if (paths.length > 0 && this.#controls.paused) {
      return this.#finish(client, current, {
        ...progress,
        synced: notSynced(
          'Paused',
          `Paused by annotation ${ANNOTATION_PAUSED}: VVP differs from the spec at ${paths.join(', ')}; not updating until the annotation is removed.`,
        ),
      });
    }
    if (paths.length > 0) {
      let outcome: Awaited<ReturnType<ExternalClient<O>['update']>>;
      try {
        outcome = await this.#step(`update ${this.#describe()}`, () =>
          client.update(current, paths),
        );
      } catch (error) {
        if (!(error instanceof DryRunWriteError)) throw error;
        return this.#finish(client, current, {
          ...progress,
          synced: this.#heldBack('WouldUpdate', error, paths),
        });
      }
      if (outcome.outcome === 'refused') {
        return this.#finish(client, current, {
          ...progress,
          synced: notSynced(outcome.reason, outcome.message),
        });
      }
      current = outcome.observed;
      if (drifted.length > 0) {
        this.#event(
          'Warning',
          'Drifted',
          'Update',
          `${this.#describe()} was changed in VVP behind the operator's back at ${drifted.join(', ')}; repaired: ${outcome.note}`,
        );
      } else {
        this.#event('Normal', 'Updated', 'Update', `Updated ${this.#describe()}: ${outcome.note}`);
      }
    }
    const pausedNote = this.#controls.paused
      ? notSynced('Paused', `Paused by annotation ${ANNOTATION_PAUSED}; VVP matches the spec.`)
      : synced('');
    return this.#finish(client, current, {
      ...progress,
      wrote: progress.wrote || paths.length > 0,
      synced: pausedNote,
      drifted,
    });
  }

  /**
   * VVP differs on managed fields although this very generation was synced with this very
   * object: someone changed it in VVP. (A new generation, a create or an adoption is not drift.)
   */
  #isDrift(identity: ExternalIdentity, progress: Progress): boolean {
    if (progress.adopted || progress.wrote || this.#controls.paused) return false;
    const status = this.#object.status;
    const wasSynced = findCondition(status?.conditions, 'Synced');
    return (
      status?.id === identity.id &&
      status.pendingOperation === undefined &&
      wasSynced?.status === 'True' &&
      wasSynced.observedGeneration === this.#object.metadata?.generation
    );
  }

  async #finish(
    client: ExternalClient<O>,
    observed: O,
    outcome: Progress & { synced: ConditionUpdate; drifted?: readonly string[] },
  ): Promise<ReconcileResult | undefined> {
    const external = client.report(observed);
    await this.#report({
      synced: outcome.synced,
      ready: external.ready,
      managed: { identity: client.identify(observed), external, observed },
      wrote: outcome.wrote,
      adopted: outcome.adopted,
      intent: 'clear',
      ...(outcome.drifted === undefined ? {} : { drifted: outcome.drifted }),
      ...(outcome.recovering === undefined ? {} : { recovering: outcome.recovering }),
    });
    return external.transitioning ? { requeueAfter: this.#transitionPollMs() } : undefined;
  }

  // ---- plumbing

  #connect(): ExternalClient<O> {
    this.#client ??= this.#kind.connect(this.#object, {
      session: this.#session,
      ownerLabels: ownerLabelsFor(this.#object, this.#options.instanceId),
      logger: this.#context.logger,
      cache: this.#context.cache,
      event: (event) => {
        void this.#context.events.event(this.#object, event);
      },
      events: this.#context.events,
    });
    return this.#client;
  }

  /** Runs one VVP step; a failure is reported and rethrown (see {@link #fail}). */
  async #step<R>(action: string, run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (error) {
      return this.#fail(error, action, 'keep');
    }
  }

  /**
   * Reports a failed step (Synced=False, Ready unchanged), then rethrows: the core retries with
   * backoff (and honours `retryAfterMs`), or stops retrying until the spec changes when the
   * failure is terminal. An aborted call is not a failure of the object: nothing is written.
   */
  async #fail(error: unknown, action: string, intent: 'keep' | 'clearIfRefused'): Promise<never> {
    if (error instanceof VvpCallAbortedError || this.#context.signal.aborted) throw error;
    // Held back by --dry-run: the act step that tried it reports it.
    if (error instanceof DryRunWriteError) throw error;
    const failure = await classifyFailure(error, action, this.#location, this.#session);
    this.#warnOnChange(failure.reason, 'Reconcile', failure.message);
    await this.#report({
      synced: notSynced(failure.reason, failure.message),
      intent: intent === 'clearIfRefused' && failure.refused ? 'clear' : 'keep',
    });
    if (failure.terminal)
      throw new TerminalError(`${this.#describe()}: ${failure.message}`, { cause: error });
    throw error;
  }

  /** The one status write of a reconcile; skipped by the core when nothing changed. */
  async #report(report: Report<O>): Promise<void> {
    const previous = this.#object.status ?? {};
    const now = this.#context.now();
    const generation = this.#object.metadata?.generation;
    const at = { now, ...(generation === undefined ? {} : { observedGeneration: generation }) };
    let conditions = previous.conditions;
    const ready =
      report.ready ??
      (findCondition(conditions, 'Ready') === undefined
        ? {
            type: 'Ready',
            status: 'Unknown' as const,
            reason: 'Unavailable',
            message: 'Not observed in VVP yet.',
          }
        : undefined);
    if (ready !== undefined) conditions = setCondition(conditions, ready, at);
    const wasSynced = findCondition(previous.conditions, 'Synced');
    conditions = setCondition(conditions, report.synced, at);
    if (report.drifted !== undefined && report.drifted.length > 0) {
      // Kept as the record of the last repair; the Event was posted once, with it.
      conditions = setCondition(
        conditions,
        {
          type: 'Drifted',
          status: 'True',
          reason: 'DriftRepaired',
          message: `VVP differed from the spec at ${report.drifted.join(', ')} (changed outside the operator) and was repaired at ${toKubernetesTime(now)}.`,
        },
        at,
      );
    }
    const newlySynced =
      report.synced.status === 'True' &&
      (wasSynced?.status !== 'True' || wasSynced.observedGeneration !== generation);
    const managed = report.managed;
    const status: Record<string, unknown> = {
      ...previous,
      ...(managed?.external.status ?? {}),
      observedGeneration: generation,
      conditions,
      lastSyncTime:
        report.synced.status === 'True' && (report.wrote === true || newlySynced)
          ? toKubernetesTime(now)
          : previous.lastSyncTime,
      lastHandledReconcileAt:
        this.#controls.reconcileRequestedAt ?? previous.lastHandledReconcileAt,
      pendingOperation: report.intent === 'clear' ? undefined : previous.pendingOperation,
    };
    if (managed !== undefined) {
      status.id = managed.identity.id;
      status.resourceVersion = managed.identity.resourceVersion;
    }
    if (report.adopted === true) status.adopted = true;
    const before = this.#object;
    const { recovering } = report;
    // Resolving an intent read from the cache: only over the version it was read from.
    const resourceVersion = recovering === undefined ? undefined : before.metadata?.resourceVersion;
    this.#object = await this.#context.client.patchStatus(
      before,
      status,
      resourceVersion === undefined ? {} : { resourceVersion },
    );
    if (recovering !== undefined && recoveryRecorded(before, this.#object, recovering)) {
      this.#event(
        'Normal',
        'Created',
        'Create',
        `Found ${this.#describe()}, created by an interrupted earlier reconcile; managing it (no second object was created).`,
      );
    }
  }

  async #afterDeletion(client: ExternalClient<O>): Promise<void> {
    if (client.afterDeletion === undefined) return;
    try {
      await this.#step(
        `clean up after ${this.#describe()}`,
        () => client.afterDeletion?.() ?? Promise.resolve(),
      );
    } catch (error) {
      // The VVP object is gone already; what cleanup would delete (an owner token) stays.
      if (!(error instanceof DryRunWriteError)) throw error;
      this.#heldBack('WouldDelete', error);
    }
  }

  /** Announces a write `--dry-run` held back; returns the Synced condition that reports it. */
  #heldBack(
    reason: WouldWrite,
    request: DryRunWriteError,
    fields: readonly string[] = [],
  ): ConditionUpdate {
    return announceHeldBack(
      { reason, what: this.#describe(), fields, request },
      { object: this.#object, logger: this.#context.logger, events: this.#context.events },
    );
  }

  #event(type: 'Normal' | 'Warning', reason: string, action: string, note: string): void {
    // The recorder never throws; an Event is not worth delaying the reconcile for.
    void this.#context.events.event(this.#object, { type, reason, action, note });
  }

  /**
   * A Warning Event when the Synced reason changes to `reason`; a condition that stays (a
   * foreign object, an outage in backoff) is not re-announced on every retry or resync.
   */
  #warnOnChange(reason: string, action: string, note: string): void {
    if (findCondition(this.#object.status?.conditions, 'Synced')?.reason === reason) return;
    this.#event('Warning', reason, action, note);
  }

  #transitionPollMs(): number {
    return this.#options.transitionPollMs ?? DEFAULT_TRANSITION_POLL_MS;
  }

  #describe(): string {
    return describeLocation(this.#kind.resource.kind, this.#location);
  }
}

/** `VVP deployment target "team-a/flink"`, from the CR kind. */
function describeLocation(kind: string, location: VvpLocation): string {
  const what = kind
    .replace(/^Vp/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  const where =
    location.vvpNamespace === location.name
      ? location.name
      : `${location.vvpNamespace}/${location.name}`;
  return `VVP ${what} "${where}"`;
}
