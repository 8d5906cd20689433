import {
  EventsV1Api,
  V1MicroTime,
  type EventsV1Event,
  type KubeConfig,
  type V1ObjectReference,
} from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { Logger } from '../logging';
import type { Clock } from './clock';
import { apiStatusCode, describeError, isConflict, isNotFound } from './errors';
import { MERGE_PATCH } from './patch-media-types';
import { describeObject } from './resource';
import type { KubeObject, PlainObjectOf } from './kube-object';

/** What a reconciler reports; `reason` and `action` are CamelCase, `note` is for humans. */
export interface EventSpec {
  type: 'Normal' | 'Warning';
  /** Why the action was taken, e.g. `ReconcileError`; at most 128 characters. */
  reason: string;
  /** What was done or failed, e.g. `Reconcile`; at most 128 characters. */
  action: string;
  /** Human-readable details; cut to 1 kB, the API server's limit. */
  note: string;
  /** A second object involved, if any. */
  related?: PlainObjectOf<V1ObjectReference>;
  /**
   * When it happened, if not now: the `eventTime` of a mirrored external event (its own time,
   * so `kubectl get events` orders it where it belongs). Only {@link EventRecorder.postOnce}.
   */
  occurredAt?: Date;
}

/** Outcome of {@link EventRecorder.postOnce}. */
export type PostOnceResult = 'posted' | 'alreadyPosted' | 'failed';

export interface CorrelatorOptions {
  /** A repeat later than this after the last one starts a new Event (client-go: 6 min). */
  seriesWindowMs?: number;
  /** Writes allowed per object in a burst (client-go's spam filter: 25). */
  burst?: number;
  /** One more write is allowed per object every this many ms (client-go: 5 min). */
  refillIntervalMs?: number;
  /** Distinct events and objects remembered (LRU; client-go: 4096). */
  maxEntries?: number;
}

/** A remembered Event: its name in the API server and how often it was observed. */
export interface SeriesEntry {
  readonly name: string;
  count: number;
  lastObservedAt: number;
}

/** What to write for an observed event. */
export type CorrelationDecision =
  | { write: 'create'; entry: SeriesEntry }
  | { write: 'series'; entry: SeriesEntry }
  | { write: 'none'; reason: 'rateLimited' };

interface TokenBucket {
  tokens: number;
  refilledAt: number;
}

/**
 * Decides how an event is written, like client-go's events cache: the first occurrence is a
 * new Event; identical repeats within the series window update that Event's `series`
 * (count, lastObservedTime) instead of adding one; a token bucket per object bounds the
 * writes. Pure bookkeeping: time is passed in, nothing is written here.
 */
export class EventCorrelator {
  readonly #seriesWindowMs: number;
  readonly #burst: number;
  readonly #refillIntervalMs: number;
  readonly #maxEntries: number;
  readonly #series = new Map<string, SeriesEntry>();
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(options: CorrelatorOptions = {}) {
    this.#seriesWindowMs = options.seriesWindowMs ?? 6 * 60_000;
    this.#burst = options.burst ?? 25;
    this.#refillIntervalMs = options.refillIntervalMs ?? 5 * 60_000;
    this.#maxEntries = options.maxEntries ?? 4096;
  }

  /**
   * Records one occurrence of the event `eventKey` about `objectKey` at `now`; `newName`
   * names the Event if a new one must be created. Counts keep growing while writes are
   * rate-limited, so the next allowed write carries the full count.
   */
  observe(
    objectKey: string,
    eventKey: string,
    now: number,
    newName: () => string,
  ): CorrelationDecision {
    const previous = this.#series.get(eventKey);
    const repeat = previous !== undefined && now - previous.lastObservedAt <= this.#seriesWindowMs;
    const entry: SeriesEntry = repeat
      ? { ...previous, count: previous.count + 1, lastObservedAt: now }
      : { name: newName(), count: 1, lastObservedAt: now };
    if (!this.#takeToken(objectKey, now)) {
      // A first occurrence that cannot be written is not remembered: no Event carries it.
      if (repeat) this.#remember(this.#series, eventKey, entry);
      return { write: 'none', reason: 'rateLimited' };
    }
    this.#remember(this.#series, eventKey, entry);
    return repeat ? { write: 'series', entry } : { write: 'create', entry };
  }

  /** Forgets `eventKey` (its Event could not be created or has expired). */
  forget(eventKey: string): void {
    this.#series.delete(eventKey);
  }

