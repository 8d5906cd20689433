import { strictCommandLine } from '../config/command-line';
import { createLogger } from '../logging';
import { AUTH_MODES } from './auth';
import { DEFAULT_KNOBS } from './knobs';
import { VVP_VERSIONS } from './model';
import { startSimulator, type StartOptions } from './server';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A flag mistake: reported as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type ParsedCommandLine =
  | { kind: 'run'; options: StartOptions; debug: boolean }
  /** --help or --version: print and exit 0. */
  | { kind: 'information'; output: string };

const ENV_PREFIX = 'VVP_SIMULATOR';

const OPTIONS = {
  port: {
    type: 'number',
    default: 8080,
    requiresArg: true,
    description: 'TCP port; 0 picks a free one',
  },
  host: {
    type: 'string',
    default: '127.0.0.1',
    requiresArg: true,
    description: 'Interface to listen on (0.0.0.0 for all)',
  },
  auth: {
    type: 'string',
    choices: AUTH_MODES,
    default: 'open',
    description:
      'open: community edition, any or no token; enforced: Bearer API tokens with viewer/editor/owner roles',
  },
  'admin-token': {
    type: 'string',
    requiresArg: true,
    description:
      'Bootstrap admin token (required with --auth=enforced); prefer the environment variable to keep it out of ps',
  },
  'vvp-version': {
    type: 'string',
    choices: VVP_VERSIONS,
    default: '2.4',
    description:
      '2.4: name-or-id deployment paths, DNS-label names, PUT upserts; 2.1: id paths, no PUT',
  },
  'latency-ms': {
    type: 'number',
    requiresArg: true,
    default: DEFAULT_KNOBS.latencyMs,
    description: 'Delay added to every VVP request',
  },
  'transition-ms': {
    type: 'number',
    requiresArg: true,
    default: DEFAULT_KNOBS.transitionMs,
    description: 'Duration of each lifecycle phase (job start, job stop, savepoint); 0 = instant',
  },
  'namespace-termination-ms': {
    type: 'number',
    requiresArg: true,
    default: DEFAULT_KNOBS.namespaceTerminationMs,
    description: 'How long a deleted namespace stays TERMINATING',
  },
  'savepoint-failure-rate': {
    type: 'number',
    requiresArg: true,
    default: DEFAULT_KNOBS.savepointFailureRate,
    description: 'Share (0..1) of savepoints that fail',
  },
  'job-start-failure-rate': {
    type: 'number',
    requiresArg: true,
    default: DEFAULT_KNOBS.jobStartFailureRate,
    description: 'Share (0..1) of job starts that fail',
  },
  'universal-blob-storage': {
    type: 'boolean',
    default: DEFAULT_KNOBS.universalBlobStorage,
    description:
      'The installation has Universal Blob Storage; =false: savepoints need state.savepoints.dir in the Flink configuration',
  },
  'allow-stale-resource-version': {
    type: 'boolean',
    default: DEFAULT_KNOBS.allowStaleResourceVersion,
    description: 'Accept writes with a stale metadata.resourceVersion (default: 409)',
  },
  'allow-unknown-fields': {
    type: 'boolean',
    default: DEFAULT_KNOBS.allowUnknownFields,
    description: 'Accept request fields api-spec/ does not declare (default: 400)',
  },
  'allow-default-namespace-deletion': {
    type: 'boolean',
    default: DEFAULT_KNOBS.allowDefaultNamespaceDeletion,
    description: 'Let the default namespace be deleted (default: 409)',
  },
  'allow-missing-state': {
    type: 'boolean',
    default: DEFAULT_KNOBS.allowMissingState,
    description: 'A deployment without spec.state becomes CANCELLED (default: 400)',
  },
  seed: {
    type: 'number',
    requiresArg: true,
    description: 'Seed for ids, secrets and fault rolls (repeatable runs)',
  },
  debug: { type: 'boolean', default: false, description: 'Log every request' },
} as const;

/** `VVP_SIMULATOR_ADMIN_TOKEN=x` → `--admin-token=x`; unset and empty variables are skipped. */
function fromEnvironment(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(OPTIONS).flatMap((flag) => {
    const value = env[`${ENV_PREFIX}_${flag.toUpperCase().replaceAll('-', '_')}`];
    return value === undefined || value === '' ? [] : [`--${flag}=${value}`];
  });
}

