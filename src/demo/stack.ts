import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logging';
import { startSimulator, type Knobs, type RunningSimulator } from '../simulator';
import { startControlPlane, type ControlPlane } from '../testing/control-plane';
import { execTool } from '../testing/exec';
import { ensureKubeTools, type KubeTools } from '../testing/kube-tools';
import { ManagedProcess } from '../testing/managed-process';
import { operatorRbacManifest } from '../testing/operator-rbac';
import type { Kubectl } from './readiness';

const MANAGER = fileURLToPath(new URL('../../bin/manager', import.meta.url));
const CRD_DIR = fileURLToPath(new URL('../../config/crd/', import.meta.url));

/** Where the manager keeps its Secrets (owner tokens), as a real installation's namespace. */
export const OPERATOR_NAMESPACE = 'vp-operator-system';

const HEALTH_PROBES_LOG_MESSAGE = 'serving health probes at /healthz and /readyz';
/** Generous: the manager compiles TypeScript on start, slow on a loaded 2-core machine. */
const MANAGER_READY_TIMEOUT_MS = 120_000;
/** The manager lets in-flight work finish for up to 10 s on SIGTERM. */
const MANAGER_STOP_GRACE_MS = 15_000;

/** Everything the demo runs: a control plane, the VVP simulator, the CRDs and the manager. */
export interface DemoStack {
  controlPlane: ControlPlane;
  simulator: RunningSimulator;
  tools: KubeTools;
  /** kubectl as the cluster administrator. */
  kubectl: Kubectl;
  manager: ManagedProcess;
  /** The manager's /readyz and /healthz. */
  healthProbeUrl: string;
}

export interface DemoStackOptions {
  logger: Logger;
  /** Knobs the simulator starts with (e.g. a fault, to see how the operator reports it). */
  knobs?: Partial<Knobs>;
  /** Registers how to undo each step, so that a failure half-way still stops what started. */
  onCleanup: (cleanup: () => Promise<void>) => void;
}

/** The port the manager logged it serves its probes on, once it has. */
async function loggedProbePort(logPath: string): Promise<number | undefined> {
  const log = await readFile(logPath, 'utf8').catch(() => '');
  for (const line of log.split('\n')) {
    if (!line.includes(HEALTH_PROBES_LOG_MESSAGE)) continue;
    try {
      const { port } = JSON.parse(line) as { port?: unknown };
      if (typeof port === 'number') return port;
    } catch {
      // not a complete JSON line yet
    }
  }
  return undefined;
}

async function isReady(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts the control plane, the simulator and the manager, installed the way a cluster
 * administrator installs the operator: the CRDs, config/rbac granted to the unprivileged
 * operator identity in its own namespace, and bin/manager running as that identity.
 */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const { logger, onCleanup } = options;
  const controlPlane = await startControlPlane({ logger, terminal: process.stderr });
  onCleanup(() => controlPlane.stop());
  const simulator = await startSimulator({
    logger: logger.child({ component: 'vvp-simulator' }),
    ...(options.knobs === undefined ? {} : { knobs: options.knobs }),
  });
  onCleanup(() => simulator.close());
  const tools = await ensureKubeTools({ logger });
  const kubectl: Kubectl = (...args) =>
    execTool(tools.kubectl, args, {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        KUBECONFIG: controlPlane.adminKubeconfigPath,
      },
    });

  logger.info('installing the CRDs and the operator RBAC (config/crd, config/rbac)');
  await kubectl('apply', '--server-side', '-f', CRD_DIR);
  await kubectl('wait', '--for=condition=Established', '--timeout=60s', '-f', CRD_DIR);
  await kubectl('create', 'namespace', OPERATOR_NAMESPACE);
  const rbacPath = join(controlPlane.dir, 'operator-rbac.yaml');
  await writeFile(
    rbacPath,
    await operatorRbacManifest(OPERATOR_NAMESPACE, controlPlane.operatorUser),
  );
  await kubectl('apply', '-f', rbacPath);

  logger.info(`starting bin/manager as the operator identity "${controlPlane.operatorUser}"`);
  const manager = new ManagedProcess(
    'manager',
    MANAGER,
    [
      `--app-manager-api-url=${simulator.url}/api`,
      `--kubeconfig=${controlPlane.operatorKubeconfigPath}`,
      `--operator-namespace=${OPERATOR_NAMESPACE}`,
      '--metrics-addr=127.0.0.1:0',
      '--health-probe-addr=127.0.0.1:0',
    ],
    controlPlane.logDir,
    // Nothing from the caller's environment (a KUBECONFIG, VP_OPERATOR_* settings) leaks in.
    { PATH: process.env.PATH, HOME: process.env.HOME },
  );
  manager.start();
  onCleanup(() => manager.stop(MANAGER_STOP_GRACE_MS));
  let healthProbeUrl = '';
  await manager.waitUntil(
    'ready',
    async () => {
      const port = await loggedProbePort(manager.logPath);
      if (port === undefined) return false;
      healthProbeUrl = `http://127.0.0.1:${String(port)}/readyz`;
      return isReady(healthProbeUrl);
    },
    MANAGER_READY_TIMEOUT_MS,
    logger,
  );
  return { controlPlane, simulator, tools, kubectl, manager, healthProbeUrl };
}
