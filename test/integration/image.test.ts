// The container image, built for real from the Dockerfile with podman on a Node.js 24 base made
// locally (registry images cannot be pulled here), then checked from its filesystem: the
// sandboxes refuse `podman run`, so its entrypoint runs with unshare in its root filesystem, as
// its user, as PID 1 of its own PID namespace, against the local control plane.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import {
  buildImage,
  ensureNodeBaseImages,
  entrypointLaunch,
  inspectImage,
  mountImage,
  requireContainerTools,
  type ImageConfig,
  type MountedImage,
} from '../../src/testing/image';
import { formatDuration } from '../../src/testing/cache';
import { testCluster, uniqueNamespace } from '../support/cluster';
import {
  GROUP,
  VERSION,
  applyManifest,
  conditionOf,
  readCustomObject,
  waitForCustomObject,
} from '../support/custom-resources';
import { killManager, type ManagerRun } from '../support/manager-process';
import { grantOperatorRbac, installOperatorCrds, startOperator } from '../support/operator';
import { startQuietSimulator } from '../support/simulator';
import type { RunningSimulator } from '../../src/simulator';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TAG = 'localhost/vp-operator:image-test';
/** Kubernetes' default terminationGracePeriodSeconds: the manager must be gone well within. */
const GRACE_PERIOD_MS = 30_000;

interface PackageManifest {
  version: string;
  devDependencies: Record<string, string>;
}
interface LockedPackage {
  dev?: boolean;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageManifest;
const lockedPackages = (
  JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockedPackage>;
  }
).packages;

/** Top-level package directories under `nodeModules` (`@scope/name` for scoped ones). */
function installedPackages(nodeModules: string): string[] {
  return readdirSync(nodeModules)
    .filter((entry) => !entry.startsWith('.'))
    .flatMap((entry) =>
      entry.startsWith('@')
        ? readdirSync(join(nodeModules, entry)).map((name) => `${entry}/${name}`)
        : [entry],
    );
}

/** The host pid of the process unshare forked: the entrypoint, PID 1 in its namespace. */
function entrypointPid(unsharePid: number): number {
  const children = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim();
  const [pid] = children.split(' ').map(Number);
  if (pid === undefined || Number.isNaN(pid)) throw new Error('unshare has not forked yet');
  return pid;
}

