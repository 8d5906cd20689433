import {
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import type { Logger } from '../logging';
import { jittered, type RandomSource } from './backoff';
import { sleep, type Clock } from './clock';
import { describeError, isConflict, isNotFound } from './errors';
import type { PlainObjectOf } from './kube-object';

/** The state of a coordination.k8s.io/v1 Lease that leader election reads and writes. */
export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** Epoch ms. */
  acquireTime: number;
  /** Epoch ms. */
  renewTime: number;
  leaseTransitions: number;
  /** Optimistic-lock token of the stored Lease. */
  resourceVersion?: string;
}

/** Storage of the lease record; {@link KubernetesLeaseLock} in production, fakes in tests. */
export interface LeaseLock {
  /** The current record, or undefined when no Lease exists. */
  get(): Promise<LeaseRecord | undefined>;
  /** Creates the Lease; rejects with 409 when it exists. */
  create(record: LeaseRecord): Promise<LeaseRecord>;
  /** Replaces the Lease if `record.resourceVersion` is current; rejects with 409 otherwise. */
  update(record: LeaseRecord): Promise<LeaseRecord>;
  /** Identifies the lock in logs and metrics: `namespace/name`. */
  readonly description: string;
}

/** A {@link LeaseLock} on a coordination.k8s.io/v1 Lease. */
export class KubernetesLeaseLock implements LeaseLock {
  readonly #api: CoordinationV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.#api = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  get description(): string {
    return `${this.namespace}/${this.name}`;
  }

  async get(): Promise<LeaseRecord | undefined> {
    try {
      return fromLease(
        await this.#api.readNamespacedLease({ name: this.name, namespace: this.namespace }),
      );
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async create(record: LeaseRecord): Promise<LeaseRecord> {
    return fromLease(
      await this.#api.createNamespacedLease({
        namespace: this.namespace,
        body: this.#toLease(record),
      }),
    );
  }

  async update(record: LeaseRecord): Promise<LeaseRecord> {
    return fromLease(
      await this.#api.replaceNamespacedLease({
        name: this.name,
        namespace: this.namespace,
        body: this.#toLease(record),
      }),
    );
  }

  #toLease(record: LeaseRecord): PlainObjectOf<V1Lease> {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        ...(record.resourceVersion === undefined
          ? {}
          : { resourceVersion: record.resourceVersion }),
      },
      spec: {
        holderIdentity: record.holderIdentity,
        leaseDurationSeconds: record.leaseDurationSeconds,
        acquireTime: new V1MicroTime(record.acquireTime),
        renewTime: new V1MicroTime(record.renewTime),
        leaseTransitions: record.leaseTransitions,
      },
    };
  }
}

function fromLease(lease: V1Lease): LeaseRecord {
  const spec = lease.spec;
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    // Typed as Date, but the generated client hands MicroTime fields back as strings.
    acquireTime: toEpochMs(spec?.acquireTime),
    renewTime: toEpochMs(spec?.renewTime),
    leaseTransitions: spec?.leaseTransitions ?? 0,
    ...(lease.metadata?.resourceVersion === undefined
      ? {}
      : { resourceVersion: lease.metadata.resourceVersion }),
  };
}

function toEpochMs(value: Date | string | undefined): number {
  if (value === undefined) return 0;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}

/** Timing of leader election; client-go's defaults. */
export interface LeaderElectionTiming {
  /** How long a lease is valid after its holder's last renewal as observed by others (ms). */
  leaseDurationMs: number;
  /** The leader gives up if it could not renew for this long (ms); must be < leaseDurationMs. */
  renewDeadlineMs: number;
  /** Pause between acquire/renew attempts (ms). */
  retryPeriodMs: number;
}

/** Wait this much past the computed expiry, so the lease is surely expired when we look. */
const EXPIRY_MARGIN_MS = 10;

export const DEFAULT_LEADER_ELECTION_TIMING: LeaderElectionTiming = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

export interface LeaderElectorOptions {
  lock: LeaseLock;
  identity: string;
  timing?: Partial<LeaderElectionTiming>;
  clock: Clock;
  logger: Logger;
  random?: RandomSource;
}

/** How leadership ended. */
export type LeadershipEnd = 'stopped' | 'lost';

/**
 * Leader election on a Lease, client-go's algorithm: candidates poll every retry period; a
 * lease is free when it has no holder or its record has not changed for `leaseDurationSeconds`
 * as measured on the candidate's own clock (no cross-node clock comparison); the leader renews
 * every retry period and gives up once it has failed to renew for the renew deadline, or at
 * once when it sees another holder. Every write is optimistically locked by resourceVersion.
 */
export class LeaderElector {
  readonly #lock: LeaseLock;
  readonly #identity: string;
  readonly #timing: LeaderElectionTiming;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #random: RandomSource;
  #observed: LeaseRecord | undefined;
  #observedAt = 0;
  #leading = false;

