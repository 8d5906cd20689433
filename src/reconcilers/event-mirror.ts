/**
 * Mirrors VVP events of a deployment into Kubernetes Events on the CR, exactly once.
 *
 * VVP keeps an append-only event log per deployment with no server-side cursor or order: the
 * operator lists it, sorts it by creation time (then id), and remembers how far it mirrored in
 * a cursor that the caller keeps in status (`status.eventCursor`). Exactly once rests on two
 * things: each Kubernetes Event is named after the VVP event id and the involved object
 * (`deterministicEventName`, so a re-post answers 409), and the cursor, which outlives the
 * Kubernetes Events (they expire after the API server's `--event-ttl`, one hour by default), so
 * a restart neither replays the history nor skips what happened while the operator was down.
 *
 * The cursor is the newest mirrored creation time plus the ids mirrored at exactly that time:
 * several VVP events often share one timestamp, and one of them may be listed only on the next
 * poll. An event VVP lists later with a time older than the cursor is taken as already mirrored
 * (VVP writes events as it acts, so this does not happen in practice).
 */
import { MAX_CURSOR_EVENT_IDS } from '../api';
import { deterministicEventName, type EventSink, type KubeObject } from '../controller';
import type { Event as VvpEvent, VvpCallOptions, VvpClient } from '../vvp';

/** `status.eventCursor`: how far VVP events are mirrored. */
export interface EventCursor {
  /** Creation time of the newest mirrored VVP event (RFC 3339, as VVP wrote it). */
  lastEventTime?: string | undefined;
  /** Ids of the mirrored VVP events created at `lastEventTime`. */
  eventIds?: string[] | undefined;
}

export interface EventMirrorLimits {
  /** Without a cursor (a new or adopted deployment), only this many newest events; 5. */
  firstSight: number;
  /** At most this many events per call; the rest next time (`more`). 20. */
  perPoll: number;
}

export const DEFAULT_EVENT_MIRROR_LIMITS: EventMirrorLimits = { firstSight: 5, perPoll: 20 };

/** The one VVP call the mirror makes. */
export type EventsVvp = Pick<VvpClient, 'events'>;

export interface MirrorDeploymentEventsRequest {
  /** The CR the Events are about (its kind and uid name the Events). */
  object: KubeObject;
  vvp: EventsVvp;
  vvpNamespace: string;
  /** VVP id of the deployment. */
  deploymentId: string;
  /** Signal and credentials of the reconcile (e.g. `connection.session.appManager()`). */
  callOptions: VvpCallOptions;
  events: Pick<EventSink, 'postOnce'>;
  /** The cursor from status; undefined on first sight. */
  cursor: EventCursor | undefined;
  limits?: Partial<EventMirrorLimits>;
}

export interface MirrorResult {
  /** The cursor to write to status (equal to the given one when nothing was mirrored). */
  cursor: EventCursor;
  /** Events posted now (a re-post of an already existing Event not counted). */
  posted: number;
  /** Events left for the next call (per-poll cap, or a post that failed): poll again soon. */
  more: boolean;
}

/**
 * Lists the deployment's VVP events and posts the ones past `cursor` as Kubernetes Events on
 * `object`: reason = VVP event name, note = its message and VVP's time, type Warning for
 * failure-like names. Throws only what the VVP list throws; a failed post stops the batch
 * there, and the returned cursor covers only what is in Kubernetes, so it is retried later.
 * The caller stores `cursor` in status with its status write.
 */
export async function mirrorDeploymentEvents(
  request: MirrorDeploymentEventsRequest,
): Promise<MirrorResult> {
  const listed = await request.vvp
    .events(request.vvpNamespace, request.callOptions)
    .list({ deploymentId: request.deploymentId });
  const limits = { ...DEFAULT_EVENT_MIRROR_LIMITS, ...request.limits };
  const selection = selectEventsToMirror(listed, request.cursor, limits);
  // On first sight the cursor starts just before the newest few, so the older history is
  // never mirrored, also when the first post fails.
  let cursor = request.cursor ?? selection.start;
  let posted = 0;
  for (const event of selection.batch) {
    const outcome = await request.events.postOnce(
      request.object,
      mirroredEventName(request.object, event.id),
      {
        type: isFailureLike(event.name) ? 'Warning' : 'Normal',
        reason: event.name,
        action: 'VvpEvent',
        note: noteOf(event),
        ...occurredAt(event),
      },
    );
    if (outcome === 'failed') return { cursor, posted, more: true };
    if (outcome === 'posted') posted += 1;
    cursor = advanceCursor(cursor, event);
  }
  return { cursor, posted, more: selection.more };
}

/** A VVP event reduced to what mirroring needs. */
export interface MirrorableEvent {
  id: string;
  name: string;
  /** RFC 3339; '' when VVP gave none (sorted first, then taken as mirrored). */
  createdAt: string;
  message: string;
}

