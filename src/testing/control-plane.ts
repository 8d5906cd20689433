import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../logging';
import { knownSecrets } from '../logging';
import { isProcessAlive } from './cache';
import { ensureKubeTestenvBinary } from './kube-testenv-build';
import { writeTokenKubeconfig } from './kubeconfig';
import { ManagedProcess, ProcessFailedError } from './managed-process';

/** How tests reach a cluster: the API server and kubeconfigs for two identities. */
export interface TestClusterConnection {
  /** API server URL, e.g. https://127.0.0.1:41234. */
  server: string;
  /** Kubeconfig of a cluster administrator (group system:masters on the local control plane). */
  adminKubeconfigPath: string;
  /**
   * Kubeconfig of an identity with no permissions of its own: tests bind RBAC to
   * `operatorUser` to prove the operator works with exactly the permissions it is granted.
   */
  operatorKubeconfigPath: string;
  /** User name of that identity, for RBAC subjects of kind User. */
  operatorUser: string;
}

export interface TestCluster extends TestClusterConnection {
  /**
   * Restarts the API server process, keeping etcd (and so all data) and the address. Clients
   * see their connections and watches drop, as during an upgrade of a real control plane.
   */
  restartApiServer(): Promise<void>;
  /** Stops every process and removes the files the harness created. */
  stop(): Promise<void>;
}

export interface ControlPlane extends TestCluster {
  /** Run directory: kubeconfigs, keys, etcd data and `logs/<process>.log`. */
  dir: string;
  logDir: string;
}

export interface ControlPlaneOptions {
  /** Run directory to use (and keep after stop); a fresh temporary directory by default. */
  dir?: string;
  /** Prebuilt kube-testenv binary; built or taken from the cache by default. */
  binary?: string;
  logger?: Logger;
  /** A terminal on which a first build draws a live progress bar (when it is a TTY). */
  terminal?: NodeJS.WriteStream;
}

/** The unprivileged identity's user name. */
export const OPERATOR_USER = 'vp-operator';
const ADMIN_USER = 'admin';

const RUN_DIR_PREFIX = 'vp-operator-testenv-';
const OWNER_FILE = 'owner.pid';
/** Generous: a loaded 2-core machine takes far longer than a laptop to start an apiserver. */
const API_SERVER_READY_TIMEOUT_MS = 90_000;
const ETCD_READY_TIMEOUT_MS = 60_000;
const CONTROLLER_MANAGER_READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const PROBE_TIMEOUT_MS = 2_000;
const START_ATTEMPTS = 3;

/**
 * What tests need from a real cluster's controllers: namespace deletion, ownerReference garbage
 * collection, default ServiceAccounts, and the built-in admin/edit/view ClusterRoles (filled in
 * by aggregation, as charts extend them with `aggregate-to-*` labels).
 */
const CONTROLLERS = [
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'clusterrole-aggregation-controller',
];

type PortName = 'etcdClient' | 'etcdPeer' | 'apiServer' | 'controllerManager';
type Ports = Record<PortName, number>;
const PORT_NAMES: readonly PortName[] = [
  'etcdClient',
  'etcdPeer',
  'apiServer',
  'controllerManager',
];

/** Distinct free loopback ports. The OS may hand one out again before we bind it; see the retry. */
async function freePorts(): Promise<Ports> {
  const servers = await Promise.all(
    PORT_NAMES.map(
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            resolve(server);
          });
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return Object.fromEntries(PORT_NAMES.map((name, i) => [name, ports[i]])) as Ports;
}

/** GET over HTTPS without verifying the self-signed serving certificate: loopback probes only. */
function httpsStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { rejectUnauthorized: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => {
      resolve(undefined);
    });
    req.end();
  });
}

