// `npm run bench`: the benchmark on the local control plane and the VVP simulator; writes
// bench/results/README.md (every figure next to its target), results.json and scaling.png.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format } from 'prettier';
import { runBenchmark, type BenchmarkOptions, type Progress, type RunResult } from './benchmark';
import { scalingChart } from './chart';
import { withTestCluster } from './cluster';
import { describeMachine } from './process-stats';
import { TARGETS, renderReport, scalingPoints, summarize } from './report';

export const DEFAULT_OPTIONS: BenchmarkOptions = {
  sizes: [10, 100, 1000, 5000],
  repetitions: 3,
  largeRepetitions: 1,
  largeFrom: 5000,
  latencyMs: 20,
  transitionMs: 2000,
  steadyStateSizes: [1000, 5000],
  steadyWindowSeconds: 60,
  startupSizes: [5000],
  createConcurrency: 16,
  compiled: false,
};

const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_OUTPUT = join(REPOSITORY, 'bench', 'results');
const CHART_FILE = 'scaling.png';

export interface BenchmarkOutput {
  runs: RunResult[];
  readmePath: string;
  chartPath: string | undefined;
}

/** Runs the benchmark and writes its results into `outputDir`. */
export async function benchmarkAndReport(
  options: BenchmarkOptions,
  outputDir: string,
  progress: Progress,
  settings: { chart: boolean; command: string },
): Promise<BenchmarkOutput> {
  await mkdir(outputDir, { recursive: true });
  const readmePath = join(outputDir, 'README.md');
  const chartPath = settings.chart ? join(outputDir, CHART_FILE) : undefined;
  const write = async (runs: readonly RunResult[], complete: boolean): Promise<void> => {
    if (chartPath !== undefined) {
      const title = `VP-OPERATOR: ${options.latencyMs} MS VVP LATENCY, DEFAULT SETTINGS, MEDIANS`;
      await writeFile(
        chartPath,
        scalingChart(scalingPoints(summarize(runs, options)), title, TARGETS.rssAt5000MiB),
      );
    }
    const readme = renderReport(runs, {
      options,
      machine: describeMachine(),
      commit: currentCommit(),
      date: new Date().toISOString(),
      command: settings.command,
      complete,
      ...(chartPath === undefined ? {} : { chart: CHART_FILE }),
    });
    await writeFile(readmePath, readme);
    // Formatted as the repository's lint expects, since the results are committed.
    const json = await format(JSON.stringify({ options, complete, runs }), { parser: 'json' });
    await writeFile(join(outputDir, 'results.json'), json);
  };
  // Written after every run, so that an interrupted benchmark leaves the runs it completed.
  const runs = await runBenchmark(options, progress, (sofar) => write(sofar, false));
  await write(runs, true);
  return { runs, readmePath, chartPath };
}

function currentCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPOSITORY,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bin', 'config'], {
      cwd: REPOSITORY,
      encoding: 'utf8',
    }).trim();
    return dirty === '' ? commit : `${commit} (with uncommitted changes in src/, bin/ or config/)`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

const USAGE = `npm run bench -- [flags]

Runs bin/manager (default settings) against the local control plane and the VVP simulator and
writes README.md, results.json and ${CHART_FILE} to the output directory.

  --sizes=10,100,1000,5000       N of the runs, in this order (convergence, scaling curve)
  --repetitions=3                runs of each N (medians are reported)
  --large-repetitions=1          runs of each N at or above --large-from
  --large-from=5000
  --latency-ms=20                simulated VVP latency per request
  --transition-ms=2000           simulated duration of a VVP lifecycle phase (a job start)
  --steady-sizes=1000,5000       N whose first run is followed by a steady-state window
  --steady-window-s=60           its length (the manager's resync period)
  --startup-sizes=5000           N whose first run ends with a timed manager restart
  --deadline=HH:MM               UTC time (or ISO) by which to end: later repetitions are
                                 skipped when they would not finish in time
  --out=bench/results            output directory
  --no-chart                     skip ${CHART_FILE}
  --compiled                     run the compiled manager as the container image does
                                 (node --max-semi-space-size=2 dist/manager.js; npm run build
                                 first) instead of bin/manager (TypeScript through tsx)
`;

function numbers(value: string | undefined, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  if (value === '') return [];
  return value.split(',').map((part) => {
    const parsed = Number(part);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`not a positive integer: ${part}`);
    return parsed;
  });
}

/** An ISO date-time, or HH:MM (UTC, today). */
function parseDeadline(value: string): number {
  const clock = /^(\d{1,2}):(\d{2})$/.exec(value);
  const time = clock
    ? new Date().setUTCHours(Number(clock[1]), Number(clock[2]), 0, 0)
    : Date.parse(value);
  if (Number.isNaN(time)) throw new Error(`--deadline: not a time: ${value}`);
  return time;
}

function number(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`not a number: ${value}`);
  return parsed;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      repetitions: { type: 'string' },
      'large-repetitions': { type: 'string' },
      'large-from': { type: 'string' },
      'latency-ms': { type: 'string' },
      'transition-ms': { type: 'string' },
      'steady-sizes': { type: 'string' },
      'steady-window-s': { type: 'string' },
      'startup-sizes': { type: 'string' },
      out: { type: 'string' },
      deadline: { type: 'string' },
      'no-chart': { type: 'boolean' },
      compiled: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  const d = DEFAULT_OPTIONS;
  const options: BenchmarkOptions = {
    ...d,
    sizes: numbers(values.sizes, d.sizes),
    repetitions: number(values.repetitions, d.repetitions),
    largeRepetitions: number(values['large-repetitions'], d.largeRepetitions),
    largeFrom: number(values['large-from'], d.largeFrom),
    latencyMs: number(values['latency-ms'], d.latencyMs),
    transitionMs: number(values['transition-ms'], d.transitionMs),
    steadyStateSizes: numbers(values['steady-sizes'], d.steadyStateSizes),
    steadyWindowSeconds: number(values['steady-window-s'], d.steadyWindowSeconds),
    startupSizes: numbers(values['startup-sizes'], d.startupSizes),
    compiled: values.compiled === true,
    ...(values.deadline === undefined ? {} : { deadline: parseDeadline(values.deadline) }),
  };
  const started = Date.now();
  const progress: Progress = (message) => {
    const elapsed = Math.round((Date.now() - started) / 1000);
    const clock = `${Math.floor(elapsed / 60)}:${String(elapsed % 60).padStart(2, '0')}`;
    process.stdout.write(`[bench ${clock}] ${message}\n`);
  };
  progress(`sizes ${options.sizes.join(', ')}; starting the local control plane`);
  const command = ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
  const output = await withTestCluster(() =>
    benchmarkAndReport(options, values.out ?? DEFAULT_OUTPUT, progress, {
      chart: values['no-chart'] !== true,
      command,
    }),
  );
  progress(
    `wrote ${output.readmePath}${output.chartPath === undefined ? '' : ` and ${output.chartPath}`}`,
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