export interface EventSelection {
  /** The events to post now, oldest first. */
  batch: MirrorableEvent[];
  /**
   * The cursor `batch` is mirrored from: the given one, or on first sight the cursor just
   * before the oldest of the newest few.
   */
  start: EventCursor;
  /** More events are past the batch. */
  more: boolean;
}

/**
 * Which events to post, in order (pure): those after `cursor`, at most `perPoll`; without a
 * cursor only the newest `firstSight`.
 */
export function selectEventsToMirror(
  listed: readonly VvpEvent[],
  cursor: EventCursor | undefined,
  limits: EventMirrorLimits,
): EventSelection {
  const events = listed
    .map(toMirrorable)
    .filter((event): event is MirrorableEvent => event !== undefined)
    .sort(compareEvents);
  const unique = events.filter((event, index) => index === 0 || events[index - 1]?.id !== event.id);
  if (cursor === undefined) {
    const newest = unique.slice(Math.max(0, unique.length - limits.firstSight));
    const batch = newest.slice(0, limits.perPoll);
    const start = startBefore(unique, unique.length - newest.length);
    return { batch, start, more: newest.length > batch.length };
  }
  const pending = unique.filter((event) => isAfter(event, cursor));
  return {
    batch: pending.slice(0, limits.perPoll),
    start: cursor,
    more: pending.length > limits.perPoll,
  };
}

/** The cursor after `event` was mirrored (events are mirrored oldest first). */
export function advanceCursor(cursor: EventCursor, event: MirrorableEvent): EventCursor {
  if (cursor.lastEventTime !== undefined && compareTimes(event.createdAt, cursor.lastEventTime) < 0)
    return cursor;
  const sameTime =
    cursor.lastEventTime !== undefined && compareTimes(event.createdAt, cursor.lastEventTime) === 0;
  const ids = sameTime ? [...(cursor.eventIds ?? []), event.id] : [event.id];
  // More same-time events than the cursor holds: the oldest ids are forgotten; should such an
  // event be listed again, its deterministic Event name still makes the re-post a no-op.
  return { lastEventTime: event.createdAt, eventIds: ids.slice(-MAX_CURSOR_EVENT_IDS) };
}

/** Whether `name` reports a failure (vvp-api.md §4): such events become Warnings. */
export function isFailureLike(name: string): boolean {
  return name.includes('FAIL') || name.includes('TOO_MANY') || FAILURE_NAMES.has(name);
}

const FAILURE_NAMES = new Set([
  'RESOURCE_QUOTA_EXCEEDED',
  'REFERENCED_DEPLOYMENT_TARGET_DOES_NOT_EXIST',
  'COULD_NOT_FIND_A_JOB_TO_SUSPEND',
  'JOB_IS_NOT_CONFIGURED_WITH_SAVEPOINT_SUPPORT',
  'MULTIPLE_NON_TERMINAL_JOBS',
]);

/** The Kubernetes Event name of a mirrored VVP event: the same for every replica and restart. */
export function mirroredEventName(object: KubeObject, vvpEventId: string): string {
  return deterministicEventName(object, `vvp-event/${vvpEventId}`);
}

/** The cursor that has mirrored everything before `unique[index]`. */
function startBefore(unique: readonly MirrorableEvent[], index: number): EventCursor {
  let cursor: EventCursor = {};
  for (const event of unique.slice(0, index)) cursor = advanceCursor(cursor, event);
  return cursor;
}

function isAfter(event: MirrorableEvent, cursor: EventCursor): boolean {
  if (cursor.lastEventTime === undefined) return true;
  const order = compareTimes(event.createdAt, cursor.lastEventTime);
  return order > 0 || (order === 0 && !(cursor.eventIds ?? []).includes(event.id));
}

function toMirrorable(event: VvpEvent): MirrorableEvent | undefined {
  const id = event.metadata?.id;
  if (id === undefined || id === '') return undefined;
  return {
    id,
    name: event.metadata?.name ?? 'VVP_EVENT',
    createdAt: event.metadata?.createdAt ?? '',
    message: event.spec?.message ?? '',
  };
}

function compareEvents(a: MirrorableEvent, b: MirrorableEvent): number {
  return compareTimes(a.createdAt, b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Orders RFC 3339 times by instant (VVP may write different offsets or precisions). */
function compareTimes(a: string, b: string): number {
  const left = a === '' ? Number.NEGATIVE_INFINITY : Date.parse(a);
  const right = b === '' ? Number.NEGATIVE_INFINITY : Date.parse(b);
  if (Number.isNaN(left) || Number.isNaN(right)) return a < b ? -1 : a > b ? 1 : 0;
  return left === right ? 0 : left < right ? -1 : 1;
}

function noteOf(event: MirrorableEvent): string {
  return event.message === '' ? event.name : event.message;
}

/** The VVP event's own time as the Kubernetes Event's time, when VVP gave a valid one. */
function occurredAt(event: MirrorableEvent): { occurredAt?: Date } {
  const time = Date.parse(event.createdAt);
  return Number.isNaN(time) ? {} : { occurredAt: new Date(time) };
}
