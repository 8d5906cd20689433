// The benchmark runs: N VpDeployments applied at once against bin/manager (default settings) on
// the local control plane and the VVP simulator, measured from the outside (API server watch,
// simulator request log, /proc) and explained from the inside (the manager's /metrics).
import { randomBytes } from 'node:crypto';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION } from '../src/api';
import { createLogger, type Logger } from '../src/logging';
import type { RequestLogEntry } from '../src/simulator';
import { adminKubeConfig } from '../test/support/cluster';
import { logRecords } from '../test/support/manager-process';
import { call } from '../test/support/simulator';
import { BENCH_ADMIN_TOKEN, VVP_NAMESPACE, deploymentManifest, openBed, type Bed } from './bed';
import { sampleProcess, cpuCores, type ProcessSample } from './process-stats';
import { delta, type Scrape } from './prometheus';
import {
  WRITE_VERBS,
  apiRequestsByKind,
  apiSecondsByKind,
  scrapeApiServer,
  scrapeManager,
} from './scrapes';
import { distribution, type Distribution } from './statistics';
import { MirroredEventTracker, ReadyTracker, mirroredIdentity } from './trackers';

export interface BenchmarkOptions {
  /** The N of the convergence runs and the scaling curve. */
  sizes: number[];
  /** Repetitions of each N (medians are taken over them). */
  repetitions: number;
  /** Fewer repetitions for N at or above `largeFrom` (each takes minutes). */
  largeRepetitions: number;
  largeFrom: number;
  /** Simulated VVP latency per request (ms). */
  latencyMs: number;
  /** Simulated duration of each VVP lifecycle phase, e.g. a job start (ms). */
  transitionMs: number;
  /** N at which, after the first repetition converged, the steady state and idle footprint are measured. */
  steadyStateSizes: number[];
  /** Length of that window: the manager's resync period (60 s by default). */
  steadyWindowSeconds: number;
  /** N at which the manager is restarted after the first repetition to time startup-to-ready. */
  startupSizes: number[];
  /** Parallel creates of the benchmark client (kubectl apply of many files would be slower). */
  createConcurrency: number;
  /** Benchmark the compiled manager the container image runs (`npm run build`), not bin/manager. */
  compiled: boolean;
  /**
   * Wall-clock time (ms) by which the benchmark should end: a further repetition of an N is
   * skipped when the first one's duration says it would end later. The first run of every N
   * always runs.
   */
  deadline?: number;
}

export interface VvpCalls {
  total: number;
  byMethod: Record<string, number>;
  byOperation: Record<string, number>;
}

export interface KubeCalls {
  /** Every resource request in the window, the benchmark's own creates excluded. */
  total: number;
  writes: number;
  /** `VERB resource[/subresource]` → count, writes only. */
  writesByKind: Record<string, number>;
  readsByKind: Record<string, number>;
}

/** Where the reconciles' time went (sums over the window, seconds). */
export interface TimeBreakdown {
  reconciles: number;
  reconcileSeconds: number;
  /** Time keys waited in the work queue for a free worker. */
  queueSeconds: number;
  queuedItems: number;
  vvpRequests: number;
  /** Time on the wire to VVP, including the simulated latency. */
  vvpRequestSeconds: number;
  /** Time VVP requests waited for the global rate limiter (rate, burst, max in flight). */
  rateLimitWaitSeconds: number;
  /** The API server's own time for the operator's writes (server side). */
  kubeWriteSeconds: number;
}

export interface MirroringFigures {
  /** VVP events of the run's deployments (simulator). */
  vvpEvents: number;
  /** Kubernetes Events the operator mirrored (API server watch). */
  mirrored: number;
  /** VVP events without a Kubernetes Event. */
  missing: number;
  /** Kubernetes Events beyond the first for one VVP event. */
  duplicates: number;
  /** Seconds from the VVP event's time to the Event's arrival at a watching client. */
  delaySeconds: Distribution;
}

export interface SteadyStateFigures {
  windowSeconds: number;
  vvpCalls: VvpCalls;
  kubeCalls: KubeCalls;
  rssBytes: number;
  heapUsedBytes: number;
  /** Average share of one core over the window. */
  cpuCores: number;
}

