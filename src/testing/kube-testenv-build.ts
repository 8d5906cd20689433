import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGoBinary, type GoBuildOptions } from './go-build';

/** The Go module that builds etcd, kube-apiserver and kube-controller-manager into one binary. */
export const KUBE_TESTENV_SOURCE_DIR = fileURLToPath(
  new URL('../../tools/kube-testenv/', import.meta.url),
);

/** A cold build takes minutes; a concurrent caller waits for it rather than building twice. */
const BUILD_LOCK_TIMEOUT_MS = 45 * 60 * 1000;

export type KubeTestenvBuildOptions = GoBuildOptions;

/** The pinned k8s.io/kubernetes release in go.mod, reported by the binary's /version. */
export function parseKubernetesVersion(goMod: string): string {
  const version = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\b/m.exec(goMod)?.[1];
  if (version === undefined) {
    throw new Error(
      `${join(KUBE_TESTENV_SOURCE_DIR, 'go.mod')} must require k8s.io/kubernetes at a release ` +
        'version (vX.Y.Z).',
    );
  }
  return version;
}

/** The Kubernetes release the test control plane is built from, e.g. v1.35.4. */
export async function pinnedKubernetesVersion(): Promise<string> {
  return parseKubernetesVersion(await readFile(join(KUBE_TESTENV_SOURCE_DIR, 'go.mod'), 'utf8'));
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

/**
 * Returns the path of the kube-testenv binary, building it first when the cache has no binary
 * for the current sources and Go toolchain. Concurrent callers (a background `npm run
 * testenv:build` and a test run) share one build.
 */
export async function ensureKubeTestenvBinary(
  options: KubeTestenvBuildOptions = {},
): Promise<string> {
  return ensureGoBinary(
    {
      name: 'kube-testenv',
      description: 'the test control plane',
      sourceDir: KUBE_TESTENV_SOURCE_DIR,
      packagePath: '.',
      ldflags: versionLdflags(await pinnedKubernetesVersion()),
      coldBuildTime: 'several minutes',
      lockTimeoutMs: BUILD_LOCK_TIMEOUT_MS,
    },
    options,
  );
}
