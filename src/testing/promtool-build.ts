import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGoBinary, type GoBuildOptions } from './go-build';

/** The Go module that pins promtool: a `tool` directive on Prometheus's cmd/promtool. */
export const PROMTOOL_SOURCE_DIR = fileURLToPath(new URL('../../tools/promtool/', import.meta.url));

const PROMTOOL_PACKAGE = 'github.com/prometheus/prometheus/cmd/promtool';
const BUILD_LOCK_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * The Prometheus release of a Go module version: Prometheus 3.x.y is tagged v0.3xx.y for Go
 * (v0.314.0 is 3.14.0).
 */
export function prometheusRelease(moduleVersion: string): string {
  const match = /^v0\.(\d+)\.(\d+)$/.exec(moduleVersion);
  if (match === null) throw new Error(`Not a Prometheus release module version: ${moduleVersion}`);
  const minor = Number.parseInt(match[1] ?? '', 10);
  return `${String(Math.floor(minor / 100))}.${String(minor % 100)}.${match[2] ?? ''}`;
}

/** The github.com/prometheus/prometheus version required in tools/promtool/go.mod. */
export function parsePrometheusModuleVersion(goMod: string): string {
  const version = /^\s*github\.com\/prometheus\/prometheus (v\S+)/m.exec(goMod)?.[1];
  if (version === undefined) {
    throw new Error(
      `${join(PROMTOOL_SOURCE_DIR, 'go.mod')} must require github.com/prometheus/prometheus.`,
    );
  }
  return version;
}

/** The Prometheus release promtool is built from, e.g. 3.14.0 (what `promtool --version` says). */
export async function pinnedPromtoolVersion(): Promise<string> {
  const goMod = await readFile(join(PROMTOOL_SOURCE_DIR, 'go.mod'), 'utf8');
  return prometheusRelease(parsePrometheusModuleVersion(goMod));
}

/**
 * Returns the path of promtool (`promtool check metrics` lints the manager's /metrics in the
 * tests), building it from its Go module into the tool cache on first use. Never whatever
 * promtool is on PATH: the tests must not depend on the machine.
 */
export async function ensurePromtoolBinary(options: GoBuildOptions = {}): Promise<string> {
  const version = await pinnedPromtoolVersion();
  return ensureGoBinary(
    {
      name: 'promtool',
      description: `promtool ${version}`,
      sourceDir: PROMTOOL_SOURCE_DIR,
      packagePath: PROMTOOL_PACKAGE,
      ldflags: `-s -w -X github.com/prometheus/common/version.Version=${version}`,
      // Without the service discovery plugins (cloud SDKs): `check metrics` does not need them,
      // and they are most of a cold build.
      tags: ['remove_all_sd'],
      coldBuildTime: 'a few minutes',
      lockTimeoutMs: BUILD_LOCK_TIMEOUT_MS,
    },
    options,
  );
}
