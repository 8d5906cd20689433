import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import { KubernetesSecretClient, Manager } from '../controller';
import { KubernetesSavepointRecords, registerResourceControllers } from '../reconcilers';
import { ConfigError, loadConfig, type Config } from '../config/load';
import { createLogger, knownSecrets, type Logger } from '../logging';
import {
  createTokenResolver,
  envTokenResolver,
  platformCredentials,
  registerEnvTokensAsSecrets,
  TOKEN_ENV_PREFIX,
} from '../tokens';
import { RequestLimiter, VvpClient } from '../vvp';
import { VERSION } from '../version';
import { checkApiServer, loadKubeConfig } from './kube-connection';

/** Who writes, in managedFields: status, finalizers, owner-token Secrets. */
const FIELD_MANAGER = 'vp-operator';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * The manager process: configuration, then the controller manager, until SIGTERM/SIGINT.
 * Resolves with the process exit code.
 */
export async function runManager(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let config: Config;
  try {
    const loaded = await loadConfig(argv, env);
    if ('output' in loaded) {
      process.stdout.write(`${loaded.output}\n`);
      return EXIT_OK;
    }
    config = loaded;
  } catch (error) {
    return reportStartupError(error);
  }

  registerEnvTokensAsSecrets(env, (value) => {
    knownSecrets.register(value);
  });
  const logger = createLogger({
    debug: config.debug,
    pretty: config.debug && process.stdout.isTTY,
  });
  try {
    return await runWithConfig(config, env, logger);
  } catch (error) {
    if (error instanceof ConfigError) return reportStartupError(error);
    logger.fatal({ err: error }, 'manager failed');
    return EXIT_FAILURE;
  }
}

async function runWithConfig(
  config: Config,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<number> {
  logger.info({ version: VERSION, envFile: config.envFile }, 'starting vp-operator');
  logger.debug({ config }, 'configuration');
  logger.debug(
    { variables: Object.keys(env).filter((name) => name.startsWith(TOKEN_ENV_PREFIX)) },
    'VVP API token variables found in the environment',
  );

  const kubeConfig = loadKubeConfig(config.kubeconfig);
  const kubernetesVersion = await checkApiServer(kubeConfig);
  logger.info(
    { server: kubeConfig.getCurrentCluster()?.server, kubernetesVersion },
    'connected to the Kubernetes API server',
  );

  const registry = new Registry();
  const secrets = new KubernetesSecretClient(kubeConfig, FIELD_MANAGER);
  const { operatorNamespace } = config;
  const vvp = new VvpClient({
    appManagerApiUrl: config.appManagerApiUrl,
    platformApiUrl: config.platformApiUrl,
    // Reconcilers pass each object's own token; this covers calls made outside a reconcile.
    tokens: envTokenResolver(env),
    platformTokens: platformCredentials({
      secretName: config.platformApiTokenSecret,
      operatorNamespace,
      secrets,
      env,
    }),
    limiter: new RequestLimiter(config.vvpRateLimit),
    timeoutMs: config.vvpRequestTimeoutMs,
    logger: logger.child({ component: 'vvp' }),
    registry,
    // The guard: with --dry-run no write leaves the process, whatever a reconciler attempts.
    dryRun: config.dryRun,
  });
  if (config.dryRun) {
    logger.warn('dry run: no write is sent to VVP; each one is reported as an Event instead');
  }
  reportVvpVersion(vvp, logger);

  const manager = new Manager({
    kubeConfig,
    logger,
    registry,
    namespaces: config.watchNamespaces,
    leaderElection: {
      enabled: config.leaderElection.enabled,
      namespace: config.leaderElection.namespace ?? '',
      name: config.leaderElection.id,
      identity: `${hostname()}_${process.pid}`,
    },
    metricsAddr: config.metricsAddr,
    healthProbeAddr: config.healthProbeAddr,
    maxConcurrentReconciles: config.maxConcurrentReconciles,
    resyncPeriod: config.resyncPeriodMs,
    fieldManager: FIELD_MANAGER,
  });
  registerResourceControllers(manager, {
    vvp,
    tokens: createTokenResolver({
      secrets,
      env,
      ownerTokens: {
        vvp,
        operatorNamespace,
        instanceId: config.instanceId,
        logger: logger.child({ component: 'tokens' }),
      },
    }),
    instanceId: config.instanceId,
    operatorNamespace,
    dryRun: config.dryRun,
    savepointRecords: new KubernetesSavepointRecords(kubeConfig, FIELD_MANAGER),
  });

  const stopped = waitForShutdownSignal(logger);
  await manager.start();
  const reason = await Promise.race([stopped, manager.done()]);
  return shutDown(manager, reason, logger);
}

/**
 * Logs which VVP the operator talks to. Never blocks or fails the start: VVP may come up
 * later, and an outage is reported per object, not by the process.
 */
function reportVvpVersion(vvp: VvpClient, logger: Logger): void {
  vvp
    .status()
    .capabilities()
    .then(
      (capabilities) => {
        logger.info({ vvp: capabilities }, 'connected to Ververica Platform');
      },
      (error: unknown) => {
        logger.warn(
          { err: error },
          'Ververica Platform is not reachable yet; will keep trying per object',
        );
      },
    );
}

type StopReason = { kind: 'signal'; signal: NodeJS.Signals } | { kind: 'manager'; error?: Error };

function waitForShutdownSignal(logger: Logger): Promise<StopReason> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      // A second signal while shutting down means "now".
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      logger.info({ signal }, 'shutting down');
      resolve({ kind: 'signal', signal });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

async function shutDown(manager: Manager, reason: StopReason, logger: Logger): Promise<number> {
  // The manager's own bound: in-flight reconciles, then releasing the lease. Cutting it
  // shorter would exit while the lease is being released, and a standby would wait it out.
  const budgetMs = manager.stopBudget;
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      resolve('timeout');
    }, budgetMs);
  });
  const outcome = await Promise.race([manager.stop().then(() => 'stopped' as const), budget]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.error({ budgetMs }, 'graceful shutdown took too long; exiting');
    return EXIT_FAILURE;
  }
  if (reason.kind === 'manager' && reason.error !== undefined) {
    logger.error({ err: reason.error }, 'manager stopped');
    return EXIT_FAILURE;
  }
  logger.info('stopped');
  return EXIT_OK;
}

function reportStartupError(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`vp-operator: ${error.message}\n`);
    return EXIT_USAGE;
  }
  process.stderr.write(`vp-operator: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT_FAILURE;
}