/** Parses the simulator's flags (environment `VVP_SIMULATOR_<FLAG>` as fallback). */
export async function parseCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ParsedCommandLine> {
  let information: string | undefined;
  // Environment values go first so that a flag on the command line (parsed later) wins.
  const args = [...fromEnvironment(env), ...argv];
  const parser = strictCommandLine(args, {
    name: 'vvp-simulator',
    usage:
      '$0 [flags]\n\nAn in-memory Ververica Platform (AppManager + Platform API) for trying vp-operator and for tests: ' +
      'VVP lifecycle, errors, auth and injectable faults, tuned at run time through the admin API under /_simulator/v1 ' +
      '(docs/simulator.md). Every flag can also be set as an environment variable VVP_SIMULATOR_<FLAG>, e.g. VVP_SIMULATOR_ADMIN_TOKEN.',
    toError: (line) => new UsageError(line),
  }).options(OPTIONS);
  const flags = await parser.parseAsync(args, {}, (_error, _argv, output) => {
    if (output) information = output;
  });
  if (information !== undefined) return { kind: 'information', output: information };
  if (flags._.length > 0) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(flags._[0])}: every setting is a --flag=value`,
    );
  }

  const port = flags.port;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got ${String(port)}`);
  }
  const auth = flags.auth;
  const adminToken = flags['admin-token'];
  if (auth === 'enforced' && (adminToken === undefined || adminToken === '')) {
    throw new UsageError(
      `--auth=enforced needs --admin-token (or ${ENV_PREFIX}_ADMIN_TOKEN): the bootstrap admin API token`,
    );
  }
  const seed = flags.seed;
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new UsageError(`--seed must be an integer, got ${String(seed)}`);
  }
  const knobs = {
    latencyMs: wholeMilliseconds(flags, 'latency-ms'),
    transitionMs: wholeMilliseconds(flags, 'transition-ms'),
    namespaceTerminationMs: wholeMilliseconds(flags, 'namespace-termination-ms'),
    savepointFailureRate: rate(flags, 'savepoint-failure-rate'),
    jobStartFailureRate: rate(flags, 'job-start-failure-rate'),
    universalBlobStorage: flags['universal-blob-storage'],
    allowStaleResourceVersion: flags['allow-stale-resource-version'],
    allowUnknownFields: flags['allow-unknown-fields'],
    allowDefaultNamespaceDeletion: flags['allow-default-namespace-deletion'],
    allowMissingState: flags['allow-missing-state'],
  };
  return {
    kind: 'run',
    debug: flags.debug,
    options: {
      port,
      host: flags.host,
      auth,
      ...(adminToken === undefined ? {} : { adminToken }),
      vvpVersion: flags['vvp-version'],
      ...(seed === undefined ? {} : { seed }),
      knobs,
    },
  };
}

const MAX_DURATION_MS = 3_600_000;

function wholeMilliseconds(flags: Record<string, unknown>, flag: string): number {
  const value = flags[flag];
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > MAX_DURATION_MS
  ) {
    throw new UsageError(
      `--${flag} must be whole milliseconds from 0 to ${MAX_DURATION_MS}, got ${String(value)}`,
    );
  }
  return value;
}

function rate(flags: Record<string, unknown>, flag: string): number {
  const value = flags[flag];
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new UsageError(`--${flag} must be a number from 0 to 1, got ${String(value)}`);
  }
  return value;
}

function startupHint(error: unknown, options: StartOptions): string {
  const address = `${options.host ?? ''}:${String(options.port ?? '')}`;
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return `${address} is already in use; pick another --port (0 picks a free one)`;
    case 'EACCES':
      return `not allowed to listen on ${address}; use a port above 1023`;
    case 'EADDRNOTAVAIL':
      return `--host ${options.host ?? ''} is not an address of this machine`;
    default:
      return (error as Error).message;
  }
}

/** The `vvp-simulator` process: runs until SIGINT/SIGTERM; resolves with the exit code. */
export async function runSimulatorCli(argv: readonly string[]): Promise<number> {
  let parsed: ParsedCommandLine;
  try {
    parsed = await parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`vvp-simulator: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (parsed.kind === 'information') {
    process.stdout.write(`${parsed.output}\n`);
    return EXIT_OK;
  }
  const logger = createLogger({
    debug: parsed.debug,
    pretty: parsed.debug && process.stdout.isTTY,
  }).child({ component: 'vvp-simulator' });
  let simulator;
  try {
    simulator = await startSimulator({ ...parsed.options, logger });
  } catch (error) {
    logger.fatal(
      { err: error },
      `VVP simulator could not start: ${startupHint(error, parsed.options)}`,
    );
    return EXIT_FAILURE;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info({ signal }, 'VVP simulator stopping');
  await simulator.close();
  return EXIT_OK;
}
