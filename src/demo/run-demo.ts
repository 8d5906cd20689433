// `npm run demo`: the operator end-to-end on the embedded default — a local Kubernetes control
// plane, the VVP simulator and bin/manager — until Ctrl-C. `--once` starts everything, waits
// until the manager is ready, and stops again (what the tests run).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../logging';
import { startSimulator } from '../simulator';
import { startControlPlane } from '../testing/control-plane';
import { eventually } from '../testing/eventually';
import { execTool } from '../testing/exec';
import { ensureKubeTools } from '../testing/kube-tools';

const MANAGER = fileURLToPath(new URL('../../bin/manager', import.meta.url));
const CRD_DIR = fileURLToPath(new URL('../../config/crd/', import.meta.url));
const EXAMPLES = ['vpnamespace.yaml', 'vpdeploymenttarget.yaml'].map((file) =>
  fileURLToPath(new URL(`../../examples/${file}`, import.meta.url)),
);
const READY_TIMEOUT_MS = 120_000;
const HEALTH_PROBES_LOG_MESSAGE = 'serving health probes at /healthz and /readyz';

const logger = createLogger({ pretty: process.stdout.isTTY });
const exitWhenReady = process.argv.includes('--once');

const cleanups: (() => Promise<void>)[] = [];

async function stopEverything(): Promise<void> {
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch((error: unknown) => {
      logger.error({ err: error }, 'cleanup failed');
    });
  }
}

async function main(): Promise<number> {
  const controlPlane = await startControlPlane({ logger });
  cleanups.push(() => controlPlane.stop());
  const simulator = await startSimulator({ logger: logger.child({ component: 'vvp-simulator' }) });
  cleanups.push(() => simulator.close());
  const tools = await ensureKubeTools({ logger });
  const kubectl = (...args: string[]): Promise<string> =>
    execTool(tools.kubectl, args, {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        KUBECONFIG: controlPlane.adminKubeconfigPath,
      },
    });
  logger.info('installing the CRDs');
  await kubectl('apply', '--server-side', '-f', CRD_DIR);
  await kubectl('wait', '--for=condition=Established', '--timeout=60s', '-f', CRD_DIR);

  const manager = spawn(
    MANAGER,
    [
      `--app-manager-api-url=${simulator.url}/api`,
      `--kubeconfig=${controlPlane.adminKubeconfigPath}`,
      '--metrics-addr=127.0.0.1:0',
      '--health-probe-addr=127.0.0.1:0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  cleanups.push(() => stopProcess(manager));
  manager.stdout.pipe(process.stdout);

  const healthProbePort = await waitForServingLine(manager);
  await waitForReady(healthProbePort);
  logger.info('applying the examples: a VpNamespace and a VpDeploymentTarget');
  for (const example of EXAMPLES) await kubectl('apply', '-f', example);
  await kubectl(
    'wait',
    '--for=condition=Ready',
    '--timeout=60s',
    ...EXAMPLES.flatMap((file) => ['-f', file]),
  );
  process.stdout.write(`\n${await kubectl('get', 'vp', '-A')}`);

  process.stdout.write(
    [
      '',
      'vp-operator is running against a local Kubernetes control plane and the VVP simulator.',
      `  Kubernetes API:  ${controlPlane.server}`,
      `  kubectl:         KUBECONFIG=${controlPlane.adminKubeconfigPath} ${tools.kubectl} get vp -A`,
      `  helm:            ${tools.helm}`,
      `  VVP simulator:   ${simulator.url}  (AppManager API at ${simulator.url}/api)`,
      `  manager probes:  http://127.0.0.1:${healthProbePort}/readyz`,
      exitWhenReady ? 'Stopping (--once).' : 'Press Ctrl-C to stop everything.',
      '',
    ].join('\n'),
  );

  if (!exitWhenReady) {
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM'), once(manager, 'exit')]);
  }
  await stopEverything();
  return manager.exitCode === null || manager.exitCode === 0 ? 0 : 1;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

try {
  process.exit(await main());
} catch (error) {
  logger.error({ err: error }, 'the demo failed to start');
  await stopEverything();
  process.exit(1);
}

/** The manager logs the port it serves probes on; read it off its JSON log. */
async function waitForServingLine(child: ChildProcess): Promise<number> {
  const stdout = child.stdout;
  if (stdout === null) throw new Error('the manager has no standard output to read');
  let buffered = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the manager did not start within ${READY_TIMEOUT_MS / 1000}s`));
    }, READY_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the manager exited with code ${String(code)} before it was ready`));
    });
    stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        const port = servingPort(line);
        if (port !== undefined) {
          clearTimeout(timer);
          resolve(port);
        }
      }
    });
  });
}

function servingPort(line: string): number | undefined {
  if (!line.includes(HEALTH_PROBES_LOG_MESSAGE)) return undefined;
  try {
    const record = JSON.parse(line) as { port?: unknown };
    return typeof record.port === 'number' ? record.port : undefined;
  } catch {
    return undefined;
  }
}

function waitForReady(port: number): Promise<true> {
  return eventually(
    "the manager's /readyz to answer 200",
    async () =>
      (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined,
    { timeoutMs: READY_TIMEOUT_MS },
  );
}