/** A `Name:\tvalue` line of /proc/<pid>/status. */
function processStatus(pid: number, name: string): string {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}:`));
  return (line ?? '').slice(name.length + 1).trim();
}

describe('the container image', () => {
  let config: ImageConfig;
  let image: MountedImage | undefined;

  beforeAll(async () => {
    await requireContainerTools();
    const started = Date.now();
    const progress = (what: string): void => {
      process.stderr.write(`image test, ${formatDuration(Date.now() - started)}: ${what}\n`);
    };
    progress('the local Node.js 24 base images');
    const bases = await ensureNodeBaseImages(join(ROOT, 'node_modules/.bin/node'));
    const revision = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: ROOT });
    await buildImage(
      ROOT,
      TAG,
      {
        BUILD_IMAGE: bases.builder,
        BASE_IMAGE: bases.runtime,
        VERSION: manifest.version,
        REVISION: revision.stdout.trim(),
      },
      progress,
    );
    config = await inspectImage(TAG);
    image = await mountImage(TAG);
    console.log(
      `image ${TAG}: ${(config.sizeBytes / 1e6).toFixed(1)} MB on the local Node.js 24 base, ` +
        `built in ${formatDuration(Date.now() - started)}`,
    );
  }, 900_000);

  afterAll(async () => {
    await image?.remove();
  });

  const mounted = (): MountedImage => {
    if (image === undefined) throw new Error('the image was not built');
    return image;
  };

  it('is configured as documented: OCI labels, a numeric non-root user, node as the entrypoint', () => {
    expect(config.labels).toMatchObject({
      'org.opencontainers.image.title': 'vp-operator',
      'org.opencontainers.image.version': manifest.version,
      'org.opencontainers.image.licenses': 'Apache-2.0',
    });
    expect(config.labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$/);
    // The Dockerfile's default VERSION is the release's, for builds that do not pass it.
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toContain(
      `ARG VERSION=${manifest.version}\n`,
    );
    expect(config.user).toBe('65532:65532');
    // Exec form on node itself (no shell in between), so SIGTERM reaches Node.js.
    expect(config.entrypoint[0]).toBe('node');
    expect(config.entrypoint.at(-1)).toBe('/app/dist/manager.js');
  });

  it('holds the compiled manager and the production dependencies only', () => {
    const app = join(mounted().root, 'app');
    expect(readdirSync(app).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    expect(existsSync(join(app, 'dist/manager.js'))).toBe(true);
    const installed = installedPackages(join(app, 'node_modules'));
    expect(installed).not.toContain('tsx');
    // Every package the lockfile needs only for development is absent, every other one present.
    const devOnly = Object.entries(lockedPackages)
      .filter(([path, locked]) => locked.dev === true && path.startsWith('node_modules/'))
      .map(([path]) => path.slice('node_modules/'.length))
      .filter((name) => !name.includes('/node_modules/'));
    expect(installed.filter((name) => devOnly.includes(name))).toEqual([]);
    for (const name of Object.keys(manifest.devDependencies)) {
      if (devOnly.includes(name)) expect(installed).not.toContain(name);
    }
    expect(installed.length).toBeGreaterThan(0);
  });

  it('runs --help as its user', async () => {
    const launch = entrypointLaunch(mounted(), config);
    const [command = '', ...args] = launch.command;
    const { stdout } = await promisify(execFile)(command, [...args, '--help'], {
      env: launch.env,
    });
    expect(stdout).toContain('manager [flags]');
    expect(stdout).toContain('--app-manager-api-url');
  });

  describe('against the local control plane and the VVP simulator', () => {
    let simulator: RunningSimulator;
    let run: ManagerRun | undefined;

    beforeAll(async () => {
      // Open: the examples' role bindings name groups the simulator's tokens are not in.
      simulator = await startQuietSimulator({ auth: 'open' });
      await installOperatorCrds();
    });

    afterAll(async () => {
      if (run !== undefined) await killManager(run);
      await simulator.close();
    });

    it('becomes ready as PID 1 and non-root, reconciles a VpNamespace from examples/, and stops on SIGTERM', async () => {
      const operatorNamespace = await uniqueNamespace('vp-operator-image');
      await grantOperatorRbac(operatorNamespace);
      // The image sees only its own filesystem: the operator's kubeconfig goes into it.
      const kubeconfig = join(mounted().root, 'tmp/kubeconfig');
      copyFileSync(testCluster().operatorKubeconfigPath, kubeconfig);
      chmodSync(kubeconfig, 0o444);
      const launch = entrypointLaunch(mounted(), config);
      const instanceId = operatorNamespace;
      run = await startOperator({
        simulatorUrl: simulator.url,
        operatorNamespace,
        instanceId,
        kubeconfig: '/tmp/kubeconfig',
        command: launch.command,
        env: launch.env,
      });

      const pid = entrypointPid(run.child.pid ?? 0);
      expect(processStatus(pid, 'NSpid').split(/\s+/).at(-1)).toBe('1');
      expect(processStatus(pid, 'Uid').split(/\s+/)).toEqual(['65532', '65532', '65532', '65532']);

      // The example, under a name no other test uses, for this operator instance only.
      const example = parseYaml(readFileSync(join(ROOT, 'examples/vpnamespace.yaml'), 'utf8')) as {
        metadata: Record<string, unknown>;
      };
      const name = `${operatorNamespace}-ns`;
      await applyManifest({
        ...example,
        apiVersion: `${GROUP}/${VERSION}`,
        metadata: { name, labels: { 'vpoperator.dev/instance': instanceId } },
      });
      const manager = run;
      await waitForCustomObject(
        'Ready=True',
        { plural: 'vpnamespaces', name },
        (object) => conditionOf(object, 'Ready')?.status === 'True',
      ).catch(async (error: unknown) => {
        const stuck = await readCustomObject('vpnamespaces', name);
        throw new Error(
          `${String(error)}\nits status: ${JSON.stringify(stuck?.status)}\n` +
            `the manager's last log lines:\n${manager.stdout.slice(-20).join('\n')}`,
          { cause: error },
        );
      });

      const signalled = Date.now();
      process.kill(pid, 'SIGTERM');
      expect(await run.exit).toBe(0);
      const stoppedAfterMs = Date.now() - signalled;
      console.log(`the image's manager stopped ${String(stoppedAfterMs)} ms after SIGTERM`);
      expect(stoppedAfterMs).toBeLessThan(GRACE_PERIOD_MS);
      expect(run.stdout.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    }, 240_000);
  });
});
