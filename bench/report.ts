// Turns the runs into bench/results/README.md: every figure of the benchmark next to its
// target, with the verdict and, where a target is missed, by how much, why and what would close it.
import type { BenchmarkOptions, RunResult, TimeBreakdown } from './benchmark';
import type { ScalingPoint } from './chart';
import { MANAGER_DEFAULTS } from './manager-defaults';
import type { MachineDescription } from './process-stats';
import { linearFit, median } from './statistics';

export interface ReportContext {
  options: BenchmarkOptions;
  machine: MachineDescription;
  commit: string;
  date: string;
  command: string;
  /** File name of the chart next to the README, if one was drawn. */
  chart?: string;
  /** False while the benchmark is still running (the report so far). */
  complete: boolean;
}

/** Targets from the benchmark's brief. */
export const TARGETS = {
  headlineN: 1_000,
  boundFactor: 1.5,
  objectsPerSecond: 17,
  createVvpCalls: 3,
  createKubeWrites: 3,
  steadyVvpReads: 1,
  mirrorSlackSeconds: 1,
  rssAt5000MiB: 150,
  fluxRssAt1000MiB: 175,
  startupSeconds: 10,
};

/** VVP calls no create can do without: the create itself, and one read that sees it RUNNING. */
export const UNAVOIDABLE_VVP_CALLS = 2;
/** Kubernetes writes no create can do without: the finalizer, and the status that says Ready. */
export const UNAVOIDABLE_KUBE_WRITES = 2;

export interface IdealBound {
  seconds: number;
  /** Which term is the largest. */
  limitedBy: string;
  terms: Record<string, number>;
}

/**
 * The ideal lower bound of the time to converge N deployments with the manager's defaults:
 * the largest of the transition time and the unavoidable calls over each allowed concurrency.
 */
export function idealBound(
  n: number,
  latencySeconds: number,
  transitionSeconds: number,
  kubeWriteSeconds: number,
): IdealBound {
  const d = MANAGER_DEFAULTS;
  const terms: Record<string, number> = {
    'transition (one job start + the two calls)':
      transitionSeconds + UNAVOIDABLE_VVP_CALLS * latencySeconds,
    [`VVP rate limit (${d.vvpRequestsPerSecond} requests/s)`]:
      (n * UNAVOIDABLE_VVP_CALLS) / d.vvpRequestsPerSecond,
    [`VVP max in flight (${d.vvpMaxInFlight})`]:
      (n * UNAVOIDABLE_VVP_CALLS * latencySeconds) / d.vvpMaxInFlight,
    [`concurrent reconciles (${d.maxConcurrentReconciles})`]:
      (n * (UNAVOIDABLE_VVP_CALLS * latencySeconds + UNAVOIDABLE_KUBE_WRITES * kubeWriteSeconds)) /
      d.maxConcurrentReconciles,
  };
  let limitedBy = '';
  let seconds = 0;
  for (const [term, value] of Object.entries(terms)) {
    if (value > seconds) {
      seconds = value;
      limitedBy = term;
    }
  }
  return { seconds, limitedBy, terms };
}

/** The medians of one N over its repetitions. */
export interface SizeSummary {
  n: number;
  repetitions: number;
  convergenceSeconds: number;
  applySeconds: number;
  objectsPerSecond: number;
  objectReadyMedianSeconds: number;
  objectReadyP95Seconds: number;
  vvpCallsPerObject: number;
  vvpCallsByOperationPerObject: Record<string, number>;
  kubeWritesPerObject: number;
  kubeWritesByKindPerObject: Record<string, number>;
  kubeCallsPerObject: number;
  kubeWriteLatencySeconds: number;
  bound: IdealBound;
  time: TimeBreakdown;
  rssMiB: number;
  peakRssMiB: number;
  heapUsedMiB: number;
  cpuSecondsPerObject: number;
  mirroring: {
    vvpEvents: number;
    mirrored: number;
    missing: number;
    duplicates: number;
    delayMedianSeconds: number;
    delayP95Seconds: number;
    delayMaxSeconds: number;
  };
  steadyState: RunResult['steadyState'];
  startupSeconds: number | undefined;
  startupBootSeconds: number | undefined;
}

const MiB = 2 ** 20;

function medianOf(runs: readonly RunResult[], pick: (run: RunResult) => number): number {
  return median(runs.map(pick));
}

function medianRecord(
  runs: readonly RunResult[],
  pick: (run: RunResult) => Record<string, number>,
  divisor: number,
): Record<string, number> {
  const keys = new Set(runs.flatMap((run) => Object.keys(pick(run))));
  return Object.fromEntries(
    [...keys].sort().map((key) => [key, medianOf(runs, (run) => (pick(run)[key] ?? 0) / divisor)]),
  );
}

