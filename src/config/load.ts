import { readFileSync } from 'node:fs';
import { parse as parseDotenv, populate } from 'dotenv';
import { envVarFor, OPTIONS, type OptionSpec } from './options';
import { strictCommandLine } from './command-line';
import type { RateLimit } from '../vvp/rate-limit';
import {
  objectNameParser,
  parseAddress,
  parseApiBaseUrl,
  parseDuration,
  parseLabelValue,
  parseNamespaceList,
  parseNamespaceName,
  parsePositiveInteger,
  parsePositiveNumber,
} from './values';

/** The manager's validated configuration. */
export interface Config {
  appManagerApiUrl: string;
  platformApiUrl: string;
  debug: boolean;
  /** `--dry-run`: observe and report, send no VVP write. */
  dryRun: boolean;
  leaderElection: { enabled: boolean; namespace: string | undefined; id: string };
  /** `[host]:port`; `0` = disabled. */
  metricsAddr: string;
  healthProbeAddr: string;
  /** Empty = every namespace. */
  watchNamespaces: string[];
  maxConcurrentReconciles: number;
  resyncPeriodMs: number;
  kubeconfig: string | undefined;
  /** `--instance-id`: the `vpoperator.dev/instance` label value this operator reconciles. */
  instanceId: string | undefined;
  /** Where the operator's own Secrets live (owner tokens, the Platform API token Secret). */
  operatorNamespace: string;
  /** Secret in the operator namespace holding the Platform API token under key `token`. */
  platformApiTokenSecret: string | undefined;
  /** The global limit in front of every VVP request. */
  vvpRateLimit: RateLimit;
  /** How long one VVP request may wait for its answer. */
  vvpRequestTimeoutMs: number;
  /** The .env file that was loaded, if any. */
  envFile: string | undefined;
}

/** A configuration mistake the user must fix; reported as one line, exit code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** --help or --version was asked for: print `output` and exit 0. */
export interface InformationRequest {
  output: string;
}

type Source = 'flag' | 'env' | 'env-file' | 'default';

interface ResolvedValue {
  value: string | boolean | number | undefined;
  source: Source;
}

const DEFAULT_ENV_FILE = '.env';

/** The operator namespace outside a cluster when no flag names one. */
const DEFAULT_OPERATOR_NAMESPACE = 'default';

/**
 * Reads the manager's configuration with the precedence flag > environment > .env file >
 * default. Loading the .env file writes its variables into `env` (without overriding
 * variables already set), so that everything reading the environment later — API tokens
 * included — sees them.
 */
