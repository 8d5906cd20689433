import { describe, expect, it } from '@jest/globals';
import type { EventSink, EventSpec, KubeObject, PostOnceResult } from '../controller';
import type { Event as VvpEvent } from '../vvp';
import {
  isFailureLike,
  mirrorDeploymentEvents,
  mirroredEventName,
  selectEventsToMirror,
  type EventCursor,
  type EventsVvp,
} from './event-mirror';

const OBJECT: KubeObject = {
  apiVersion: 'vpoperator.dev/v1alpha1',
  kind: 'VpDeployment',
  metadata: { name: 'wordcount', namespace: 'team-a', uid: 'uid-1' },
};

function vvpEvent(id: string, second: number, name = 'CREATING_A_NEW_JOB'): VvpEvent {
  return {
    metadata: {
      id,
      name: name as NonNullable<VvpEvent['metadata']>['name'],
      createdAt: `2026-12-01T10:00:${String(second).padStart(2, '0')}Z`,
      deploymentId: 'd-1',
    },
    spec: { message: `message ${id}` },
  };
}

/** The API server's side of postOnce: an Event name exists once; `expire` drops them all. */
class FakeKubernetesEvents implements Pick<EventSink, 'postOnce'> {
  readonly stored = new Map<string, EventSpec>();
  /** Every Event ever created, in order (survives `expire`). */
  readonly created: EventSpec[] = [];
  failNext = 0;

  postOnce(_object: KubeObject, name: string, event: EventSpec): Promise<PostOnceResult> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.resolve('failed');
    }
    if (this.stored.has(name)) return Promise.resolve('alreadyPosted');
    this.stored.set(name, event);
    this.created.push(event);
    return Promise.resolve('posted');
  }

  expire(): void {
    this.stored.clear();
  }
}

function vvpWith(log: VvpEvent[]): EventsVvp {
  // VVP does not order its event log.
  return { events: () => ({ list: () => Promise.resolve([...log].reverse()) }) };
}

async function poll(
  log: VvpEvent[],
  kube: FakeKubernetesEvents,
  cursor: EventCursor | undefined,
  limits?: { firstSight?: number; perPoll?: number },
) {
  return mirrorDeploymentEvents({
    object: OBJECT,
    vvp: vvpWith(log),
    vvpNamespace: 'default',
    deploymentId: 'd-1',
    callOptions: {},
    events: kube,
    cursor,
    ...(limits === undefined ? {} : { limits }),
  });
}

describe('selecting VVP events to mirror', () => {
  const limits = { firstSight: 2, perPoll: 3 };

  it('on first sight takes only the newest few and starts the cursor before them', () => {
    const log = [vvpEvent('a', 1), vvpEvent('b', 2), vvpEvent('c', 3), vvpEvent('d', 4)];
    const selection = selectEventsToMirror([...log].reverse(), undefined, limits);
    expect(selection.batch.map((event) => event.id)).toEqual(['c', 'd']);
    expect(selection.start).toEqual({ lastEventTime: '2026-12-01T10:00:02Z', eventIds: ['b'] });
    expect(selection.more).toBe(false);
  });

  it('takes events after the cursor, including unseen ones at the cursor time, capped per poll', () => {
    const log = [
      vvpEvent('a', 1),
      vvpEvent('b', 2),
      vvpEvent('c', 2),
      vvpEvent('d', 3),
      vvpEvent('e', 4),
      vvpEvent('f', 5),
    ];
    const cursor = { lastEventTime: '2026-12-01T10:00:02Z', eventIds: ['b'] };
    const selection = selectEventsToMirror(log, cursor, limits);
    expect(selection.batch.map((event) => event.id)).toEqual(['c', 'd', 'e']);
    expect(selection.more).toBe(true);
  });

  it('orders by instant whatever the offset, and drops events without an id and duplicates', () => {
    const late = vvpEvent('late', 0);
    late.metadata = { ...late.metadata, createdAt: '2026-12-01T11:00:00+01:00' };
    const log: VvpEvent[] = [
      vvpEvent('x', 30),
      late,
      { metadata: { name: 'GENERAL_FAILURE' } },
      late,
    ];
    const selection = selectEventsToMirror(log, {}, { firstSight: 5, perPoll: 10 });
    expect(selection.batch.map((event) => event.id)).toEqual(['late', 'x']);
  });

  it('classifies failure-like names as warnings', () => {
    expect(isFailureLike('FAILED_CREATING_A_NEW_JOB')).toBe(true);
    expect(isFailureLike('TOO_MANY_FAILED_SUSPENSION_ATTEMPTS')).toBe(true);
    expect(isFailureLike('AN_UNRECOVERABLE_FAILURE_WHILE_TAKING_A_SAVEPOINT')).toBe(true);
    expect(isFailureLike('RESOURCE_QUOTA_EXCEEDED')).toBe(true);
    expect(isFailureLike('JOB_IS_NOT_CONFIGURED_WITH_SAVEPOINT_SUPPORT')).toBe(true);
    expect(isFailureLike('JOB_SUCCESSFULLY_STARTED')).toBe(false);
    expect(isFailureLike('STATE_TRANSITION_IS_COMPLETED')).toBe(false);
  });

  it('names Events after the VVP event and the involved object', () => {
    const name = mirroredEventName(OBJECT, 'e-1');
    expect(name).toBe(mirroredEventName(structuredClone(OBJECT), 'e-1'));
    expect(name).not.toBe(mirroredEventName(OBJECT, 'e-2'));
    const recreated = { ...OBJECT, metadata: { ...OBJECT.metadata, uid: 'uid-2' } };
    expect(name).not.toBe(mirroredEventName(recreated, 'e-1'));
    expect(name.startsWith('wordcount.')).toBe(true);
  });
});