export function summarize(runs: readonly RunResult[], options: BenchmarkOptions): SizeSummary[] {
  const sizes = [...new Set(runs.map((run) => run.n))].sort((a, b) => a - b);
  return sizes.map((n) => {
    const of = runs.filter((run) => run.n === n);
    const convergenceSeconds = medianOf(of, (run) => run.convergenceSeconds);
    const kubeWriteLatencySeconds = medianOf(of, (run) => run.kubeWriteLatencySeconds);
    const timeKeys = Object.keys(of[0]?.time ?? {}) as (keyof TimeBreakdown)[];
    const first = of.find((run) => run.repetition === 1) ?? of[0];
    return {
      n,
      repetitions: of.length,
      convergenceSeconds,
      applySeconds: medianOf(of, (run) => run.applySeconds),
      objectsPerSecond: n / convergenceSeconds,
      objectReadyMedianSeconds: medianOf(of, (run) => run.objectReadySeconds.median),
      objectReadyP95Seconds: medianOf(of, (run) => run.objectReadySeconds.p95),
      vvpCallsPerObject: medianOf(of, (run) => run.vvpCalls.total / n),
      vvpCallsByOperationPerObject: medianRecord(of, (run) => run.vvpCalls.byOperation, n),
      kubeWritesPerObject: medianOf(of, (run) => run.kubeCalls.writes / n),
      kubeWritesByKindPerObject: medianRecord(of, (run) => run.kubeCalls.writesByKind, n),
      kubeCallsPerObject: medianOf(of, (run) => run.kubeCalls.total / n),
      kubeWriteLatencySeconds,
      bound: idealBound(
        n,
        options.latencyMs / 1000,
        options.transitionMs / 1000,
        kubeWriteLatencySeconds,
      ),
      time: Object.fromEntries(
        timeKeys.map((key) => [key, medianOf(of, (run) => run.time[key])]),
      ) as unknown as TimeBreakdown,
      rssMiB: medianOf(of, (run) => run.rssAfterBytes / MiB),
      peakRssMiB: medianOf(of, (run) => run.peakRssBytes / MiB),
      heapUsedMiB: medianOf(of, (run) => run.heapUsedBytes / MiB),
      cpuSecondsPerObject: medianOf(of, (run) => run.cpuSeconds / n),
      mirroring: {
        vvpEvents: medianOf(of, (run) => run.mirroring.vvpEvents),
        mirrored: medianOf(of, (run) => run.mirroring.mirrored),
        missing: Math.max(...of.map((run) => run.mirroring.missing)),
        duplicates: Math.max(...of.map((run) => run.mirroring.duplicates)),
        delayMedianSeconds: medianOf(of, (run) => run.mirroring.delaySeconds.median),
        delayP95Seconds: medianOf(of, (run) => run.mirroring.delaySeconds.p95),
        delayMaxSeconds: Math.max(...of.map((run) => run.mirroring.delaySeconds.max)),
      },
      steadyState: first?.steadyState,
      startupSeconds: first?.startupSeconds,
      startupBootSeconds: first?.startupBootSeconds,
    };
  });
}

export function scalingPoints(summaries: readonly SizeSummary[]): ScalingPoint[] {
  return summaries.map((s) => ({
    n: s.n,
    convergenceSeconds: s.convergenceSeconds,
    boundSeconds: s.bound.seconds,
    rssMiB: s.rssMiB,
    peakRssMiB: s.peakRssMiB,
  }));
}

// ---- formatting

const fixed = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
const s = (value: number): string => `${fixed(value)} s`;
const mib = (value: number): string => `${fixed(value, 0)} MiB`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function perObjectList(record: Record<string, number>): string {
  const entries = Object.entries(record).filter(([, value]) => value >= 0.005);
  if (entries.length === 0) return 'none';
  return entries.map(([key, value]) => `${key} ${fixed(value, 2)}`).join(', ');
}

type Verdict = 'met' | 'missed' | 'reference';

interface Figure {
  figure: string;
  measured: string;
  target: string;
  verdict: Verdict;
  /** Where missed: by how much, why, what would close it. Else a note. */
  note: string;
}

const VERDICT_TEXT: Record<Verdict, string> = {
  met: '✅ met',
  missed: '❌ missed',
  reference: 'reference',
};

function byFactor(measured: number, target: number): string {
  return `${fixed(measured / target, 2)}× the target`;
}

/** The VVP calls of the create path beyond the unavoidable two, by operation. */
function avoidableCalls(summary: SizeSummary): string {
  return perObjectList(summary.vvpCallsByOperationPerObject);
}