async function etcdHealthy(clientUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${clientUrl}/health`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return response.ok && ((await response.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

/** Run directories of harness processes that died without cleaning up (e.g. killed test runs). */
async function removeAbandonedRunDirs(logger: Logger | undefined): Promise<void> {
  const base = tmpdir();
  for (const name of await readdir(base).catch(() => [])) {
    if (!name.startsWith(RUN_DIR_PREFIX)) continue;
    const dir = join(base, name);
    const owner = Number.parseInt(
      await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => ''),
      10,
    );
    if (Number.isInteger(owner) && !isProcessAlive(owner)) {
      logger?.debug({ dir, owner }, 'removing abandoned control plane run directory');
      await rm(dir, { recursive: true, force: true });
    }
  }
}

interface RunFiles {
  dir: string;
  logDir: string;
  adminKubeconfigPath: string;
  operatorKubeconfigPath: string;
  tokensPath: string;
  serviceAccountKeyPath: string;
}

async function prepareRunFiles(
  dir: string,
): Promise<RunFiles & { adminToken: string; operatorToken: string }> {
  const files: RunFiles = {
    dir,
    logDir: join(dir, 'logs'),
    adminKubeconfigPath: join(dir, 'admin.kubeconfig'),
    operatorKubeconfigPath: join(dir, 'operator.kubeconfig'),
    tokensPath: join(dir, 'tokens.csv'),
    serviceAccountKeyPath: join(dir, 'sa.key'),
  };
  await mkdir(files.logDir, { recursive: true });
  await writeFile(join(dir, OWNER_FILE), String(process.pid));

  const adminToken = randomBytes(32).toString('base64url');
  const operatorToken = randomBytes(32).toString('base64url');
  knownSecrets.register(adminToken);
  knownSecrets.register(operatorToken);
  // token,user,uid[,"groups"]: the operator identity deliberately has no groups.
  await writeFile(
    files.tokensPath,
    `${adminToken},${ADMIN_USER},${ADMIN_USER},"system:masters"\n` +
      `${operatorToken},${OPERATOR_USER},${OPERATOR_USER}\n`,
    { mode: 0o600 },
  );
  // One RSA key both signs and verifies service account tokens, so TokenRequest works.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(
    files.serviceAccountKeyPath,
    privateKey.export({ type: 'pkcs8', format: 'pem' }),
    { mode: 0o600 },
  );
  return { ...files, adminToken, operatorToken };
}

class LocalControlPlane implements ControlPlane {
  readonly server: string;
  readonly operatorUser = OPERATOR_USER;
  readonly dir: string;
  readonly logDir: string;
  readonly adminKubeconfigPath: string;
  readonly operatorKubeconfigPath: string;
  readonly #etcd: ManagedProcess;
  readonly #apiServer: ManagedProcess;
  readonly #controllerManager: ManagedProcess;
  readonly #etcdUrl: string;
  readonly #controllerManagerUrl: string;
  readonly #removeDirOnStop: boolean;
  readonly #logger: Logger | undefined;
  #restarting: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | undefined;

  constructor(
    binary: string,
    files: RunFiles,
    ports: Ports,
    removeDirOnStop: boolean,
    logger: Logger | undefined,
  ) {
    this.dir = files.dir;
    this.logDir = files.logDir;
    this.adminKubeconfigPath = files.adminKubeconfigPath;
    this.operatorKubeconfigPath = files.operatorKubeconfigPath;
    this.server = `https://127.0.0.1:${ports.apiServer}`;
    this.#etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
    this.#controllerManagerUrl = `https://127.0.0.1:${ports.controllerManager}`;
    this.#removeDirOnStop = removeDirOnStop;
    this.#logger = logger;

    this.#etcd = new ManagedProcess(
      'etcd',
      binary,
      [
        'etcd',
        `--data-dir=${join(files.dir, 'etcd')}`,
        `--client-port=${ports.etcdClient}`,
        `--peer-port=${ports.etcdPeer}`,
      ],
      files.logDir,
    );
    this.#apiServer = new ManagedProcess(
      'kube-apiserver',
      binary,
      [
        'kube-apiserver',
        `--etcd-servers=${this.#etcdUrl}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.apiServer}`,
        '--advertise-address=127.0.0.1',
        `--cert-dir=${join(files.dir, 'pki')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        `--service-account-issuer=${this.server}`,
        `--service-account-key-file=${files.serviceAccountKeyPath}`,
        `--service-account-signing-key-file=${files.serviceAccountKeyPath}`,
        '--authorization-mode=RBAC',
        `--token-auth-file=${files.tokensPath}`,
        '--allow-privileged=true',
        // Nothing can route to 127.0.0.1 from inside a cluster; stop it writing Endpoints for it.
        '--endpoint-reconciler-type=none',
        // Priority and fairness only adds startup work and 429s on a single-tenant test server.
        '--enable-priority-and-fairness=false',
        '--profiling=false',
      ],
      files.logDir,
    );
    this.#controllerManager = new ManagedProcess(
      'kube-controller-manager',
      binary,
      [
        'kube-controller-manager',
        `--kubeconfig=${files.adminKubeconfigPath}`,
        '--leader-elect=false',
        `--controllers=${CONTROLLERS.join(',')}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.controllerManager}`,
        `--cert-dir=${join(files.dir, 'controller-manager-pki')}`,
        '--profiling=false',
      ],
      files.logDir,
    );
  }

  async start(adminToken: string, operatorToken: string): Promise<void> {
    this.#etcd.start();
    await this.#etcd.waitUntil(
      'healthy',
      () => etcdHealthy(this.#etcdUrl),
      ETCD_READY_TIMEOUT_MS,
      this.#logger,
    );
    await this.#startApiServer();
    // The server wrote a self-signed serving certificate followed by its CA; trust both.
    const caData = (await readFile(join(this.dir, 'pki', 'apiserver.crt'))).toString('base64');
    const cluster = { name: 'vp-operator-test', server: this.server, caData, skipTLSVerify: false };
    await writeTokenKubeconfig(this.adminKubeconfigPath, cluster, ADMIN_USER, adminToken);
    await writeTokenKubeconfig(this.operatorKubeconfigPath, cluster, OPERATOR_USER, operatorToken);
    this.#controllerManager.start();
    await this.#controllerManager.waitUntil(
      'healthy',
      async () => (await httpsStatus(`${this.#controllerManagerUrl}/healthz`)) === 200,
      CONTROLLER_MANAGER_READY_TIMEOUT_MS,
      this.#logger,
    );
  }

  async #startApiServer(): Promise<void> {
    this.#apiServer.start();
    await this.#apiServer.waitUntil(
      'ready',
      async () => (await httpsStatus(`${this.server}/readyz`)) === 200,
      API_SERVER_READY_TIMEOUT_MS,
      this.#logger,
    );
  }

  restartApiServer(): Promise<void> {
    // Serialised: two tests asking at once get two clean restarts, not a tangle.
    this.#restarting = this.#restarting
      .catch(() => undefined)
      .then(async () => {
        if (this.#stopped !== undefined) throw new Error('the control plane has been stopped');
        this.#logger?.info('restarting kube-apiserver');
        await this.#apiServer.stop(STOP_GRACE_MS);
        await this.#startApiServer();
      });
    return this.#restarting;
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await this.stopProcesses();
      if (this.#removeDirOnStop) await rm(this.dir, { recursive: true, force: true });
    })();
    return this.#stopped;
  }

  async stopProcesses(): Promise<void> {
    await Promise.all([
      this.#controllerManager.stop(STOP_GRACE_MS),
      this.#apiServer.stop(STOP_GRACE_MS),
    ]);
    await this.#etcd.stop(STOP_GRACE_MS);
  }
}