export async function loadConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): Promise<Config | InformationRequest> {
  const parsed = await parseFlags(argv);
  if (parsed.information !== undefined) return { output: parsed.information };
  const flags = parsed.flags;

  const envFile = loadEnvFile(flags, env, cwd);
  const resolve = (flag: string): ResolvedValue => resolveOption(flag, flags, env, envFile);

  const text = (flag: string): string | undefined => {
    const { value } = resolve(flag);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const describe = (flag: string): string => describeSource(flag, resolve(flag).source, envFile);
  const check = <T>(flag: string, parse: (value: string) => T): T => {
    const value = text(flag);
    try {
      return parse(value ?? '');
    } catch (error) {
      throw new ConfigError(`${describe(flag)}: ${(error as Error).message}`);
    }
  };

  const optional = <T>(flag: string, parse: (value: string) => T): T | undefined =>
    text(flag) === undefined ? undefined : check(flag, parse);

  if (text('app-manager-api-url') === undefined) {
    throw new ConfigError(
      `--app-manager-api-url is required (or ${envVarFor('app-manager-api-url')}): the base URL of the VVP AppManager API, e.g. http://vvp:8080/api`,
    );
  }
  const appManagerApiUrl = check('app-manager-api-url', parseApiBaseUrl);
  const platformApiUrl =
    text('platform-api-url') === undefined
      ? appManagerApiUrl.replace(/\/api$/, '')
      : check('platform-api-url', parseApiBaseUrl);

  const leaderElectionEnabled = check('enable-leader-election', parseBoolean);
  const podNamespace = inClusterNamespace();
  const leaderElectionNamespace = text('leader-election-namespace') ?? podNamespace;
  if (leaderElectionEnabled && leaderElectionNamespace === undefined) {
    throw new ConfigError(
      `--leader-election-namespace (or ${envVarFor('leader-election-namespace')}) is required with --enable-leader-election outside a cluster: the namespace that holds the Lease`,
    );
  }

  return {
    appManagerApiUrl,
    platformApiUrl,
    debug: check('debug', parseBoolean),
    dryRun: check('dry-run', parseBoolean),
    leaderElection: {
      enabled: leaderElectionEnabled,
      namespace: leaderElectionNamespace,
      id: check('leader-election-id', objectNameParser('Lease')),
    },
    metricsAddr: check('metrics-addr', parseAddress),
    healthProbeAddr: check('health-probe-addr', parseAddress),
    watchNamespaces: check('watch-namespace', parseNamespaceList),
    maxConcurrentReconciles: check('max-concurrent-reconciles', parsePositiveInteger),
    resyncPeriodMs: check('resync-period', parseDuration),
    kubeconfig: text('kubeconfig') ?? nonEmpty(env.KUBECONFIG),
    instanceId: optional('instance-id', parseLabelValue),
    operatorNamespace:
      optional('operator-namespace', parseNamespaceName) ??
      podNamespace ??
      leaderElectionNamespace ??
      DEFAULT_OPERATOR_NAMESPACE,
    platformApiTokenSecret: optional('platform-api-token-secret', objectNameParser('Secret')),
    vvpRateLimit: {
      requestsPerSecond: check('vvp-requests-per-second', parsePositiveNumber),
      burst: check('vvp-burst', parsePositiveInteger),
      maxInFlight: check('vvp-max-in-flight', parsePositiveInteger),
    },
    vvpRequestTimeoutMs: check('vvp-request-timeout', parseDuration),
    envFile: envFile?.path,
  };
}

type ParsedFlags = Record<string, unknown>;

/** The parsed flags, or the --help/--version text that was asked for instead. */
type ParseOutcome = { flags: ParsedFlags; information?: undefined } | { information: string };

async function parseFlags(argv: readonly string[]): Promise<ParseOutcome> {
  let information: string | undefined;
  const parser = strictCommandLine(argv, {
    name: 'manager',
    usage:
      '$0 [flags]\n\nRuns the vp-operator controllers: Kubernetes VpNamespace, VpDeploymentTarget, VpDeployment and VpSavepoint objects kept in sync with Ververica Platform.\nEvery flag can also be set through the environment variable shown, or in a .env file; a flag beats the environment, which beats the .env file, which beats the default.',
    toError: (line) => new ConfigError(line),
  });
  for (const option of OPTIONS) {
    parser.option(option.flag, {
      type: option.type,
      description: `${option.description} [env: ${envVarFor(option.flag)}]`,
      ...(option.default === undefined || option.default === ''
        ? {}
        : { defaultDescription: JSON.stringify(option.default) }),
      // A string flag given without a value is a mistake, not an empty string.
      ...(option.type === 'string' ? { requiresArg: true } : {}),
    });
  }
  const parsed = (await parser.parseAsync([...argv], {}, (_error, _argv, output) => {
    if (output) information = output;
  })) as ParsedFlags;
  if (information !== undefined) return { information };
  if (Array.isArray(parsed._) && parsed._.length > 0) {
    throw new ConfigError(
      `unexpected argument ${JSON.stringify(parsed._[0])}: every setting is a --flag=value`,
    );
  }
  return { flags: parsed };
}

interface LoadedEnvFile {
  path: string;
  keys: Set<string>;
}

function loadEnvFile(
  flags: ParsedFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
): LoadedEnvFile | undefined {
  const requested = stringFlag(flags, 'env-file') ?? nonEmpty(env[envVarFor('env-file')]);
  const path = requested ?? `${cwd}/${DEFAULT_ENV_FILE}`;
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    if (requested === undefined) return undefined;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(
      `--env-file ${JSON.stringify(requested)} cannot be read (${reason}): give a readable .env file or leave the flag out`,
    );
  }
  const parsed = parseDotenv(content);
  const keys = new Set(Object.keys(parsed).filter((key) => env[key] === undefined));
  populate(env, parsed, { override: false });
  return { path, keys };
}

function resolveOption(
  flag: string,
  flags: ParsedFlags,
  env: NodeJS.ProcessEnv,
  envFile: LoadedEnvFile | undefined,
): ResolvedValue {
  const fromFlag = flags[flag];
  if (fromFlag !== undefined)
    return { value: fromFlag as string | boolean | number, source: 'flag' };
  const variable = envVarFor(flag);
  const fromEnv = env[variable];
  if (fromEnv !== undefined) {
    return { value: fromEnv, source: envFile?.keys.has(variable) === true ? 'env-file' : 'env' };
  }
  return { value: optionSpec(flag).default, source: 'default' };
}

function describeSource(flag: string, source: Source, envFile: LoadedEnvFile | undefined): string {
  switch (source) {
    case 'flag':
      return `invalid --${flag}`;
    case 'env':
      return `invalid ${envVarFor(flag)} (sets --${flag})`;
    case 'env-file':
      return `invalid ${envVarFor(flag)} in ${envFile?.path ?? DEFAULT_ENV_FILE} (sets --${flag})`;
    case 'default':
      return `invalid default of --${flag}`;
  }
}

function optionSpec(flag: string): OptionSpec {
  const spec = OPTIONS.find((option) => option.flag === flag);
  if (spec === undefined) throw new Error(`no option --${flag} is declared`);
  return spec;
}

function stringFlag(flags: ParsedFlags, flag: string): string | undefined {
  const value = flags[flag];
  return typeof value === 'string' ? nonEmpty(value) : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function parseBoolean(value: string): boolean {
  const normalised = value.trim().toLowerCase();
  if (['', 'false', '0', 'no', 'off'].includes(normalised)) return false;
  if (['true', '1', 'yes', 'on'].includes(normalised)) return true;
  throw new Error(`${JSON.stringify(value)} is not a boolean; expected true or false`);
}

const IN_CLUSTER_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function inClusterNamespace(): string | undefined {
  try {
    return nonEmpty(readFileSync(IN_CLUSTER_NAMESPACE_FILE, 'utf8').trim());
  } catch {
    return undefined;
  }
}
