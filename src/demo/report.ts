import { VP_DEPLOYMENT } from '../api';
import type { ExampleObject } from './examples';
import { MIRRORED_EVENT_ACTION, listEvents, type Kubectl, type ListedEvent } from './readiness';
import { formatTable } from './table';
import type { DemoStack } from './stack';

/** Notes longer than this are cut in the table; `kubectl describe` shows them whole. */
const MAX_NOTE_LENGTH = 110;

function eventTime(event: ListedEvent): string {
  return event.eventTime ?? event.metadata?.creationTimestamp ?? '';
}

/**
 * The Events about the examples, oldest first by their microsecond `eventTime`, marking the
 * ones mirrored from VVP's event log.
 */
function formatEvents(events: ListedEvent[]): string {
  if (events.length === 0) return 'No Events.';
  const sorted = [...events].sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
  return formatTable(
    ['TIME', 'OBJECT', 'FROM', 'TYPE', 'REASON', 'NOTE'],
    sorted.map((event) => {
      const note = event.note ?? '';
      return [
        eventTime(event).replace(/^.*T(\d\d:\d\d:\d\d(?:\.\d{3})?).*$/, '$1'),
        `${event.regarding?.kind ?? '?'}/${event.regarding?.name ?? '?'}`,
        event.action === MIRRORED_EVENT_ACTION ? 'VVP' : 'operator',
        event.type ?? '',
        event.reason ?? '',
        note.length > MAX_NOTE_LENGTH ? `${note.slice(0, MAX_NOTE_LENGTH - 1)}…` : note,
      ];
    }),
  );
}

/** `kubectl get vp -A -o wide`, and the Events about the operator's objects. */
export async function describeCluster(
  kubectl: Kubectl,
): Promise<{ objects: string; events: string }> {
  const objects = await kubectl('get', 'vp', '--all-namespaces', '-o', 'wide');
  const ours = (await listEvents(kubectl)).filter((event) =>
    (event.regarding?.kind ?? '').startsWith('Vp'),
  );
  return { objects, events: formatEvents(ours) };
}

/** How to reach what runs: kubectl, the simulator, the manager. */
export function describeHowToUse(stack: DemoStack, examples: readonly ExampleObject[]): string {
  const { controlPlane, simulator, tools } = stack;
  const deployment = examples.find((example) => example.kind === VP_DEPLOYMENT.kind);
  return [
    'In another shell:',
    `  export KUBECONFIG=${controlPlane.adminKubeconfigPath}`,
    `  alias kubectl=${tools.kubectl}   # the kubectl the demo uses; any recent one works`,
    '  kubectl get vp -A',
    ...(deployment === undefined
      ? []
      : [`  kubectl describe vpdeployment ${deployment.name} -n ${deployment.namespace ?? ''}`]),
    `  curl ${simulator.url}/namespaces/v1/namespaces`,
    '',
    `  Kubernetes API:   ${controlPlane.server}`,
    `  VVP simulator:    ${simulator.url}  (AppManager API ${simulator.url}/api, admin API ${simulator.url}/_simulator/v1)`,
    `  manager:          ${stack.healthProbeUrl}, log ${stack.manager.logPath}`,
    `  control plane:    logs in ${controlPlane.logDir}`,
  ].join('\n');
}
