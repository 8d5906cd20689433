import { VP_DEPLOYMENT } from '../api';
import { findCondition, type Condition } from '../controller/conditions';
import type { Logger } from '../logging';
import { eventually } from '../testing/eventually';
import { describeExample, type ExampleObject } from './examples';

/** Runs kubectl as the cluster administrator and returns its standard output. */
export type Kubectl = (...args: string[]) => Promise<string>;

/** The action of the Kubernetes Events the operator mirrors from VVP's event log. */
export const MIRRORED_EVENT_ACTION = 'VvpEvent';

const POLL_INTERVAL_MS = 1_000;

interface ListedObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string; generation?: number };
  status?: { conditions?: Condition[] };
}

/** The fields of an events.k8s.io/v1 Event the demo reads. */
export interface ListedEvent {
  eventTime?: string;
  metadata?: { creationTimestamp?: string };
  regarding?: { kind?: string; name?: string; namespace?: string };
  type?: string;
  reason?: string;
  action?: string;
  note?: string;
}

/** Every events.k8s.io Event in the cluster. */
export async function listEvents(kubectl: Kubectl): Promise<ListedEvent[]> {
  const list = JSON.parse(
    await kubectl('get', 'events.events.k8s.io', '--all-namespaces', '-o', 'json'),
  ) as { items?: ListedEvent[] };
  return list.items ?? [];
}

/** One example as the API server has it. */
export interface ExampleState {
  example: ExampleObject;
  /** Undefined while the API server has no such object. */
  conditions: Condition[] | undefined;
  ready: boolean;
  /** False only for a VpDeployment none of whose VVP events is mirrored yet. */
  eventsMirrored: boolean;
}

/**
 * Ready=True for the current generation: what each reconciler reports once its VVP object is
 * usable (a namespace ACTIVE, a target created, a deployment RUNNING with its job, a savepoint
 * COMPLETED). A condition computed for an older generation is no answer yet.
 */
function isReady(object: ListedObject): boolean {
  const ready = findCondition(object.status?.conditions, 'Ready');
  if (ready?.status !== 'True') return false;
  const generation = object.metadata?.generation;
  return ready.observedGeneration === undefined || ready.observedGeneration === generation;
}

function isExample(
  example: ExampleObject,
  reference: { kind?: string; name?: string; namespace?: string } | undefined,
): boolean {
  return (
    example.kind === reference?.kind &&
    example.name === reference.name &&
    (example.namespace ?? '') === (reference.namespace ?? '')
  );
}

/** Looks once at the examples' objects and their Events. */
export async function examineExamples(
  kubectl: Kubectl,
  examples: readonly ExampleObject[],
): Promise<ExampleState[]> {
  const objects = (
    JSON.parse(await kubectl('get', 'vp', '--all-namespaces', '-o', 'json')) as {
      items?: ListedObject[];
    }
  ).items;
  const events = await listEvents(kubectl);
  return examples.map((example) => {
    const object = objects?.find((item) =>
      isExample(example, {
        kind: item.kind,
        name: item.metadata?.name,
        namespace: item.metadata?.namespace,
      }),
    );
    const mirrorsEvents = example.kind === VP_DEPLOYMENT.kind;
    return {
      example,
      conditions: object === undefined ? undefined : (object.status?.conditions ?? []),
      ready: object !== undefined && isReady(object),
      eventsMirrored:
        !mirrorsEvents ||
        events.some(
          (event) => event.action === MIRRORED_EVENT_ACTION && isExample(example, event.regarding),
        ),
    };
  });
}

function isDone(state: ExampleState): boolean {
  return state.ready && state.eventsMirrored;
}

/** `VpDeployment default/top-speed-windowing: Ready=False (Failed: …), Synced=True (Synced)`. */
export function describeState(state: ExampleState): string {
  const conditions =
    state.conditions === undefined
      ? 'not found in the cluster'
      : state.conditions.length === 0
        ? 'no conditions yet (not reconciled)'
        : state.conditions
            .map(
              (condition) =>
                `${condition.type}=${condition.status} (${condition.reason}` +
                `${condition.message === '' ? '' : `: ${condition.message}`})`,
            )
            .join(', ');
  const events = state.eventsMirrored ? '' : '; no VVP event mirrored yet';
  return `${describeExample(state.example)}: ${conditions}${events}`;
}

/** Not every example became Ready (with its VVP events mirrored) in time. */
export class ExamplesNotReadyError extends Error {
  constructor(
    readonly states: ExampleState[],
    timeoutMs: number,
  ) {
    const pending = states.filter((state) => !isDone(state));
    super(
      `Not Ready after ${Math.round(timeoutMs / 1000)} s:\n` +
        pending.map((state) => `  ${describeState(state)}`).join('\n'),
    );
    this.name = 'ExamplesNotReadyError';
  }
}

/**
 * Waits until every example is Ready and each VpDeployment's VVP events show as Kubernetes
 * Events; a timeout throws ExamplesNotReadyError naming each object that is not, with its
 * conditions.
 */
export async function waitForExamples(
  kubectl: Kubectl,
  examples: readonly ExampleObject[],
  options: { timeoutMs: number; logger: Logger },
): Promise<ExampleState[]> {
  let last: ExampleState[] = examples.map((example) => ({
    example,
    conditions: undefined,
    ready: false,
    eventsMirrored: false,
  }));
  const reported = new Set<string>();
  try {
    return await eventually(
      `${String(examples.length)} examples to become Ready`,
      async () => {
        last = await examineExamples(kubectl, examples);
        for (const state of last) {
          const name = describeExample(state.example);
          if (isDone(state) && !reported.has(name)) {
            reported.add(name);
            options.logger.info(`${name} is Ready`);
          }
        }
        return last.every(isDone) ? last : undefined;
      },
      { timeoutMs: options.timeoutMs, intervalMs: POLL_INTERVAL_MS, logger: options.logger },
    );
  } catch {
    throw new ExamplesNotReadyError(last, options.timeoutMs);
  }
}
