import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { access, constants, mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logging';
import { toolCacheRoot, withFileLock } from './cache';
import { execTool } from './exec';

/** The Go module that builds etcd, kube-apiserver and kube-controller-manager into one binary. */
export const KUBE_TESTENV_SOURCE_DIR = fileURLToPath(
  new URL('../../tools/kube-testenv/', import.meta.url),
);

const GO_INSTALL_HINT =
  'Building the test control plane (tools/kube-testenv) needs Go; install it from https://go.dev/dl/.';

/** A cold build takes minutes; a concurrent caller waits for it rather than building twice. */
const BUILD_LOCK_TIMEOUT_MS = 45 * 60 * 1000;
const BUILD_LOG_TAIL_LINES = 40;

/** Go must never silently fetch another toolchain or pick up a developer's GOFLAGS. */
const GO_ENV = { GOTOOLCHAIN: 'local', GOFLAGS: '', CGO_ENABLED: '0' };

export interface KubeTestenvBuildOptions {
  logger?: Logger;
}

interface ModuleFacts {
  /** The `go` directive: the oldest Go that can build the module. */
  goDirective: string;
  /** The pinned k8s.io/kubernetes release, reported by the binary's /version. */
  kubernetesVersion: string;
}

function parseGoMod(goMod: string): ModuleFacts {
  const goDirective = /^go (\d+\.\d+(?:\.\d+)?)$/m.exec(goMod)?.[1];
  const kubernetesVersion = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\b/m.exec(goMod)?.[1];
  if (goDirective === undefined || kubernetesVersion === undefined) {
    throw new Error(
      `${join(KUBE_TESTENV_SOURCE_DIR, 'go.mod')} must have a 'go' directive and require ` +
        'k8s.io/kubernetes at a release version (vX.Y.Z).',
    );
  }
  return { goDirective, kubernetesVersion };
}

function versionParts(version: string): number[] {
  return version.split('.').map((part) => Number.parseInt(part, 10));
}

function isAtLeast(actual: string, required: string): boolean {
  const [a, r] = [versionParts(actual), versionParts(required)];
  for (let i = 0; i < Math.max(a.length, r.length); i++) {
    const difference = (a[i] ?? 0) - (r[i] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return true;
}

async function readModuleFacts(): Promise<ModuleFacts> {
  return parseGoMod(await readFile(join(KUBE_TESTENV_SOURCE_DIR, 'go.mod'), 'utf8'));
}

/** The Kubernetes release the test control plane is built from, e.g. v1.35.4. */
export async function pinnedKubernetesVersion(): Promise<string> {
  return (await readModuleFacts()).kubernetesVersion;
}

/** `go version` output, checked against the module's `go` directive. */
async function installedGoVersion(requiredGo: string): Promise<string> {
  const output = (
    await execTool('go', ['version'], {
      env: { ...process.env, ...GO_ENV },
      installHint: `${GO_INSTALL_HINT} Go ${requiredGo} or newer is required.`,
    })
  ).trim();
  const version = /\bgo(\d+\.\d+(?:\.\d+)?)\b/.exec(output)?.[1];
  if (version === undefined || !isAtLeast(version, requiredGo)) {
    throw new Error(
      `Go ${requiredGo} or newer is needed to build the test control plane, but '${output}' is ` +
        `installed. ${GO_INSTALL_HINT}`,
    );
  }
  return output;
}

/** ldflags stamping the release into k8s.io/component-base/version, so /version is truthful. */
function versionLdflags(kubernetesVersion: string): string {
  const [major, minor] = kubernetesVersion.slice(1).split('.');
  const pkg = 'k8s.io/component-base/version';
  return [
    '-s -w',
    `-X ${pkg}.gitVersion=${kubernetesVersion}`,
    `-X ${pkg}.gitMajor=${String(major)}`,
    `-X ${pkg}.gitMinor=${String(minor)}`,
    `-X ${pkg}.gitTreeState=clean`,
  ].join(' ');
}

/** Hashes everything that determines the binary: module files, Go sources, toolchain, flags. */
async function buildKey(goVersion: string, buildArgs: string[]): Promise<string> {
  const names = (await readdir(KUBE_TESTENV_SOURCE_DIR))
    .filter((name) => name === 'go.mod' || name === 'go.sum' || name.endsWith('.go'))
    .sort();
  const hash = createHash('sha256');
  for (const name of names) {
    hash.update(`${name}\0`);
    hash.update(await readFile(join(KUBE_TESTENV_SOURCE_DIR, name)));
    hash.update('\0');
  }
  hash.update(`${goVersion}\0${buildArgs.join('\0')}`);
  return hash.digest('hex');
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function logTail(logPath: string): Promise<string> {
  const text = await readFile(logPath, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-BUILD_LOG_TAIL_LINES).join('\n');
}

async function goBuild(args: string[], logPath: string): Promise<void> {
  const log = await open(logPath, 'w');
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('go', args, {
        cwd: KUBE_TESTENV_SOURCE_DIR,
        env: { ...process.env, ...GO_ENV },
        stdio: ['ignore', log.fd, log.fd],
      });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (exitCode !== 0) {
      throw new Error(
        `Building the test control plane failed ('go ${args.join(' ')}' in ` +
          `${KUBE_TESTENV_SOURCE_DIR}, exit code ${String(exitCode)}). Full log: ${logPath}\n` +
          (await logTail(logPath)),
      );
    }
  } finally {
    await log.close();
  }
}

/**
 * Returns the path of the kube-testenv binary, building it first when the cache has no binary
 * for the current sources and Go toolchain. Concurrent callers (a background `npm run
 * testenv:build` and a test run) share one build.
 */
export async function ensureKubeTestenvBinary(
  options: KubeTestenvBuildOptions = {},
): Promise<string> {
  const { logger } = options;
  const facts = await readModuleFacts();
  const goVersion = await installedGoVersion(facts.goDirective);
  const ldflags = versionLdflags(facts.kubernetesVersion);
  const key = await buildKey(goVersion, [ldflags]);
  const cacheDir = join(toolCacheRoot(), 'kube-testenv', key);
  const binaryPath = join(cacheDir, 'kube-testenv');
  if (await isExecutable(binaryPath)) return binaryPath;

  await mkdir(cacheDir, { recursive: true });
  return withFileLock(
    `${cacheDir}.lock`,
    { timeoutMs: BUILD_LOCK_TIMEOUT_MS, purpose: 'the kube-testenv build', logger },
    async () => {
      if (await isExecutable(binaryPath)) return binaryPath;
      const partialPath = join(cacheDir, `.kube-testenv-${randomBytes(6).toString('hex')}`);
      const logPath = join(cacheDir, 'build.log');
      logger?.info(
        { version: facts.kubernetesVersion, goVersion, cacheDir, logPath },
        'building the test control plane (a cold build takes several minutes)',
      );
      const started = Date.now();
      try {
        await goBuild(['build', '-trimpath', '-ldflags', ldflags, '-o', partialPath, '.'], logPath);
        await rename(partialPath, binaryPath);
      } finally {
        await rm(partialPath, { force: true });
      }
      logger?.info(
        { binaryPath, seconds: Math.round((Date.now() - started) / 1000) },
        'built the test control plane',
      );
      return binaryPath;
    },
  );
}
