// What the hostile-input, hostile-VVP and security scenarios check about the running operator:
// it is the same process and healthy, it does not hammer VVP or the API server, it leaves VVP
// objects it does not own byte for byte as they were, and it never logs a secret.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import type { RequestLogEntry } from '../../../src/simulator';
import { testCluster } from '../../support/cluster';
import { readClusterState } from '../../support/cluster-state';
import { readCustomObject, type CustomResource } from '../../support/custom-resources';
import { kubectl } from '../../support/kube-cli';
import { httpStatus, loggedPort, type ManagerRun } from '../../support/manager-process';
import type { OperatorTestbed } from '../../support/operator-testbed';

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** One line of the suite's figures on standard error, where CI logs show it unframed. */
export function printFigures(scenario: string, figures: Record<string, number | string>): void {
  const text = Object.entries(figures)
    .map(([name, value]) => `${name}: ${String(value)}`)
    .join(', ');
  process.stderr.write(`[chaos] ${scenario}: ${text}\n`);
}

/** The outcome of `kubectl apply` as the cluster administrator: its output either way. */
export interface ApplyOutcome {
  accepted: boolean;
  output: string;
}

let fileCount = 0;

/**
 * `kubectl apply` of a manifest (an object, or text written exactly as given); with `rawPath`,
 * `kubectl create --raw` sends the text to that API path byte for byte.
 */
