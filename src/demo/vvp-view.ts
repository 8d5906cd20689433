import { Registry } from 'prom-client';
import { createLogger } from '../logging';
import { VvpClient } from '../vvp';
import type { Deployment } from '../vvp/types';
import { formatTable } from './table';

/** VVP's id prefix is enough to tell objects apart in a table. */
const SHORT_ID_LENGTH = 8;
/** The newest events per deployment; the full log is one GET away. */
const EVENTS_SHOWN = 8;

function shortId(id: string | undefined): string {
  return id === undefined ? '-' : id.slice(0, SHORT_ID_LENGTH);
}

function deploymentState(deployment: Deployment): string {
  const observed = deployment.status?.state ?? '?';
  const desired = deployment.spec?.state ?? '?';
  return observed === desired ? observed : `${observed} (desired ${desired})`;
}

/**
 * What VVP holds, read over its REST APIs with the operator's own client, as tables: the
 * namespaces with their targets, deployments and savepoints, then each deployment's newest
 * events. Anonymous calls: the demo's simulator runs with open authentication.
 */
export async function describeVvp(baseUrl: string): Promise<string> {
  const vvp = new VvpClient({
    appManagerApiUrl: `${baseUrl}/api`,
    platformApiUrl: baseUrl,
    tokens: { tokenFor: () => Promise.resolve(undefined) },
    logger: createLogger({ destination: { write: () => undefined } }),
    registry: new Registry(),
  });
  const objects: string[][] = [];
  const events: string[][] = [];
  for (const namespace of await vvp.namespaces().list()) {
    const name = (namespace.name ?? '').replace(/^namespaces\//, '');
    objects.push([name, 'Namespace', name, namespace.lifecyclePhase ?? '-', '']);
    for (const target of await vvp.deploymentTargets(name).list()) {
      objects.push([
        name,
        'DeploymentTarget',
        target.metadata?.name ?? '-',
        '-',
        `Kubernetes namespace ${target.spec?.kubernetes?.namespace ?? '-'}`,
      ]);
    }
    const deployments = await vvp.deployments(name).list();
    for (const deployment of deployments) {
      const jobId = deployment.status?.running?.jobId;
      objects.push([
        name,
        'Deployment',
        deployment.metadata?.name ?? '-',
        deploymentState(deployment),
        jobId === undefined ? 'no running job' : `job ${shortId(jobId)}`,
      ]);
    }
    for (const savepoint of await vvp.savepoints(name).list()) {
      const of = deployments.find(
        (deployment) => deployment.metadata?.id === savepoint.metadata?.deploymentId,
      );
      objects.push([
        name,
        'Savepoint',
        shortId(savepoint.metadata?.id),
        savepoint.status?.state ?? '-',
        `${savepoint.metadata?.origin ?? '?'} of ${of?.metadata?.name ?? '?'}, at ` +
          (savepoint.spec?.savepointLocation ?? 'no location yet'),
      ]);
    }
    for (const deployment of deployments) {
      const listed = await vvp.events(name).list({ deploymentId: deployment.metadata?.id ?? '' });
      const newest = [...listed]
        .sort((a, b) => (a.metadata?.createdAt ?? '').localeCompare(b.metadata?.createdAt ?? ''))
        .slice(-EVENTS_SHOWN);
      for (const event of newest) {
        events.push([
          event.metadata?.createdAt ?? '-',
          `${name}/${deployment.metadata?.name ?? '-'}`,
          event.metadata?.name ?? '-',
          event.spec?.message ?? '',
        ]);
      }
    }
  }
  return [
    formatTable(['VVP NAMESPACE', 'KIND', 'NAME', 'STATE', 'DETAIL'], objects),
    events.length === 0
      ? 'No VVP events.\n'
      : formatTable(['TIME', 'DEPLOYMENT', 'VVP EVENT', 'MESSAGE'], events),
  ].join('\n');
}