function isPortClash(error: unknown): boolean {
  return error instanceof ProcessFailedError && /address already in use/i.test(error.log);
}

/**
 * Starts a real single-node control plane on loopback: etcd, kube-apiserver (RBAC, static
 * tokens) and kube-controller-manager (namespace deletion, garbage collection, default service
 * accounts). Resolves when all three are ready. Every process exits on its own if this Node
 * process dies, so an interrupted test run leaves nothing running.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const { logger } = options;
  const binary =
    options.binary ?? (await ensureKubeTestenvBinary({ logger, terminal: options.terminal }));
  await removeAbandonedRunDirs(logger);
  for (let attempt = 1; ; attempt++) {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), RUN_DIR_PREFIX)));
    const files = await prepareRunFiles(dir);
    const controlPlane = new LocalControlPlane(
      binary,
      files,
      await freePorts(),
      options.dir === undefined,
      logger,
    );
    logger?.info({ dir, server: controlPlane.server }, 'starting the test control plane');
    try {
      await controlPlane.start(files.adminToken, files.operatorToken);
      return controlPlane;
    } catch (error) {
      await controlPlane.stopProcesses();
      // Keep the run directory of a failed start: its logs explain the failure. It is removed
      // as abandoned by the first start after this process has exited.
      if (!isPortClash(error) || attempt >= START_ATTEMPTS) throw error;
      if (options.dir === undefined) await rm(dir, { recursive: true, force: true });
      logger?.warn({ attempt }, 'a port was taken by another process; retrying on new ports');
    }
  }
}