  #takeToken(objectKey: string, now: number): boolean {
    const bucket = this.#buckets.get(objectKey) ?? { tokens: this.#burst, refilledAt: now };
    const refills = Math.floor((now - bucket.refilledAt) / this.#refillIntervalMs);
    if (refills > 0) {
      bucket.tokens = Math.min(this.#burst, bucket.tokens + refills);
      bucket.refilledAt += refills * this.#refillIntervalMs;
    }
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#remember(this.#buckets, objectKey, bucket);
    return allowed;
  }

  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > this.#maxEntries) {
      const oldest = map.keys().next();
      if (oldest.done !== true) map.delete(oldest.value);
    }
  }
}

export interface EventRecorderOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  clock: Clock;
  /** `reportingController`, e.g. `vpoperator.dev/vp-operator`. */
  reportingController: string;
  /** `reportingInstance`, e.g. the pod name; cut to 128 characters. */
  reportingInstance: string;
  correlator?: CorrelatorOptions;
}

/**
 * Where Events about cluster-scoped objects (a VpNamespace) are written. Not a setting: the
 * API server rejects an Event whose `regarding` object has no namespace unless the Event is
 * in `default` ("involvedObject.namespace: does not match event.namespace"), so client-go
 * writes them there too. `kubectl describe` of the object finds them.
 */
export const CLUSTER_EVENTS_NAMESPACE = 'default';
const MAX_NOTE_BYTES = 1024;
const MAX_FIELD_LENGTH = 128;
const MAX_NAME_LENGTH = 253;

/**
 * Posts events.k8s.io/v1 Events about reconciled objects. Repeats are aggregated into the
 * Event's `series` and bursts per object are limited (see {@link EventCorrelator});
 * {@link postOnce} posts under a caller-chosen name exactly once. Failures are logged and never
 * thrown: an Event is never worth failing a reconcile for.
 */
export class EventRecorder {
  readonly #api: EventsV1Api;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #reportingController: string;
  readonly #reportingInstance: string;
  readonly #correlator: EventCorrelator;
  /** Writes of one event key run in order (create before its series patches). */
  readonly #pending = new Map<string, Promise<void>>();
  #sequence = 0;

  constructor(options: EventRecorderOptions) {
    this.#api = options.kubeConfig.makeApiClient(EventsV1Api);
    this.#logger = options.logger.child({ component: 'event-recorder' });
    this.#clock = options.clock;
    this.#reportingController = options.reportingController.slice(0, MAX_FIELD_LENGTH);
    this.#reportingInstance = options.reportingInstance.slice(0, MAX_FIELD_LENGTH);
    this.#correlator = new EventCorrelator(options.correlator);
  }