export interface RunResult {
  n: number;
  repetition: number;
  /** Time to create the N objects (the benchmark client's part of the run). */
  applySeconds: number;
  /** From the first create until the last object was Ready. */
  convergenceSeconds: number;
  /** Per object: creation → Ready. */
  objectReadySeconds: Distribution;
  vvpCalls: VvpCalls;
  kubeCalls: KubeCalls;
  time: TimeBreakdown;
  /** Mean server-side latency of the operator's Kubernetes writes (s). */
  kubeWriteLatencySeconds: number;
  mirroring: MirroringFigures;
  rssAfterBytes: number;
  peakRssBytes: number;
  /** V8 heap in use after convergence (the manager's nodejs_heap_size_used_bytes). */
  heapUsedBytes: number;
  cpuSeconds: number;
  steadyState?: SteadyStateFigures;
  /** SIGKILL, start again: spawn → /readyz 200 with N objects in the cluster. */
  startupSeconds?: number;
  /** Of which: spawn → the manager's first log line (Node.js start, loading the sources). */
  startupBootSeconds?: number;
}

export type Progress = (message: string) => void;

const quietLogger: Logger = createLogger({ destination: { write: () => undefined } });
const PROGRESS_INTERVAL_MS = 5_000;
const POLL_MS = 100;

function repetitionsOf(options: BenchmarkOptions, n: number): number {
  return n >= options.largeFrom ? options.largeRepetitions : options.repetitions;
}

/**
 * Every run of the benchmark, N by N in the order given (put the most important first when
 * time is short), repetition by repetition; `afterRun` sees the results so far after each.
 */
export async function runBenchmark(
  options: BenchmarkOptions,
  progress: Progress,
  afterRun: (results: readonly RunResult[]) => Promise<void> = () => Promise.resolve(),
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const n of new Set(options.sizes)) {
    const repetitions = repetitionsOf(options, n);
    let firstRunMs = 0;
    for (let repetition = 1; repetition <= repetitions; repetition++) {
      const label = `N=${n} run ${repetition}/${repetitions}`;
      if (
        repetition > 1 &&
        options.deadline !== undefined &&
        Date.now() + firstRunMs > options.deadline
      ) {
        progress(`${label}: skipped, it would end after the deadline`);
        break;
      }
      const runStarted = Date.now();
      const result = await convergenceRun(options, n, repetition, label, progress);
      if (repetition === 1) firstRunMs = Date.now() - runStarted;
      progress(
        `${label}: converged in ${result.convergenceSeconds.toFixed(1)} s ` +
          `(${(n / result.convergenceSeconds).toFixed(1)} objects/s), ` +
          `${(result.vvpCalls.total / n).toFixed(2)} VVP calls and ` +
          `${(result.kubeCalls.writes / n).toFixed(2)} Kubernetes writes per object, ` +
          `RSS ${(result.rssAfterBytes / 2 ** 20).toFixed(0)} MiB`,
      );
      results.push(result);
      await afterRun(results);
    }
  }
  return results;
}