export function headlineFigures(
  summaries: readonly SizeSummary[],
  options: BenchmarkOptions,
): Figure[] {
  const figures: Figure[] = [];
  const d = MANAGER_DEFAULTS;
  const rateLimitSeconds = (summary: SizeSummary): number =>
    (summary.n * summary.vvpCallsPerObject) / d.vvpRequestsPerSecond;
  for (const summary of summaries) {
    const limit = TARGETS.boundFactor * summary.bound.seconds;
    const headline = summary.n === TARGETS.headlineN;
    const met = summary.convergenceSeconds <= limit;
    figures.push({
      figure: `Convergence, N = ${summary.n.toLocaleString('en')} (median of ${summary.repetitions})`,
      measured: `${s(summary.convergenceSeconds)} (bound ${s(summary.bound.seconds)}, ${fixed(summary.convergenceSeconds / summary.bound.seconds, 2)}× the bound)`,
      target: `≤ ${TARGETS.boundFactor}× the bound = ${s(limit)}${headline ? '' : ' (the target is set at N = 1,000)'}`,
      verdict: headline ? (met ? 'met' : 'missed') : met ? 'met' : 'reference',
      note: met
        ? `Bound limited by ${summary.bound.limitedBy}.`
        : `${byFactor(summary.convergenceSeconds, limit)}. ${convergenceCause(summary, rateLimitSeconds(summary), options)}`,
    });
  }
  const headline = headlineSummary(summaries);
  const at = headline === undefined ? '' : `N = ${headline.n.toLocaleString('en')}`;
  if (headline !== undefined) {
    const met = headline.objectsPerSecond >= TARGETS.objectsPerSecond;
    figures.push({
      figure: `Throughput, ${at}`,
      measured: `${fixed(headline.objectsPerSecond)} objects/s`,
      target: `≥ ${TARGETS.objectsPerSecond} objects/s`,
      verdict: met ? 'met' : 'missed',
      note: met
        ? `The default --vvp-requests-per-second=${d.vvpRequestsPerSecond} allows at most ${fixed(d.vvpRequestsPerSecond / UNAVOIDABLE_VVP_CALLS)} objects/s even at the unavoidable ${UNAVOIDABLE_VVP_CALLS} calls per object.`
        : `${fixed(headline.objectsPerSecond / TARGETS.objectsPerSecond, 2)}× the target. The default --vvp-requests-per-second=${d.vvpRequestsPerSecond} caps throughput at ${d.vvpRequestsPerSecond} ÷ calls per object: ${fixed(d.vvpRequestsPerSecond / headline.vvpCallsPerObject)} objects/s at the measured ${fixed(headline.vvpCallsPerObject, 2)} calls, ${fixed(d.vvpRequestsPerSecond / UNAVOIDABLE_VVP_CALLS)} objects/s at the unavoidable ${UNAVOIDABLE_VVP_CALLS}: 17 objects/s needs fewer than ${fixed(d.vvpRequestsPerSecond / TARGETS.objectsPerSecond, 2)} VVP calls per object, or a higher rate limit (--vvp-requests-per-second=${Math.ceil(TARGETS.objectsPerSecond * headline.vvpCallsPerObject)} at today's cost), if the VVP installation allows it.`,
    });
    const createCalls = headline.vvpCallsPerObject;
    figures.push({
      figure: `VVP calls per created VpDeployment, ${at}`,
      measured: `${fixed(createCalls, 2)} (${avoidableCalls(headline)})`,
      target: `≤ ${TARGETS.createVvpCalls}`,
      verdict: createCalls <= TARGETS.createVvpCalls ? 'met' : 'missed',
      note:
        createCalls <= TARGETS.createVvpCalls
          ? ''
          : `${byFactor(createCalls, TARGETS.createVvpCalls)}. Unavoidable are the create and one read that sees RUNNING. The first reconcile also reads the deployment by name (to find an interrupted create)${(headline.vvpCallsByOperationPerObject.getSystemInfo ?? 0) >= 0.005 ? " after asking system-info for VVP's capabilities" : ''}; the poll after it lists jobs, savepoints and events besides the read. What would close it: skip the read by name while status holds no create intent (the create's 409 already reveals a foreign object) and list savepoints only once a job ran: 4 calls; 3 needs a poll that lists less.`,
    });
    const writes = headline.kubeWritesPerObject;
    const eventWrites = headline.kubeWritesByKindPerObject['POST events'] ?? 0;
    figures.push({
      figure: `Kubernetes writes per created VpDeployment, ${at}`,
      measured: `${fixed(writes, 2)} (${perObjectList(headline.kubeWritesByKindPerObject)})`,
      target: `≤ ${TARGETS.createKubeWrites}`,
      verdict: writes <= TARGETS.createKubeWrites ? 'met' : 'missed',
      note:
        writes <= TARGETS.createKubeWrites
          ? ''
          : `${byFactor(writes, TARGETS.createKubeWrites)}. ${fixed(eventWrites, 2)} of them are Events (the operator's "Created" and the mirrored VVP events, one write each by design); on the object itself ${fixed(writes - eventWrites, 2)}: the finalizer, the write-ahead create intent (crash safety), and one status write per reconcile that changed something.`,
    });
  }
  for (const summary of summaries) {
    const steady = summary.steadyState;
    if (steady === undefined) continue;
    const period = d.resyncPeriodSeconds;
    const scale = period / steady.windowSeconds / summary.n;
    const reads = (steady.vvpCalls.byMethod.GET ?? 0) * scale;
    const vvpWrites = (steady.vvpCalls.total - (steady.vvpCalls.byMethod.GET ?? 0)) * scale;
    const kubeWrites = steady.kubeCalls.writes * scale;
    const capacity = d.vvpRequestsPerSecond * period;
    figures.push({
      figure: `Steady state per object per resync period (${period} s), N = ${summary.n.toLocaleString('en')}`,
      measured: `${fixed(reads, 2)} VVP reads, ${fixed(vvpWrites, 2)} VVP writes, ${fixed(kubeWrites, 2)} Kubernetes writes`,
      target: `${TARGETS.steadyVvpReads} VVP read, 0 VVP writes, 0 Kubernetes writes`,
      verdict:
        reads <= TARGETS.steadyVvpReads * 1.15 && vvpWrites === 0 && kubeWrites === 0
          ? 'met'
          : 'missed',
      note:
        summary.n * TARGETS.steadyVvpReads > capacity
          ? `With ${summary.n.toLocaleString('en')} objects one read each per ${period} s needs ${fixed(summary.n / period)} requests/s, more than --vvp-requests-per-second=${d.vvpRequestsPerSecond}: the rate limit stretches the resync to ~${fixed(summary.n / d.vvpRequestsPerSecond, 0)} s. Above ${capacity.toLocaleString('en')} objects per operator, raise the rate limit or the resync period.`
          : `Counted over ${fixed(steady.windowSeconds, 0)} s from the simulator's request log and the API server's metrics (resyncs are jittered ±10 %).`,
    });
  }
  if (headline !== undefined) {
    const fast = d.transitionPollSeconds + TARGETS.mirrorSlackSeconds;
    const uncontended = summaries[0] === headline ? undefined : summaries[0];
    const m = headline.mirroring;
    const met = m.delayP95Seconds <= fast;
    figures.push({
      figure: `Event mirroring delay, ${at} deployments emitting events (median / p95 / max)`,
      measured: `${s(m.delayMedianSeconds)} / ${s(m.delayP95Seconds)} / ${s(m.delayMaxSeconds)} (${m.mirrored.toLocaleString('en')} Events)`,
      target: `≤ fast poll (${d.transitionPollSeconds} s) + ${TARGETS.mirrorSlackSeconds} s = ${fast} s`,
      verdict: met ? 'met' : 'missed',
      note: met
        ? 'Verdict on the p95.'
        : `p95 ${byFactor(m.delayP95Seconds, fast)}. Events are read by the poll that follows them, and during the create storm that poll waits its turn behind the whole backlog of the work queue, which the VVP rate limit and the reconcile workers drain (the queue holds ${fixed(headline.time.queueSeconds / Math.max(1, headline.time.queuedItems), 1)} s per item on average): the delay is the convergence backlog.${uncontended === undefined ? '' : ` Without a backlog (N = ${uncontended.n.toLocaleString('en')}) the p95 is ${s(uncontended.mirroring.delayP95Seconds)}.`} Fewer VVP calls per object or a higher rate limit shortens it.`,
    });
    figures.push({
      figure: `Mirrored events: duplicates / missing, ${at}`,
      measured: `${m.duplicates} / ${m.missing} (of ${m.vvpEvents.toLocaleString('en')} VVP events)`,
      target: '0 / 0',
      verdict: m.duplicates === 0 && m.missing === 0 ? 'met' : 'missed',
      note: 'Matched by object, reason, VVP time and message, independent of the Event names.',
    });
  }
  for (const summary of summaries) {
    const steady = summary.steadyState;
    if (steady === undefined) continue;
    const rss = steady.rssBytes / MiB;
    const at5000 = summary.n >= 5_000;
    figures.push({
      figure: `Operator RSS at idle, N = ${summary.n.toLocaleString('en')}`,
      measured: `${mib(rss)} (V8 heap ${mib(steady.heapUsedBytes / MiB)}), CPU ${fixed(steady.cpuCores * 100, 1)} % of a core`,
      target: at5000
        ? `≤ ${TARGETS.rssAt5000MiB} MiB`
        : `reference: Flux's kustomize-controller uses ${TARGETS.fluxRssAt1000MiB} MiB at 1,000`,
      verdict: at5000
        ? rss <= TARGETS.rssAt5000MiB
          ? 'met'
          : 'missed'
        : rss <= TARGETS.fluxRssAt1000MiB
          ? 'met'
          : 'reference',
      note:
        at5000 && rss > TARGETS.rssAt5000MiB
          ? `${byFactor(rss, TARGETS.rssAt5000MiB)}. ${memoryCause(summaries)}`
          : '',
    });
  }
  for (const summary of summaries) {
    const startup = summary.startupSeconds;
    if (startup === undefined) continue;
    const boot = summary.startupBootSeconds;
    const met = startup <= TARGETS.startupSeconds;
    figures.push({
      figure: `Startup to ready, N = ${summary.n.toLocaleString('en')} objects`,
      measured:
        boot === undefined
          ? s(startup)
          : `${s(startup)} (${s(boot)} to the first log line, ${s(startup - boot)} to synced caches)`,
      target:
        summary.n >= 5_000
          ? `≤ ${TARGETS.startupSeconds} s`
          : `reference (target at 5,000: ≤ ${TARGETS.startupSeconds} s)`,
      verdict: summary.n >= 5_000 ? (met ? 'met' : 'missed') : 'reference',
      note: `${met ? '' : `${byFactor(startup, TARGETS.startupSeconds)}. `}Process start → /readyz 200 (every informer cache synced). Until the first log line Node.js starts and loads the TypeScript sources through tsx; a compiled build (dist/, no tsx) shortens that part. Then the manager connects and lists every watched kind.`,
    });
  }
  const linearity = scalingVerdict(summaries);
  if (linearity !== undefined) figures.push(linearity);
  return figures;
}