  /**
   * Records `event` about `object`. The returned promise settles once the write (if any) is
   * done and never rejects; callers may ignore it.
   */
  event(object: KubeObject, event: EventSpec): Promise<void> {
    const regarding = referenceTo(object);
    const objectKey = `${regarding.namespace ?? ''}/${regarding.kind ?? ''}/${regarding.name ?? ''}/${regarding.uid ?? ''}`;
    const eventKey = [objectKey, event.type, event.reason, event.action, event.note].join('\u0000');
    const now = this.#clock.now();
    const decision = this.#correlator.observe(objectKey, eventKey, now, () =>
      this.#generateName(regarding.name ?? 'object', now),
    );
    if (decision.write === 'none') {
      this.#logger.debug(
        { object: describeObject(object), reason: event.reason },
        'event rate-limited',
      );
      return Promise.resolve();
    }
    const { entry } = decision;
    const count = entry.count;
    const write = async (): Promise<void> => {
      try {
        if (decision.write === 'create') {
          await this.#create(object, event, entry.name, now);
          return;
        }
        try {
          await this.#api.patchNamespacedEvent(
            {
              name: entry.name,
              namespace: this.#namespaceFor(object),
              body: { series: { count, lastObservedTime: new V1MicroTime(now) } },
            },
            MERGE_PATCH,
          );
        } catch (error) {
          if (!isNotFound(error)) throw error;
          // The Event expired (API server --event-ttl): start a new series under a new name.
          this.#correlator.forget(eventKey);
          const fresh = this.#correlator.observe(objectKey, eventKey, now, () =>
            this.#generateName(regarding.name ?? 'object', now),
          );
          if (fresh.write === 'create') await this.#create(object, event, fresh.entry.name, now);
        }
      } catch (error) {
        if (decision.write === 'create') this.#correlator.forget(eventKey);
        this.#logger.warn(
          { object: describeObject(object), reason: event.reason, err: describeError(error) },
          'could not record event',
        );
      }
    };
    const previous = this.#pending.get(eventKey) ?? Promise.resolve();
    const next = previous.then(write);
    this.#pending.set(eventKey, next);
    void next.then(() => {
      if (this.#pending.get(eventKey) === next) this.#pending.delete(eventKey);
    });
    return next;
  }

  /**
   * Posts `event` under the Event name `name` unless an Event of that name exists: a 409
   * AlreadyExists answers "already posted". For mirroring external events exactly once —
   * derive `name` deterministically from the external event's identity (see
   * {@link deterministicEventName}). Not aggregated or rate-limited. Never rejects.
   */
  async postOnce(object: KubeObject, name: string, event: EventSpec): Promise<PostOnceResult> {
    try {
      await this.#create(object, event, name, event.occurredAt?.getTime() ?? this.#clock.now());
      return 'posted';
    } catch (error) {
      if (isConflict(error)) return 'alreadyPosted';
      this.#logger.warn(
        {
          object: describeObject(object),
          event: name,
          code: apiStatusCode(error),
          err: describeError(error),
        },
        'could not post event',
      );
      return 'failed';
    }
  }

  async #create(object: KubeObject, event: EventSpec, name: string, now: number): Promise<void> {
    const body: PlainObjectOf<EventsV1Event> = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace: this.#namespaceFor(object) },
      eventTime: new V1MicroTime(now),
      reportingController: this.#reportingController,
      reportingInstance: this.#reportingInstance,
      type: event.type,
      reason: event.reason.slice(0, MAX_FIELD_LENGTH),
      action: event.action.slice(0, MAX_FIELD_LENGTH),
      note: truncateUtf8(event.note, MAX_NOTE_BYTES),
      regarding: referenceTo(object),
      ...(event.related === undefined ? {} : { related: event.related }),
    };
    await this.#api.createNamespacedEvent({ namespace: this.#namespaceFor(object), body });
  }

  /** An Event lives in its object's namespace; see {@link CLUSTER_EVENTS_NAMESPACE}. */
  #namespaceFor(object: KubeObject): string {
    const namespace = object.metadata?.namespace;
    return namespace === undefined || namespace === '' ? CLUSTER_EVENTS_NAMESPACE : namespace;
  }

  #generateName(objectName: string, now: number): string {
    // client-go's "<name>.<hex time>", plus a sequence so two events in one ms cannot collide.
    this.#sequence = (this.#sequence + 1) % 0x100000;
    const suffix = `${now.toString(16)}${this.#sequence.toString(16).padStart(5, '0')}`;
    return `${objectName.slice(0, MAX_NAME_LENGTH - suffix.length - 1)}.${suffix}`;
  }
}

/**
 * A valid, deterministic Event name for an external event (e.g. a VVP event id) about
 * `object`: `<object name>.<sha256 prefix>`, at most 253 characters. The hash covers the
 * object's kind and uid as well as `externalId`, so the same external id reported for two
 * objects — two kinds of one name, or an object deleted and re-created — names two Events.
 */
export function deterministicEventName(object: KubeObject, externalId: string): string {
  const identity = [object.kind ?? '', object.metadata?.uid ?? '', externalId].join('\u0000');
  const digest = createHash('sha256').update(identity).digest('hex').slice(0, 32);
  const prefix = (object.metadata?.name ?? 'object').slice(0, MAX_NAME_LENGTH - digest.length - 1);
  return `${prefix}.${digest}`;
}

function referenceTo(object: KubeObject): PlainObjectOf<V1ObjectReference> {
  const metadata = object.metadata;
  if (metadata === undefined) return { apiVersion: object.apiVersion, kind: object.kind };
  return {
    ...(object.apiVersion === undefined ? {} : { apiVersion: object.apiVersion }),
    ...(object.kind === undefined ? {} : { kind: object.kind }),
    ...(metadata.name === undefined ? {} : { name: metadata.name }),
    ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }),
    ...(metadata.uid === undefined ? {} : { uid: metadata.uid }),
    ...(metadata.resourceVersion === undefined
      ? {}
      : { resourceVersion: metadata.resourceVersion }),
  };
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let result = text.slice(0, maxBytes);
  while (Buffer.byteLength(result) > maxBytes - 3) result = result.slice(0, -1);
  return `${result}...`;
}