  constructor(options: LeaderElectorOptions) {
    this.#lock = options.lock;
    this.#identity = options.identity;
    this.#timing = { ...DEFAULT_LEADER_ELECTION_TIMING, ...options.timing };
    if (this.#timing.renewDeadlineMs >= this.#timing.leaseDurationMs) {
      throw new Error(
        `leader election: renew deadline (${this.#timing.renewDeadlineMs} ms) must be shorter than the lease duration (${this.#timing.leaseDurationMs} ms), or two leaders could overlap`,
      );
    }
    if (this.#timing.retryPeriodMs >= this.#timing.renewDeadlineMs) {
      throw new Error(
        `leader election: retry period (${this.#timing.retryPeriodMs} ms) must be shorter than the renew deadline (${this.#timing.renewDeadlineMs} ms)`,
      );
    }
    this.#clock = options.clock;
    this.#logger = options.logger.child({
      component: 'leader-election',
      lease: options.lock.description,
    });
    this.#random = options.random ?? Math.random;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /**
   * Resolves once this candidate holds the lease (true) or `signal` aborts first (false).
   */
  async acquire(signal: AbortSignal): Promise<boolean> {
    this.#logger.info({ identity: this.#identity }, 'waiting for leadership');
    while (!signal.aborted) {
      // Bounded, so that stop() never waits on a hanging API call for long.
      if (await this.#withDeadline(this.#tryAcquireOrRenew(), this.#timing.renewDeadlineMs)) {
        this.#leading = true;
        this.#logger.info({ identity: this.#identity }, 'acquired leadership');
        return true;
      }
      await sleep(this.#clock, this.#untilNextAttempt(), signal);
    }
    return false;
  }

  /**
   * The retry period, but no later than the moment the observed lease expires: a standby then
   * takes over a dead leader's lease within lease duration + one poll after the last renewal,
   * instead of up to a further retry period later.
   */
  #untilNextAttempt(): number {
    const retry = jittered(this.#timing.retryPeriodMs, 0.1, this.#random);
    const observed = this.#observed;
    if (observed === undefined || observed.holderIdentity === '') return retry;
    const expiresIn = this.#observedAt + observed.leaseDurationSeconds * 1000 - this.#clock.now();
    return Math.max(0, Math.min(retry, expiresIn + EXPIRY_MARGIN_MS));
  }

  /**
   * Keeps renewing until leadership is lost ('lost': renew deadline passed or another holder
   * seen) or `signal` aborts ('stopped'; the lease is still held — call {@link release}).
   */
  async hold(signal: AbortSignal): Promise<LeadershipEnd> {
    let renewedAt = this.#clock.now();
    // A function, not a property read, so the checks after each await are not narrowed away.
    const stopped = (): boolean => signal.aborted;
    while (!stopped()) {
      await sleep(this.#clock, this.#timing.retryPeriodMs, signal);
      if (stopped()) break;
      const remaining = renewedAt + this.#timing.renewDeadlineMs - this.#clock.now();
      const renewed = await this.#withDeadline(this.#tryAcquireOrRenew(), remaining);
      if (stopped()) break;
      if (renewed) {
        renewedAt = this.#clock.now();
        continue;
      }
      const heldByOther =
        this.#observed !== undefined &&
        this.#observed.holderIdentity !== '' &&
        this.#observed.holderIdentity !== this.#identity;
      if (heldByOther || this.#clock.now() - renewedAt >= this.#timing.renewDeadlineMs) {
        this.#leading = false;
        this.#logger.error(
          { identity: this.#identity, holder: this.#observed?.holderIdentity },
          heldByOther
            ? 'leadership lost: lease taken by another holder'
            : 'leadership lost: renew deadline passed',
        );
        return 'lost';
      }
    }
    return 'stopped';
  }

  /**
   * Gives the lease up (holder cleared) so a standby takes over without waiting for it to
   * expire. Only call after all leader work has stopped.
   */
  async release(): Promise<void> {
    if (!this.#leading) return;
    this.#leading = false;
    try {
      const current = await this.#lock.get();
      if (current?.holderIdentity !== this.#identity) return;
      const now = this.#clock.now();
      await this.#lock.update({
        ...current,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
      });
      this.#logger.info({ identity: this.#identity }, 'released leadership');
    } catch (error) {
      this.#logger.warn(
        { err: describeError(error) },
        'could not release the lease; it expires on its own',
      );
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = this.#clock.now();
    const desired: LeaseRecord = {
      holderIdentity: this.#identity,
      leaseDurationSeconds: Math.ceil(this.#timing.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    try {
      const current = await this.#lock.get();
      if (current === undefined) {
        this.#observe(await this.#lock.create(desired));
        return true;
      }
      this.#observe(current);
      const heldByOther =
        current.holderIdentity !== '' && current.holderIdentity !== this.#identity;
      if (
        heldByOther &&
        this.#observedAt + current.leaseDurationSeconds * 1000 > this.#clock.now()
      ) {
        return false;
      }
      const iHold = current.holderIdentity === this.#identity;
      this.#observe(
        await this.#lock.update({
          ...desired,
          acquireTime: iHold ? current.acquireTime : now,
          leaseTransitions: iHold ? current.leaseTransitions : current.leaseTransitions + 1,
          ...(current.resourceVersion === undefined
            ? {}
            : { resourceVersion: current.resourceVersion }),
        }),
      );
      return true;
    } catch (error) {
      if (isConflict(error)) {
        this.#logger.debug('lease changed concurrently; retrying');
      } else {
        this.#logger.warn({ err: describeError(error) }, 'could not read or write the lease');
      }
      return false;
    }
  }

  /** Remembers `record` and, when it changed, the local time it was first seen. */
  #observe(record: LeaseRecord): void {
    const previous = this.#observed;
    const changed =
      previous === undefined ||
      previous.holderIdentity !== record.holderIdentity ||
      previous.renewTime !== record.renewTime ||
      previous.acquireTime !== record.acquireTime ||
      previous.leaseTransitions !== record.leaseTransitions ||
      previous.resourceVersion !== record.resourceVersion;
    this.#observed = record;
    if (changed) this.#observedAt = this.#clock.now();
  }

  /** `attempt`'s outcome, or false if it has not settled within `ms` (it keeps running). */
  async #withDeadline(attempt: Promise<boolean>, ms: number): Promise<boolean> {
    if (ms <= 0) return false;
    const controller = new AbortController();
    const timeout = sleep(this.#clock, ms, controller.signal).then(() => false);
    try {
      return await Promise.race([attempt, timeout]);
    } finally {
      controller.abort();
    }
  }
}