/** The N the targets are set at (1,000), or the largest N of a run without it (a smoke run). */
function headlineSummary(summaries: readonly SizeSummary[]): SizeSummary | undefined {
  return (
    summaries.find((summary) => summary.n === TARGETS.headlineN) ?? summaries[summaries.length - 1]
  );
}

function convergenceCause(
  summary: SizeSummary,
  rateLimitSeconds: number,
  options: BenchmarkOptions,
): string {
  const d = MANAGER_DEFAULTS;
  const parts = [
    `At ${fixed(summary.vvpCallsPerObject, 2)} VVP calls per object the default --vvp-requests-per-second=${d.vvpRequestsPerSecond} alone needs ${s(rateLimitSeconds)} for N = ${summary.n.toLocaleString('en')} (the bound counts the unavoidable ${UNAVOIDABLE_VVP_CALLS}).`,
  ];
  if (summary.objectReadyMedianSeconds >= d.transitionPollSeconds) {
    parts.push(
      `Each object also waits for the next ${d.transitionPollSeconds} s transition poll after its create, though VVP needs only ${fixed(options.transitionMs / 1000)} s to start the job.`,
    );
  }
  if (summary.objectReadyMedianSeconds > 0.5 * summary.convergenceSeconds) {
    parts.push(
      `Objects become Ready late and nearly together (median ${s(summary.objectReadyMedianSeconds)} after their create): the work queue is FIFO, so the poll that would see a created deployment RUNNING waits behind every create still queued.`,
    );
  }
  parts.push(
    'Closing it: fewer VVP calls per create (see "Cost per resource"), a poll that follows the transition time, and a higher --vvp-requests-per-second where VVP allows it.',
  );
  return parts.join(' ');
}