async function convergenceRun(
  options: BenchmarkOptions,
  n: number,
  repetition: number,
  label: string,
  progress: Progress,
): Promise<RunResult> {
  progress(`${label}: starting the simulator, namespaces, RBAC and bin/manager`);
  const instanceId = `bench-${n}-${repetition}-${randomBytes(3).toString('hex')}`;
  const bed = await openBed({
    latencyMs: options.latencyMs,
    transitionMs: options.transitionMs,
    instanceId,
    compiled: options.compiled,
  });
  const kubeConfig = adminKubeConfig();
  const ready = new ReadyTracker(kubeConfig, bed.appNamespace, quietLogger);
  const events = new MirroredEventTracker(kubeConfig, bed.appNamespace, quietLogger);
  const memory = new PeakMemory(managerPid(bed));
  try {
    await Promise.all([ready.start(), events.start()]);
    bed.simulator.admin.clearRequests();
    const before = await scrapeBoth(bed);
    const cpuBefore = await sampleProcess(managerPid(bed));
    memory.start();

    const names = Array.from({ length: n }, (_, i) => `bench-${String(i).padStart(5, '0')}`);
    const createdAt = new Map<string, number>();
    const started = Date.now();
    const ticker = setInterval(() => {
      progress(
        `${label}: ${createdAt.size}/${n} created, ${ready.readyCount}/${n} Ready, ` +
          `${events.count} VVP events mirrored, ${seconds(Date.now() - started)} s`,
      );
    }, PROGRESS_INTERVAL_MS);
    let applied: number;
    try {
      await createAll(names, bed, instanceId, options.createConcurrency, createdAt);
      applied = Date.now();
      await waitUntil(
        () => ready.readyCount >= n,
        readyTimeoutMs(options, n),
        () => `${label}: only ${ready.readyCount}/${n} Ready`,
      );
    } finally {
      clearInterval(ticker);
    }
    const readyTimes = names.map((name) => ready.readyAt(name) ?? Number.NaN);
    const converged = readyTimes.reduce((a, b) => (b > a ? b : a));
    // Events are posted before the status write that makes an object Ready; let the watch
    // deliver the last of them.
    await sleep(1_000);
    const after = await scrapeBoth(bed);
    const cpuAfter = await sampleProcess(managerPid(bed));
    memory.stop();
    const requests = bed.simulator.admin.requests();
    if (requests.dropped > 0)
      throw new Error(`the simulator's request log dropped ${requests.dropped} requests`);

    const result: RunResult = {
      n,
      repetition,
      applySeconds: (applied - started) / 1000,
      convergenceSeconds: (converged - started) / 1000,
      objectReadySeconds: distribution(
        names.map((name, i) => ((readyTimes[i] ?? 0) - (createdAt.get(name) ?? 0)) / 1000),
      ),
      vvpCalls: countVvpCalls(requests.entries),
      kubeCalls: countKubeCalls(before.apiServer, after.apiServer, n),
      time: timeBreakdown(before, after),
      kubeWriteLatencySeconds: kubeWriteLatency(before.apiServer, after.apiServer),
      mirroring: await mirroringFigures(bed, ready, events),
      rssAfterBytes: cpuAfter.rssBytes,
      peakRssBytes: Math.max(memory.peakBytes, cpuAfter.rssBytes),
      heapUsedBytes: after.manager.sum('nodejs_heap_size_used_bytes'),
      cpuSeconds: cpuAfter.cpuSeconds - cpuBefore.cpuSeconds,
    };
    if (repetition === 1 && options.steadyStateSizes.includes(n)) {
      result.steadyState = await steadyState(bed, options.steadyWindowSeconds, label, progress);
    }
    if (repetition === 1 && options.startupSizes.includes(n)) {
      progress(`${label}: restarting bin/manager with ${n} objects to time startup-to-ready`);
      await bed.stopManager();
      const restartAt = Date.now();
      await bed.startManager();
      result.startupSeconds = (Date.now() - restartAt) / 1000;
      const firstLog = logRecords(bed.manager)[0]?.time;
      if (typeof firstLog === 'string') {
        result.startupBootSeconds = (Date.parse(firstLog) - restartAt) / 1000;
      }
      progress(`${label}: ready ${result.startupSeconds.toFixed(1)} s after the start`);
    }
    return result;
  } finally {
    memory.stop();
    await Promise.all([ready.stop(), events.stop()]);
    await bed.close();
  }
}

function managerPid(bed: Bed): number {
  const pid = bed.manager.child.pid;
  if (pid === undefined) throw new Error('bin/manager has no process id');
  return pid;
}

/** Generous: a run that is merely slow is a result; one that never converges is a failure. */
function readyTimeoutMs(options: BenchmarkOptions, n: number): number {
  return 120_000 + n * 1_000 + options.transitionMs * 10;
}

