// `npm run demo`: the operator end to end on the embedded default — a local Kubernetes control
// plane, the VVP simulator and bin/manager — with every example of examples/ applied and Ready,
// until Ctrl-C. `--once` stops everything as soon as the examples are Ready (or could not
// become Ready) and exits 0 only if all of them did.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parseDuration } from '../config/values';
import { createLogger } from '../logging';
import { parseKnobs } from '../simulator/knobs';
import type { Knobs } from '../simulator';
import { formatDuration } from '../testing/cache';
import type { ManagedProcess } from '../testing/managed-process';
import { EXAMPLES_DIR, describeExample, readExamples } from './examples';
import { ExamplesNotReadyError, waitForExamples, type ExampleState } from './readiness';
import { describeCluster, describeHowToUse } from './report';
import { startDemoStack, type DemoStack } from './stack';
import { describeVvp } from './vvp-view';

const USAGE = `Usage: npm run demo [-- options]

Starts a local Kubernetes control plane, the VVP simulator and the operator, applies examples/
and shows the objects, their Events and VVP's view of them once all are Ready.

Options:
  --once                    stop everything once the examples are Ready; exit 0 only if all are
  --timeout <duration>      how long the examples may take to become Ready (default 3m)
  --examples <dir>          apply the YAML files of this directory instead of examples/
  --simulator-knobs <json>  start the simulator with these knobs, e.g. '{"jobStartFailureRate":1}'
                            (docs/simulator.md lists them)
  --help                    print this and exit
`;

const DEFAULT_TIMEOUT = '3m';
/** Exit code of a command-line mistake, as the manager and the simulator use it. */
const USAGE_ERROR = 2;

interface DemoArguments {
  once: boolean;
  timeoutMs: number;
  examplesDir: string;
  knobs: Partial<Knobs> | undefined;
}

function parseDemoArguments(argv: string[]): DemoArguments | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      once: { type: 'boolean', default: false },
      timeout: { type: 'string', default: DEFAULT_TIMEOUT },
      examples: { type: 'string', default: EXAMPLES_DIR },
      'simulator-knobs': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const knobs = values['simulator-knobs'];
  return {
    once: values.once,
    timeoutMs: parseDuration(values.timeout),
    examplesDir: values.examples,
    knobs: knobs === undefined ? undefined : parseKnobs(JSON.parse(knobs)),
  };
}

const logger = createLogger({ pretty: process.stdout.isTTY });

const MANAGER_WATCH_INTERVAL_MS = 1_000;

const cleanups: (() => Promise<void>)[] = [];
let stopping: Promise<void> | undefined;
/** True once everything is up and shown: from then on Ctrl-C is a normal end. */
let running = false;

/** Undoes every started step, newest first; safe to call more than once. */
function stopEverything(): Promise<void> {
  stopping ??= (async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => {
        logger.error({ err: error }, 'cleanup failed');
      });
    }
    logger.info('stopped everything');
  })();
  return stopping;
}

function section(title: string, body: string): void {
  process.stdout.write(`\n== ${title}\n${body.trimEnd()}\n`);
}

/** Everything a user wants to see: the objects, their Events, and what VVP holds. */
async function showState(stack: DemoStack): Promise<void> {
  const cluster = await describeCluster(stack.kubectl);
  section('kubectl get vp -A -o wide', cluster.objects);
  section(
    "Kubernetes Events about them (kubectl get events.events.k8s.io -A); FROM VVP: mirrored from VVP's event log",
    cluster.events,
  );
  section(
    `The VVP simulator's view (its REST API at ${stack.simulator.url})`,
    await describeVvp(stack.simulator.url),
  );
}

async function main(args: DemoArguments): Promise<number> {
  const started = Date.now();
  const examples = await readExamples(args.examplesDir);
  const stack = await startDemoStack({
    logger,
    ...(args.knobs === undefined ? {} : { knobs: args.knobs }),
    onCleanup: (cleanup) => cleanups.push(cleanup),
  });

  logger.info(`applying ${examples.map(describeExample).join(', ')}`);
  for (const file of new Set(examples.map((example) => example.file))) {
    await stack.kubectl('apply', '-f', file);
  }
  let states: ExampleState[];
  let failure: ExamplesNotReadyError | undefined;
  const managerExit = exitOf(stack.manager);
  try {
    states = await Promise.race([
      waitForExamples(stack.kubectl, examples, { timeoutMs: args.timeoutMs, logger }),
      // Nothing becomes Ready without the manager: say so now rather than at the timeout.
      managerExit.then(async (exit) => {
        throw new Error(`the manager ${exit}; its log:\n${await stack.manager.logTail()}`);
      }),
    ]);
  } catch (error) {
    if (!(error instanceof ExamplesNotReadyError)) throw error;
    failure = error;
    states = error.states;
  }
  await showState(stack);
  section('How to use it', describeHowToUse(stack, examples));

  if (failure !== undefined) {
    process.stderr.write(`\nThe demo is NOT ready. ${failure.message}\n`);
  } else {
    process.stdout.write(
      `\nAll ${String(states.length)} examples are Ready ` +
        `(${formatDuration(Date.now() - started)} after the start).\n`,
    );
  }
  if (args.once) {
    process.stdout.write('Stopping everything (--once).\n');
    await stopEverything();
    return failure === undefined ? 0 : 1;
  }
  process.stdout.write('Press Ctrl-C to stop everything.\n');
  // Ctrl-C is the way out (see `interrupt`); only a manager that dies on its own ends it here.
  running = true;
  const exit = await managerExit;
  logger.error(`the manager ${exit}; its log:\n${await stack.manager.logTail()}`);
  await stopEverything();
  return 1;
}

/**
 * Resolves with how the manager ended if it ends on its own; never when `interrupt` stops it
 * (the process exits once stopping is done).
 */
async function exitOf(manager: ManagedProcess): Promise<string> {
  for (;;) {
    await sleep(MANAGER_WATCH_INTERVAL_MS);
    const exit = manager.exitDescription;
    if (exit !== undefined && stopping === undefined) return exit;
  }
}

let args: DemoArguments | 'help';
try {
  args = parseDemoArguments(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(USAGE_ERROR);
}
if (args === 'help') {
  process.stdout.write(USAGE);
  process.exit(0);
}
// Ctrl-C (or SIGTERM) stops what has started, at any point; once the demo is up it is the
// normal way to end it, so it exits 0 then.
const interrupt = (signal: NodeJS.Signals): void => {
  logger.info(`${signal}: stopping`);
  const code = running ? 0 : 128 + (signal === 'SIGINT' ? 2 : 15);
  void stopEverything().then(() => process.exit(code));
};
process.once('SIGINT', interrupt);
process.once('SIGTERM', interrupt);
try {
  process.exit(await main(args));
} catch (error) {
  logger.error({ err: error }, 'the demo failed');
  await stopEverything();
  process.exit(1);
}
