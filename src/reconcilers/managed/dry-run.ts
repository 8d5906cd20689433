import { findCondition, type Condition, type EventSink, type KubeObject } from '../../controller';
import type { Logger } from '../../logging';
import type { DryRunWriteError } from '../../vvp';
import { notSynced } from './conditions';

/**
 * `--dry-run`: the reconcilers run as always (observe, judge ownership, diff, build the
 * request), and the VVP client holds back every write (DryRunWriteError, src/vvp). Where a
 * reconcile would have written, it reports the held-back request instead: an Event with one of
 * these reasons, a log line, and `Synced=False` reason {@link DRY_RUN_REASON} in status, so
 * nothing in Kubernetes claims that VVP was changed.
 */
export type WouldWrite = 'WouldCreate' | 'WouldUpdate' | 'WouldDelete';

/** The Synced reason of an object whose reconcile held back a write. */
export const DRY_RUN_REASON = 'DryRun';

/** The request body in a message is cut here, so that the fields before it fit an Event's 1 kB note. */
const MAX_BODY_CHARACTERS = 600;

const VERBS: Record<WouldWrite, { verb: string; action: string }> = {
  WouldCreate: { verb: 'create', action: 'Create' },
  WouldUpdate: { verb: 'update', action: 'Update' },
  WouldDelete: { verb: 'delete', action: 'Delete' },
};

/** What one reconcile held back, as a person reads it. */
export interface HeldBackWrite {
  reason: WouldWrite;
  /** The VVP object, e.g. `VVP deployment "team-a/top-speed"`. */
  what: string;
  /** The CR paths that differ (updates), empty otherwise. */
  fields: readonly string[];
  request: DryRunWriteError;
}

/**
 * `Would update VVP deployment "team-a/x" (--dry-run: not sent) at spec.metadata.labels:
 * PATCH /api/v1/… {"metadata":…}`: the fields first, then the request, its body cut short.
 */
export function describeHeldBack(write: HeldBackWrite): string {
  const fields = write.fields.length === 0 ? '' : ` at ${write.fields.join(', ')}`;
  const body =
    write.request.body === undefined ? '' : ` ${shorten(JSON.stringify(write.request.body))}`;
  return `Would ${VERBS[write.reason].verb} ${write.what} (--dry-run: not sent)${fields}: ${write.request.method} ${write.request.path}${body}`;
}

/** Where a held-back write is announced: the reconcile's object, logger and Event sink. */
export interface HeldBackAnnouncer {
  object: KubeObject & { status?: { conditions?: Condition[] | undefined } | undefined };
  logger: Logger;
  events: Pick<EventSink, 'event'>;
}

/**
 * Logs the held-back write and posts its Event, unless the object already reports this very
 * write (a resync finding the same difference again posts nothing). Returns the Synced
 * condition to report.
 */
export function announceHeldBack(
  write: HeldBackWrite,
  announcer: HeldBackAnnouncer,
): ReturnType<typeof notSynced> {
  const message = describeHeldBack(write);
  const previous = findCondition(announcer.object.status?.conditions, 'Synced');
  if (previous?.reason !== DRY_RUN_REASON || previous.message !== message) {
    announcer.logger.info(
      {
        dryRun: write.reason,
        method: write.request.method,
        path: write.request.path,
        fields: write.fields,
        body: write.request.body,
      },
      `dry run: would ${VERBS[write.reason].verb} ${write.what}`,
    );
    void announcer.events.event(announcer.object, {
      type: 'Normal',
      reason: write.reason,
      action: VERBS[write.reason].action,
      note: message,
    });
  }
  return notSynced(DRY_RUN_REASON, message);
}

function shorten(text: string): string {
  return text.length <= MAX_BODY_CHARACTERS ? text : `${text.slice(0, MAX_BODY_CHARACTERS)}…`;
}