async function createAll(
  names: readonly string[],
  bed: Bed,
  instanceId: string,
  concurrency: number,
  createdAt: Map<string, number>,
): Promise<void> {
  const api = adminKubeConfig().makeApiClient(CustomObjectsApi);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const name = names[next++] ?? '';
      await api.createNamespacedCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        namespace: bed.appNamespace,
        plural: 'vpdeployments',
        body: deploymentManifest(name, instanceId),
      });
      createdAt.set(name, Date.now());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
}

interface Scrapes {
  manager: Scrape;
  apiServer: Scrape;
}

async function scrapeBoth(bed: Bed): Promise<Scrapes> {
  const [manager, apiServer] = await Promise.all([
    scrapeManager(bed.metricsPort),
    scrapeApiServer(),
  ]);
  return { manager, apiServer };
}

export function countVvpCalls(entries: readonly RequestLogEntry[]): VvpCalls {
  const byMethod: Record<string, number> = {};
  const byOperation: Record<string, number> = {};
  for (const entry of entries) {
    byMethod[entry.method] = (byMethod[entry.method] ?? 0) + 1;
    const operation = entry.operationId ?? `${entry.method} (unknown path)`;
    byOperation[operation] = (byOperation[operation] ?? 0) + 1;
  }
  return { total: entries.length, byMethod, byOperation };
}

/** The creates of the benchmark client itself, taken out of the API server's counts. */
const BENCHMARK_CREATE = 'POST vpdeployments';
/**
 * Requests of the control plane itself: kube-apiserver renews its identity Lease every 10 s
 * (the manager holds none: leader election is off by default).
 */
const CONTROL_PLANE_KINDS = new Set(['PUT leases', 'GET leases']);

function countKubeCalls(before: Scrape, after: Scrape, benchmarkCreates: number): KubeCalls {
  const changes = delta(apiRequestsByKind(before), apiRequestsByKind(after));
  const created = changes.get(BENCHMARK_CREATE) ?? 0;
  if (benchmarkCreates > 0) changes.set(BENCHMARK_CREATE, created - benchmarkCreates);
  const writesByKind: Record<string, number> = {};
  const readsByKind: Record<string, number> = {};
  let total = 0;
  let writes = 0;
  for (const [kind, count] of changes) {
    if (count === 0 || CONTROL_PLANE_KINDS.has(kind)) continue;
    total += count;
    if (WRITE_VERBS.has(kind.split(' ')[0] ?? '')) {
      writes += count;
      writesByKind[kind] = count;
    } else {
      readsByKind[kind] = count;
    }
  }
  return { total, writes, writesByKind, readsByKind };
}

function operatorWriteSeconds(before: Scrape, after: Scrape): { seconds: number; count: number } {
  const seconds = delta(apiSecondsByKind(before), apiSecondsByKind(after));
  const counts = delta(apiRequestsByKind(before), apiRequestsByKind(after));
  let total = 0;
  let count = 0;
  for (const [kind, value] of seconds) {
    if (!WRITE_VERBS.has(kind.split(' ')[0] ?? '') || kind === BENCHMARK_CREATE) continue;
    if (CONTROL_PLANE_KINDS.has(kind)) continue;
    total += value;
    count += counts.get(kind) ?? 0;
  }
  return { seconds: total, count };
}

function kubeWriteLatency(before: Scrape, after: Scrape): number {
  const { seconds, count } = operatorWriteSeconds(before, after);
  return count === 0 ? 0 : seconds / count;
}

const CONTROLLER = { controller: 'vpdeployment' };
const QUEUE = { name: 'vpdeployment' };

function counterDelta(before: Scrape, after: Scrape, name: string, filter = {}): number {
  return after.sum(name, filter) - before.sum(name, filter);
}

function timeBreakdown(before: Scrapes, after: Scrapes): TimeBreakdown {
  const change = (name: string, filter = {}): number =>
    counterDelta(before.manager, after.manager, name, filter);
  return {
    reconciles: change('controller_runtime_reconcile_total', CONTROLLER),
    reconcileSeconds: change('controller_runtime_reconcile_time_seconds_sum', CONTROLLER),
    queueSeconds: change('workqueue_queue_duration_seconds_sum', QUEUE),
    queuedItems: change('workqueue_queue_duration_seconds_count', QUEUE),
    vvpRequests: change('vvp_api_request_duration_seconds_count'),
    vvpRequestSeconds: change('vvp_api_request_duration_seconds_sum'),
    rateLimitWaitSeconds: change('vvp_api_rate_limit_wait_seconds_sum'),
    kubeWriteSeconds: operatorWriteSeconds(before.apiServer, after.apiServer).seconds,
  };
}