export async function applyAsAdmin(
  manifest: object | string,
  rawPath?: string,
): Promise<ApplyOutcome> {
  const file = join(readClusterState().scratchDir, `hostile-${process.pid}-${fileCount++}.yaml`);
  writeFileSync(file, typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  const args =
    rawPath === undefined ? ['apply', '-f', file] : ['create', '--raw', rawPath, '-f', file];
  try {
    return { accepted: true, output: await kubectl(testCluster().adminKubeconfigPath, args) };
  } catch (error) {
    return { accepted: false, output: error instanceof Error ? error.message : String(error) };
  }
}

/** Runs `work` over `items`, at most `limit` at a time (kubectl processes on a busy machine). */
export async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The manager's identity and health endpoint, to prove later that it never restarted. */
export interface ManagerIdentity {
  pid: number;
  healthUrl: string;
}

export async function managerIdentity(run: ManagerRun): Promise<ManagerIdentity> {
  const port = await loggedPort(run, 'serving health probes at /healthz and /readyz');
  const pid = run.child.pid;
  if (pid === undefined) throw new Error('the manager has no PID');
  return { pid, healthUrl: `http://127.0.0.1:${port}/healthz` };
}

/** The same manager process is alive and answers /healthz, and it printed nothing on stderr. */
export async function expectSameHealthyManager(
  bed: OperatorTestbed,
  identity: ManagerIdentity,
): Promise<void> {
  expect(bed.operator.child.pid).toBe(identity.pid);
  expect(bed.operator.child.exitCode).toBeNull();
  expect(bed.operator.child.signalCode).toBeNull();
  expect(await httpStatus(identity.healthUrl)).toBe(200);
  expect(bed.operator.stderr.join('')).toBe('');
}

/** VVP's version, which every reconcile of some kinds reads: not about one object. */
export const SYSTEM_INFO_PATH = '/api/v1/status/system-info';

/** Requests per VVP URL (path and query: each names one object) in `entries`, highest first. */
export function requestsPerPath(entries: readonly RequestLogEntry[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(entry.url, (counts.get(entry.url) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** A custom resource to watch for writes: its plural, name and namespace. */
export interface WatchedObject {
  plural: string;
  name: string;
  namespace?: string;
}

async function readAll(objects: readonly WatchedObject[]): Promise<(CustomResource | undefined)[]> {
  return Promise.all(
    objects.map((object) => readCustomObject(object.plural, object.name, object.namespace)),
  );
}

/**
 * Watches `objects` and the VVP request log for `windowMs` after they have been reported:
 * no CR is written again (its resourceVersion stays) and no VVP path gets more than
 * `maxPerPath` requests (the periodic read of each object, not a retry loop).
 */
export async function expectQuiet(
  bed: OperatorTestbed,
  objects: readonly WatchedObject[],
  options: { windowMs: number; maxPerPath: number },
): Promise<{ requests: number; busiestPath: string; busiestCount: number }> {
  // Let the last writes of reporting land (Ready after Synced, an Event) before watching.
  await sleep(2_500);
  const before = await readAll(objects);
  bed.simulator.admin.clearRequests();
  await sleep(options.windowMs);
  const { entries } = bed.simulator.admin.requests();
  const after = await readAll(objects);
  const rewritten = objects.flatMap((object, index) =>
    before[index]?.metadata.resourceVersion === after[index]?.metadata.resourceVersion
      ? []
      : [
          `${object.plural}/${object.name}: status ${JSON.stringify(before[index]?.status)} became ${JSON.stringify(after[index]?.status)}`,
        ],
  );
  expect(rewritten).toEqual([]);
  const perPath = requestsPerPath(entries).filter(([url]) => url !== SYSTEM_INFO_PATH);
  const [busiestPath, busiestCount] = perPath[0] ?? ['none', 0];
  expect(perPath.filter(([, count]) => count > options.maxPerPath)).toEqual([]);
  // The version read is shared: at most one per object and resync period (2 s).
  const versionReads = entries.filter((entry) => entry.url === SYSTEM_INFO_PATH).length;
  expect(versionReads).toBeLessThanOrEqual(objects.length * (options.windowMs / 2_000 + 1));
  return { requests: entries.length, busiestPath, busiestCount };
}

/**
 * VVP objects the operator has no business with, seeded before it starts: their exact JSON
 * afterwards must be what it was.
 */
export interface UnrelatedObjects {
  paths: string[];
  snapshot(): Promise<string[]>;
}

export function unrelatedObjects(bed: OperatorTestbed, paths: string[]): UnrelatedObjects {
  return {
    paths,
    snapshot: () => Promise.all(paths.map(async (path) => (await bed.vvp('GET', path)).text)),
  };
}

/** Every form in which a secret value could show up in a log line: as is and base64. */
function secretForms(value: string): string[] {
  return [value, Buffer.from(value).toString('base64'), encodeURIComponent(value)];
}

/**
 * No secret value (nor its base64 form) and no bearer credential appears in anything the
 * manager wrote; returns how many lines were checked.
 */
export function expectNoSecretsLogged(run: ManagerRun, secrets: readonly string[]): number {
  const lines = [...run.stdout, ...run.stderr.join('').split('\n')].filter((line) => line !== '');
  const leaks: string[] = [];
  for (const line of lines) {
    for (const secret of secrets) {
      if (secretForms(secret).some((form) => line.includes(form))) {
        leaks.push(`${secret.slice(0, 6)}… in: ${line.slice(0, 200)}`);
      }
    }
    if (/bearer\s+(?!\[REDACTED\])[A-Za-z0-9._~+/-]{8,}/i.test(line)) {
      leaks.push(`a bearer credential in: ${line.slice(0, 200)}`);
    }
  }
  expect(leaks).toEqual([]);
  return lines.length;
}

const NAMESPACED_KINDS = 'vpsavepoints,vpdeployments,vpdeploymenttargets';

/**
 * Removes every custom resource of `namespace` while its manager still runs, leaving VVP as it
 * is (force-orphan), so that the managers of later test files never see them.
 */
export async function removeCustomResources(namespace: string): Promise<void> {
  const admin = testCluster().adminKubeconfigPath;
  await kubectl(admin, [
    'annotate',
    NAMESPACED_KINDS,
    '--all',
    '-n',
    namespace,
    '--overwrite',
    'vpoperator.dev/force-orphan=true',
  ]);
  await kubectl(admin, ['delete', NAMESPACED_KINDS, '--all', '-n', namespace, '--timeout=60s']);
}