describe('mirroring VVP events exactly once', () => {
  it('posts each event once across polls and a restart, also after the Kubernetes Events expired', async () => {
    const log = [vvpEvent('a', 1), vvpEvent('b', 1), vvpEvent('c', 2)];
    const kube = new FakeKubernetesEvents();

    const first = await poll(log, kube, undefined);
    expect(first).toMatchObject({ posted: 3, more: false });
    expect(kube.created.map((event) => event.reason)).toEqual([
      'CREATING_A_NEW_JOB',
      'CREATING_A_NEW_JOB',
      'CREATING_A_NEW_JOB',
    ]);
    expect(first.cursor).toEqual({ lastEventTime: '2026-12-01T10:00:02Z', eventIds: ['c'] });

    // Two more events, one at the cursor's time; then a "restart": only the persisted cursor
    // survives, and the Kubernetes Events have expired meanwhile.
    log.push(vvpEvent('d', 2, 'FAILED_CREATING_A_NEW_JOB'), vvpEvent('e', 3));
    const persisted = structuredClone(first.cursor);
    kube.expire();
    const second = await poll(log, kube, persisted);
    expect(second.posted).toBe(2);
    expect(kube.created.slice(3).map((event) => [event.type, event.reason])).toEqual([
      ['Warning', 'FAILED_CREATING_A_NEW_JOB'],
      ['Normal', 'CREATING_A_NEW_JOB'],
    ]);

    kube.expire();
    const third = await poll(log, kube, second.cursor);
    expect(third).toEqual({ cursor: second.cursor, posted: 0, more: false });
    expect(kube.created).toHaveLength(5);
  });

  it('a status write lost after posting re-posts nothing (the Event names exist)', async () => {
    const log = [vvpEvent('a', 1), vvpEvent('b', 2)];
    const kube = new FakeKubernetesEvents();
    await poll(log, kube, {});
    const again = await poll(log, kube, {});
    expect(again.posted).toBe(0);
    expect(kube.created).toHaveLength(2);
  });

  it('on first sight mirrors the newest few only, then everything new', async () => {
    const log = Array.from({ length: 12 }, (_, index) => vvpEvent(`e${index}`, index));
    const kube = new FakeKubernetesEvents();
    const first = await poll(log, kube, undefined);
    expect(first.posted).toBe(5);
    expect(kube.created.map((event) => event.note)).toEqual(
      ['e7', 'e8', 'e9', 'e10', 'e11'].map((id) => expect.stringContaining(`message ${id}`)),
    );
    log.push(vvpEvent('new', 40));
    const second = await poll(log, kube, first.cursor);
    expect(second.posted).toBe(1);
  });

  it("gives each Kubernetes Event the VVP event's own time", async () => {
    const kube = new FakeKubernetesEvents();
    await poll([vvpEvent('a', 7)], kube, {});
    expect(kube.created.map((event) => event.occurredAt?.toISOString())).toEqual([
      '2026-12-01T10:00:07.000Z',
    ]);
  });

  it('caps each poll and resumes where it stopped', async () => {
    const log = Array.from({ length: 45 }, (_, index) => vvpEvent(`e${index}`, index));
    const kube = new FakeKubernetesEvents();
    let cursor: EventCursor = {};
    const counts: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      const result = await poll(log, kube, cursor);
      counts.push(result.posted);
      cursor = result.cursor;
      if (!result.more) break;
    }
    expect(counts).toEqual([20, 20, 5]);
    expect(new Set(kube.created.map((event) => event.note)).size).toBe(45);
  });

  it('a failed post stops the batch and the cursor covers only what is in Kubernetes', async () => {
    const log = [vvpEvent('a', 1), vvpEvent('b', 2), vvpEvent('c', 3)];
    const kube = new FakeKubernetesEvents();
    const first = await poll(log, kube, undefined);
    expect(first.posted).toBe(3);
    log.push(vvpEvent('d', 4), vvpEvent('e', 5));
    kube.failNext = 1;
    const failed = await poll(log, kube, first.cursor);
    expect(failed).toEqual({ cursor: first.cursor, posted: 0, more: true });
    const retried = await poll(log, kube, failed.cursor);
    expect(retried.posted).toBe(2);
    expect(kube.created).toHaveLength(5);
  });

  it('a first post that fails keeps the first-sight start, so the history stays unmirrored', async () => {
    const log = Array.from({ length: 8 }, (_, index) => vvpEvent(`e${index}`, index));
    const kube = new FakeKubernetesEvents();
    kube.failNext = 1;
    const failed = await poll(log, kube, undefined);
    expect(failed.cursor).toEqual({ lastEventTime: '2026-12-01T10:00:02Z', eventIds: ['e2'] });
    const retried = await poll(log, kube, failed.cursor);
    expect(retried.posted).toBe(5);
  });
});