function memoryCause(summaries: readonly SizeSummary[]): string {
  const smallest = summaries[0];
  const largest = summaries[summaries.length - 1];
  if (smallest === undefined || largest === undefined || largest.n === smallest.n) return '';
  const perThousand = ((largest.rssMiB - smallest.rssMiB) / (largest.n - smallest.n)) * 1000;
  return [
    `Already ${mib(smallest.rssMiB)} with ${smallest.n} objects (Node.js, the Kubernetes client, the TypeScript sources loaded through tsx), then ~${fixed(perThousand, 0)} MiB per 1,000 objects.`,
    `The V8 heap in use is ${mib(largest.heapUsedMiB)} of ${mib(largest.rssMiB)} RSS at N = ${largest.n.toLocaleString('en')}, and that includes garbage not collected yet: V8 sizes its heap by the host's memory and collects lazily, so RSS follows the allocation rate of the reconciles (parsed VVP and Kubernetes answers, patches) more than the state kept per object.`,
    'What would close it: a memory limit on the container (Node.js sizes its heap by the cgroup limit) or --max-old-space-size, fewer allocations per reconcile (fewer calls, smaller answers), and a compiled build without tsx.',
  ].join(' ');
}

function scalingVerdict(summaries: readonly SizeSummary[]): Figure | undefined {
  if (summaries.length < 2) return undefined;
  const largest = summaries[summaries.length - 1];
  const reference =
    summaries.find((summary) => summary.n === TARGETS.headlineN && summary !== largest) ??
    summaries[0];
  if (largest === undefined || reference === undefined) return undefined;
  const callGrowth = largest.vvpCallsPerObject / reference.vvpCallsPerObject;
  const writeGrowth = largest.kubeWritesPerObject / reference.kubeWritesPerObject;
  const memory = linearFit(summaries.map((summary) => ({ x: summary.n, y: summary.rssMiB })));
  const time = linearFit(
    summaries.map((summary) => ({ x: summary.n, y: summary.convergenceSeconds })),
  );
  const linear = callGrowth <= 1.2 && writeGrowth <= 1.2;
  return {
    figure: `Scaling ${summaries[0]?.n ?? ''} → ${largest.n.toLocaleString('en')}: cost per object`,
    measured: `VVP calls/object ×${fixed(callGrowth, 2)}, Kubernetes writes/object ×${fixed(writeGrowth, 2)} from N = ${reference.n.toLocaleString('en')} to ${largest.n.toLocaleString('en')}; time fit ${fixed(time.slope * 1000, 1)} s per 1,000 (R² ${fixed(time.r2, 3)}), memory fit ${fixed(memory.slope * 1000, 1)} MiB per 1,000 (R² ${fixed(memory.r2, 3)})`,
    target: 'linear: constant cost per object, never quadratic',
    verdict: linear ? 'met' : 'missed',
    note: linear
      ? `Per-object cost stays flat and time grows linearly (chart).${memory.r2 < 0.9 ? ` Memory does not follow N closely (R² ${fixed(memory.r2, 2)}): RSS tracks V8's lazy garbage collection more than the objects kept (see the RSS row).` : ' Memory grows linearly too.'}`
      : 'Per-object cost grows with N: see the cost table for the calls that grow.',
  };
}

