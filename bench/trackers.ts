// What the benchmark watches on the API server, as any client would: when each VpDeployment
// first reports Ready=True, and when each mirrored VVP event arrives as a Kubernetes Event.
import type { KubeConfig } from '@kubernetes/client-node';
import { VP_DEPLOYMENT } from '../src/api';
import {
  findCondition,
  type Condition,
  systemClock,
  type ResourceDescriptor,
} from '../src/controller';
import { ResilientInformer } from '../src/controller/informer';
import type { KubeObject } from '../src/controller/kube-object';
import type { Logger } from '../src/logging';

const EVENT: ResourceDescriptor = {
  group: 'events.k8s.io',
  version: 'v1',
  plural: 'events',
  kind: 'Event',
  namespaced: true,
};

/** The `action` of Events the operator mirrors from VVP (src/reconcilers/event-mirror.ts). */
const MIRRORED_ACTION = 'VvpEvent';

interface TrackedDeployment extends KubeObject {
  status?: { id?: string; conditions?: Condition[] };
}

interface TrackedEvent extends KubeObject {
  eventTime?: string | Date;
  action?: string;
  reason?: string;
  note?: string;
  regarding?: { uid?: string };
}

/** Records, per VpDeployment name, the first time (ms) this client saw it Ready=True. */
export class ReadyTracker {
  readonly #informer: ResilientInformer<TrackedDeployment>;
  readonly #readyAt = new Map<string, number>();

  constructor(kubeConfig: KubeConfig, namespace: string, logger: Logger) {
    const seen = (object: TrackedDeployment): void => {
      const name = object.metadata?.name ?? '';
      if (this.#readyAt.has(name)) return;
      if (findCondition(object.status?.conditions, 'Ready')?.status === 'True') {
        this.#readyAt.set(name, Date.now());
      }
    };
    this.#informer = new ResilientInformer<TrackedDeployment>(
      { kubeConfig, resource: VP_DEPLOYMENT, namespace, logger, clock: systemClock },
      { onAdd: seen, onUpdate: seen, onDelete: () => undefined },
    );
  }

  get readyCount(): number {
    return this.#readyAt.size;
  }

  readyAt(name: string): number | undefined {
    return this.#readyAt.get(name);
  }

  /** VVP deployment id (status.id) → uid of the VpDeployment, for matching mirrored Events. */
  uidsByVvpId(): Map<string, string> {
    const uids = new Map<string, string>();
    for (const object of this.#informer.list()) {
      const id = object.status?.id;
      const uid = object.metadata?.uid;
      if (id !== undefined && uid !== undefined) uids.set(id, uid);
    }
    return uids;
  }

  start(): Promise<void> {
    return startSynced(this.#informer);
  }

  stop(): Promise<void> {
    return this.#informer.stop();
  }
}

/** One mirrored Event as the benchmark saw it arrive. */
export interface ArrivedEvent {
  name: string;
  /** When this client received it (ms). */
  arrivedAt: number;
  /** Its eventTime: VVP's own time of the event (ms). */
  occurredAt: number;
  /** What identifies the VVP event whatever the Event's name; see {@link mirroredIdentity}. */
  identity: string;
}

/**
 * A VVP event's identity as its mirror shows it: the object it is about, the event name
 * (reason), VVP's time (eventTime) and message (note). Two Events with one identity are one
 * VVP event posted twice.
 */
export function mirroredIdentity(
  uid: string,
  reason: string,
  occurredAt: number,
  note: string,
): string {
  return [uid, reason, occurredAt, note].join('\u0000');
}

/** Records every mirrored VVP event that arrives as a Kubernetes Event. */
export class MirroredEventTracker {
  readonly #informer: ResilientInformer<TrackedEvent>;
  readonly #arrived = new Map<string, ArrivedEvent>();

  constructor(kubeConfig: KubeConfig, namespace: string, logger: Logger) {
    const seen = (event: TrackedEvent): void => {
      const name = event.metadata?.name ?? '';
      if (event.action !== MIRRORED_ACTION || this.#arrived.has(name)) return;
      const occurredAt = new Date(event.eventTime ?? NaN).getTime();
      this.#arrived.set(name, {
        name,
        arrivedAt: Date.now(),
        occurredAt,
        identity: mirroredIdentity(
          event.regarding?.uid ?? '',
          event.reason ?? '',
          occurredAt,
          event.note ?? '',
        ),
      });
    };
    this.#informer = new ResilientInformer<TrackedEvent>(
      { kubeConfig, resource: EVENT, namespace, logger, clock: systemClock },
      { onAdd: seen, onUpdate: seen, onDelete: () => undefined },
    );
  }

  get count(): number {
    return this.#arrived.size;
  }

  arrived(): ArrivedEvent[] {
    return [...this.#arrived.values()];
  }

  start(): Promise<void> {
    return startSynced(this.#informer);
  }

  stop(): Promise<void> {
    return this.#informer.stop();
  }
}

async function startSynced<T extends KubeObject>(informer: ResilientInformer<T>): Promise<void> {
  informer.start();
  const deadline = Date.now() + 60_000;
  while (!informer.synced) {
    if (Date.now() > deadline) throw new Error('a benchmark watch did not sync within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
