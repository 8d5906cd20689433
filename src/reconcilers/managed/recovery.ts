import type { KubeObject } from '../../controller';

type WithStatus = KubeObject & { status?: { pendingOperation?: { startedAt: string } } };

/**
 * Whether the status write that turned `before` into `after` landed and resolved the intent an
 * earlier reconcile recorded (`intent`): the moment to announce a recovery from an interrupted
 * create or trigger, and the only one.
 *
 * Why not on finding the object: a reconcile may run on a cached copy older than this process's
 * own last status write (the intent, resolved since, still shows), and would announce a recovery
 * nobody needed. Such a copy never gets here: the write that resolves an intent carries the
 * copy's resourceVersion as precondition, so it either conflicts (the core requeues quietly) or
 * finds nothing to write because this process's own write already holds it.
 */
export function recoveryRecorded(
  before: WithStatus,
  after: WithStatus,
  intent: { startedAt: string },
): boolean {
  return (
    after.metadata?.resourceVersion !== before.metadata?.resourceVersion &&
    after.status?.pendingOperation?.startedAt !== intent.startedAt
  );
}