// ---- the document

export function renderReport(runs: readonly RunResult[], context: ReportContext): string {
  const { options, machine } = context;
  const summaries = summarize(runs, options);
  const d = MANAGER_DEFAULTS;
  const figures = headlineFigures(summaries, options);
  const reduced = summaries.filter((summary) => summary.repetitions < options.repetitions);
  const lines: string[] = [];
  const add = (...text: string[]): void => {
    lines.push(...text);
  };

  add(
    '# Benchmark results',
    '',
    `Generated by \`${context.command}\` (bench/) from a real run; regenerate with the same command.`,
    '',
    ...(context.complete
      ? []
      : [
          `> **Partial:** written after ${runs.length} of the planned runs; the benchmark was still running or was interrupted.`,
          '',
        ]),
    `- **Machine:** ${machine.cores} cores (nproc), ${machine.cpuModel}, ${machine.memoryGiB} GiB memory`,
    `- **Commit:** \`${context.commit}\``,
    `- **Date:** ${context.date}`,
    `- **Cluster:** the local control plane of the tests (kube-apiserver v1.35.4, etcd, kube-controller-manager on loopback), the CRDs, config/rbac bound to the unprivileged operator identity`,
    `- **VVP:** the simulator with enforced auth (owner tokens via the Platform API), **${options.latencyMs} ms latency per request**, **${options.transitionMs} ms per lifecycle phase** (a job start), VVP 2.4`,
    `- **Operator:** ${options.compiled ? 'the compiled manager as the container image runs it (`node --max-semi-space-size=2 dist/manager.js`, from `npm run build`)' : '`bin/manager` (the TypeScript sources through tsx)'} with its defaults: --vvp-requests-per-second=${d.vvpRequestsPerSecond}, --vvp-burst=100, --vvp-max-in-flight=${d.vvpMaxInFlight}, --max-concurrent-reconciles=${d.maxConcurrentReconciles}, --resync-period=${d.resyncPeriodSeconds}s (transition poll ${d.transitionPollSeconds} s); each run with its own --instance-id, so a run never sees an earlier run's objects`,
    `- **Runs:** ${summaries.map((summary) => `N = ${summary.n.toLocaleString('en')} × ${summary.repetitions}`).join(', ')} (planned: ${options.repetitions} each${options.largeRepetitions < options.repetitions ? `, ${options.largeRepetitions} for N ≥ ${options.largeFrom.toLocaleString('en')}` : ''})${reduced.length > 0 ? `; **fewer than ${options.repetitions} runs for N = ${reduced.map((summary) => summary.n.toLocaleString('en')).join(', ')}**: each such run takes minutes, and the time window of this benchmark did not allow more` : ''}; figures are medians over the runs of each N`,
    `- **Workload:** N VpDeployments (a JAR job, state RUNNING, on one VpDeploymentTarget) created at once by ${options.createConcurrency} parallel clients; converged = every one Ready=True as seen by a watching client`,
    '',
    '## Figures and targets',
    '',
    table(
      ['Figure', 'Measured (median)', 'Target', 'Verdict', 'Gap, cause and what would close it'],
      figures.map((f) => [f.figure, f.measured, f.target, VERDICT_TEXT[f.verdict], f.note]),
    ),
    '',
    '## Convergence against the ideal bound',
    '',
    `The ideal lower bound for N deployments with these settings is the largest of:`,
    '',
    `- the transition: one job start in VVP plus the two unavoidable calls' latency, \`T + ${UNAVOIDABLE_VVP_CALLS}·L\``,
    `- the VVP rate limit: \`N · ${UNAVOIDABLE_VVP_CALLS} ÷ ${d.vvpRequestsPerSecond}/s\``,
    `- the VVP in-flight limit: \`N · ${UNAVOIDABLE_VVP_CALLS} · L ÷ ${d.vvpMaxInFlight}\``,
    `- the reconcile workers: \`N · (${UNAVOIDABLE_VVP_CALLS}·L + ${UNAVOIDABLE_KUBE_WRITES}·L_k8s) ÷ ${d.maxConcurrentReconciles}\``,
    '',
    `with L = ${options.latencyMs} ms (VVP latency), T = ${options.transitionMs} ms (job start), L_k8s = the measured mean API-server time of the operator's writes, and the unavoidable calls per deployment: ${UNAVOIDABLE_VVP_CALLS} VVP (the create, one read that sees RUNNING) and ${UNAVOIDABLE_KUBE_WRITES} Kubernetes writes (the finalizer, the status that reports Ready). At N = 1,000 the rate limit alone is 1,000 × ${UNAVOIDABLE_VVP_CALLS} ÷ ${d.vvpRequestsPerSecond} = ${fixed((1000 * UNAVOIDABLE_VVP_CALLS) / d.vvpRequestsPerSecond, 0)} s, so the default --vvp-requests-per-second=${d.vvpRequestsPerSecond} caps any operator at ${fixed(d.vvpRequestsPerSecond / UNAVOIDABLE_VVP_CALLS)} objects/s, above the 17 objects/s target only because 2 calls are few.`,
    '',
    table(
      [
        'N',
        'Runs',
        'Converged',
        'Bound (limited by)',
        'Ratio',
        'Objects/s',
        'Per object: created → Ready, median / p95',
        'Creating N (client)',
      ],
      summaries.map((x) => [
        x.n.toLocaleString('en'),
        String(x.repetitions),
        s(x.convergenceSeconds),
        `${s(x.bound.seconds)} (${x.bound.limitedBy})`,
        `${fixed(x.convergenceSeconds / x.bound.seconds, 2)}×`,
        fixed(x.objectsPerSecond),
        `${s(x.objectReadyMedianSeconds)} / ${s(x.objectReadyP95Seconds)}`,
        s(x.applySeconds),
      ]),
    ),
    '',
    '## Where the time goes',
    '',
    "From the manager's /metrics (controller-runtime's reconcile and work-queue histograms, the VVP client's request and rate-limiter histograms) and the API server's request-duration histogram for the operator's writes; sums over the run divided as stated. Reconcile time = VVP requests + rate-limiter waits + Kubernetes writes + the rest (client-side work, token lookups, serialisation).",
    '',
    table(
      [
        'N',
        'Reconciles per object',
        'Mean reconcile',
        'VVP requests per reconcile (time)',
        'Rate-limiter wait per VVP request',
        'Kubernetes write time per reconcile (server side)',
        'Queue wait per item (for a worker)',
        `VVP requests/s (limit ${d.vvpRequestsPerSecond})`,
        `Workers busy (of ${d.maxConcurrentReconciles})`,
      ],
      summaries.map((x) => {
        const t = x.time;
        const per = (value: number, count: number): number => (count > 0 ? value / count : 0);
        return [
          x.n.toLocaleString('en'),
          fixed(per(t.reconciles, x.n), 2),
          `${fixed(per(t.reconcileSeconds, t.reconciles) * 1000, 0)} ms`,
          `${fixed(per(t.vvpRequests, t.reconciles), 2)} (${fixed(per(t.vvpRequestSeconds, t.reconciles) * 1000, 0)} ms)`,
          `${fixed(per(t.rateLimitWaitSeconds, t.vvpRequests) * 1000, 0)} ms`,
          `${fixed(per(t.kubeWriteSeconds, t.reconciles) * 1000, 0)} ms`,
          `${fixed(per(t.queueSeconds, t.queuedItems), 2)} s`,
          fixed(per(t.vvpRequests, x.convergenceSeconds)),
          fixed(per(t.reconcileSeconds, x.convergenceSeconds), 2),
        ];
      }),
    ),
    '',
    `The last two columns say which default limits a run: VVP requests/s near ${d.vvpRequestsPerSecond} means --vvp-requests-per-second, workers busy near ${d.maxConcurrentReconciles} means --max-concurrent-reconciles (each worker waits for VVP, the API server and the CPU in turn). Besides the reconciles, every object waits for its next transition poll (${d.transitionPollSeconds} s after the create, however fast VVP starts the job): the "created → Ready" median above minus the reconcile and queue times.`,
    '',
    '## Cost per resource',
    '',
    "VVP calls from the simulator's request log (every request the operator sent during the run); Kubernetes calls from the API server's `apiserver_request_total` (every client), minus the benchmark's own N creates and the API server's own Lease renewals; the benchmark's watches are long-running requests and not counted. Per converged VpDeployment:",
    '',
    table(
      [
        'N',
        'VVP calls',
        'by operation',
        'Kubernetes calls',
        'Kubernetes writes',
        'by verb and resource',
      ],
      summaries.map((x) => [
        x.n.toLocaleString('en'),
        fixed(x.vvpCallsPerObject, 2),
        perObjectList(x.vvpCallsByOperationPerObject),
        fixed(x.kubeCallsPerObject, 2),
        fixed(x.kubeWritesPerObject, 2),
        perObjectList(x.kubeWritesByKindPerObject),
      ]),
    ),
    '',
  );
  const steady = summaries.filter((x) => x.steadyState !== undefined);
  if (steady.length > 0) {
    add(
      '### Steady state',
      '',
      `Measured for one resync period right after the first run of each N converged, with nothing changing:`,
      '',
      table(
        [
          'N',
          'Window',
          'VVP calls (by operation)',
          'Kubernetes calls (writes)',
          'RSS',
          'V8 heap',
          'CPU',
        ],
        steady.map((x) => {
          const st = x.steadyState;
          if (st === undefined) return [];
          return [
            x.n.toLocaleString('en'),
            s(st.windowSeconds),
            `${st.vvpCalls.total.toLocaleString('en')} (${perObjectList(Object.fromEntries(Object.entries(st.vvpCalls.byOperation).map(([k, v]) => [k, v / x.n])))} per object)`,
            `${st.kubeCalls.total} (${st.kubeCalls.writes}${st.kubeCalls.writes > 0 ? `: ${perObjectList(st.kubeCalls.writesByKind)}` : ''})`,
            mib(st.rssBytes / MiB),
            mib(st.heapUsedBytes / MiB),
            `${fixed(st.cpuCores * 100, 1)} % of a core`,
          ];
        }),
      ),
      '',
    );
  }
  add(
    '## Event mirroring',
    '',
    "Every VVP event of the run's deployments (the simulator's event list) against the Kubernetes Events the operator posted (a watch on events.k8s.io); delay = arrival at the watching client − the VVP event's time (the Event's eventTime).",
    '',
    table(
      ['N', 'VVP events', 'Mirrored', 'Missing', 'Duplicates', 'Delay median / p95 / max'],
      summaries.map((x) => [
        x.n.toLocaleString('en'),
        x.mirroring.vvpEvents.toLocaleString('en'),
        x.mirroring.mirrored.toLocaleString('en'),
        String(x.mirroring.missing),
        String(x.mirroring.duplicates),
        `${s(x.mirroring.delayMedianSeconds)} / ${s(x.mirroring.delayP95Seconds)} / ${s(x.mirroring.delayMaxSeconds)}`,
      ]),
    ),
    '',
    '## Footprint and scaling curve',
    '',
    `Operator process (${options.compiled ? 'node running dist/manager.js' : 'the node process bin/manager execs'}) from /proc/<pid>/status (VmRSS) and /proc/<pid>/stat (utime + stime).`,
    '',
    table(
      [
        'N',
        'Converged',
        'RSS after convergence',
        'Peak RSS',
        'V8 heap',
        'CPU per object (during the run)',
      ],
      summaries.map((x) => [
        x.n.toLocaleString('en'),
        s(x.convergenceSeconds),
        mib(x.rssMiB),
        mib(x.peakRssMiB),
        mib(x.heapUsedMiB),
        `${fixed(x.cpuSecondsPerObject * 1000, 1)} ms`,
      ]),
    ),
    '',
  );
  if (context.chart !== undefined)
    add(`![Convergence time and memory against N](${context.chart})`, '');
  add(
    '## How to reproduce',
    '',
    '```sh',
    'npm run bench                    # the full run (about 30 min on 2 cores), writes bench/results/',
    'npm run bench -- --help          # sizes, repetitions, latency, transition time, output directory',
    '```',
    '',
  );
  return lines.join('\n');
}