interface ListedVvpEvent {
  metadata?: { deploymentId?: string; name?: string; createdAt?: string };
  spec?: { message?: string };
}

async function mirroringFigures(
  bed: Bed,
  ready: ReadyTracker,
  events: MirroredEventTracker,
): Promise<MirroringFigures> {
  const answer = await call(
    bed.simulator.url,
    'GET',
    `/api/v1/namespaces/${VVP_NAMESPACE}/events`,
    {
      token: BENCH_ADMIN_TOKEN,
    },
  );
  if (answer.status !== 200) throw new Error(`listing VVP events answered ${answer.status}`);
  const listed = (answer.body as { items?: ListedVvpEvent[] }).items ?? [];
  const uids = ready.uidsByVvpId();
  const expected = new Set<string>();
  for (const event of listed) {
    const uid = uids.get(event.metadata?.deploymentId ?? '');
    if (uid === undefined) continue;
    const name = event.metadata?.name ?? '';
    const message = event.spec?.message ?? '';
    expected.add(
      mirroredIdentity(
        uid,
        name,
        Date.parse(event.metadata?.createdAt ?? ''),
        message === '' ? name : message,
      ),
    );
  }
  const arrived = events.arrived();
  const identities = new Set(arrived.map((event) => event.identity));
  let missing = 0;
  for (const identity of expected) if (!identities.has(identity)) missing += 1;
  return {
    vvpEvents: expected.size,
    mirrored: arrived.length,
    missing,
    duplicates: arrived.length - identities.size,
    delaySeconds: distribution(arrived.map((event) => (event.arrivedAt - event.occurredAt) / 1000)),
  };
}

async function steadyState(
  bed: Bed,
  windowSeconds: number,
  label: string,
  progress: Progress,
): Promise<SteadyStateFigures> {
  progress(
    `${label}: measuring the steady state and idle footprint for ${windowSeconds} s (one resync period)`,
  );
  bed.simulator.admin.clearRequests();
  const before = await scrapeApiServer();
  const first = await sampleProcess(managerPid(bed));
  const samples: ProcessSample[] = [first];
  const deadline = Date.now() + windowSeconds * 1000;
  let lastReport = Date.now();
  while (Date.now() < deadline) {
    await sleep(Math.min(1_000, Math.max(0, deadline - Date.now())));
    samples.push(await sampleProcess(managerPid(bed)));
    if (Date.now() - lastReport >= PROGRESS_INTERVAL_MS * 2) {
      lastReport = Date.now();
      progress(`${label}: steady state, ${seconds(Date.now() - first.at)}/${windowSeconds} s`);
    }
  }
  const last = samples[samples.length - 1] ?? first;
  const after = await scrapeApiServer();
  const manager = await scrapeManager(bed.metricsPort);
  return {
    heapUsedBytes: manager.sum('nodejs_heap_size_used_bytes'),
    windowSeconds: (last.at - first.at) / 1000,
    vvpCalls: countVvpCalls(bed.simulator.admin.requests().entries),
    kubeCalls: countKubeCalls(before, after, 0),
    rssBytes: samples.reduce((sum, sample) => sum + sample.rssBytes, 0) / samples.length,
    cpuCores: cpuCores(first, last),
  };
}

/** Samples a process's RSS every second; `peakBytes` is the largest seen. */
class PeakMemory {
  peakBytes = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number) {}

  start(): void {
    this.#timer = setInterval(() => {
      sampleProcess(this.pid).then(
        (sample) => {
          this.peakBytes = Math.max(this.peakBytes, sample.rssBytes);
        },
        () => undefined,
      );
    }, 1_000);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`${describe()} after ${Math.round(timeoutMs / 1000)} s`);
    }
    await sleep(POLL_MS);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(0);
}
