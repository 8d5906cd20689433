import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, constants, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logging';
import { formatDuration, toolCacheRoot, withFileLock } from './cache';
import { execTool } from './exec';
import { startProgress } from './progress';

/**
 * Test tools built from Go modules under tools/ (the control plane, promtool) into the tool
 * cache, keyed by a hash of everything that determines the binary.
 */

export const GO_INSTALL_HINT = 'Install Go from https://go.dev/dl/.';

/** Go must never silently fetch another toolchain or pick up a developer's GOFLAGS. */
export const GO_ENV = { GOTOOLCHAIN: 'local', GOFLAGS: '', CGO_ENABLED: '0' };

const BUILD_LOG_TAIL_LINES = 40;

export interface GoBinarySpec {
  /** The binary's file name and its folder in the tool cache, e.g. `kube-testenv`. */
  name: string;
  /** What is built, for log lines and errors, e.g. `the test control plane`. */
  description: string;
  /** The Go module directory: its go.mod, go.sum and *.go files are part of the cache key. */
  sourceDir: string;
  /** The package to build: `.` for the module's own main package, or a tool's import path. */
  packagePath: string;
  ldflags: string;
  /** Build tags, passed to both `go list` and `go build`. */
  tags?: string[];
  /** How long a cold build takes, for the first log line, e.g. `several minutes`. */
  coldBuildTime: string;
  /** How long a concurrent caller waits for another process's build. */
  lockTimeoutMs: number;
}

export interface GoBuildOptions {
  logger?: Logger;
  /** How often a running build reports progress (a plain line; a terminal gets a live bar). */
  progressIntervalMs?: number;
  /** Which of several builds this is, for the progress lines: `step 1 of 2`. */
  step?: { index: number; count: number };
  /** A terminal to draw a live progress bar on (only used when it is a TTY). */
  terminal?: NodeJS.WriteStream;
}

/** The `go` directive of a go.mod: the oldest Go that can build the module. */
export function parseGoDirective(goMod: string): string | undefined {
  return /^go (\d+\.\d+(?:\.\d+)?)$/m.exec(goMod)?.[1];
}

function versionParts(version: string): number[] {
  return version.split('.').map((part) => Number.parseInt(part, 10));
}

/** Compares dotted versions numerically: 1.25.10 is at least 1.25.8, and 1.25 equals 1.25.0. */
export function isAtLeast(actual: string, required: string): boolean {
  const [a, r] = [versionParts(actual), versionParts(required)];
  for (let i = 0; i < Math.max(a.length, r.length); i++) {
    const difference = (a[i] ?? 0) - (r[i] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return true;
}

/** `go version` output, checked against the module's `go` directive. */
export async function installedGoVersion(requiredGo: string, description: string): Promise<string> {
  const hint = `Building ${description} needs Go ${requiredGo} or newer. ${GO_INSTALL_HINT}`;
  const output = (
    await execTool('go', ['version'], { env: { ...process.env, ...GO_ENV }, installHint: hint })
  ).trim();
  const version = /\bgo(\d+\.\d+(?:\.\d+)?)\b/.exec(output)?.[1];
  if (version === undefined || !isAtLeast(version, requiredGo)) {
    throw new Error(`'${output}' is installed. ${hint}`);
  }
  return output;
}

export interface ModuleFile {
  name: string;
  content: Buffer | string;
}

/** The files of a module directory that determine what it builds: go.mod, go.sum, *.go. */
export async function readModuleFiles(sourceDir: string): Promise<ModuleFile[]> {
  const names = (await readdir(sourceDir))
    .filter((name) => name === 'go.mod' || name === 'go.sum' || name.endsWith('.go'))
    .sort();
  return Promise.all(
    names.map(async (name) => ({ name, content: await readFile(join(sourceDir, name)) })),
  );
}

/**
 * The cache key: SHA-256 over the module files (in name order), the `go version` output and
 * the build arguments, so a change to any of them builds afresh.
 */
export function goBuildKey(files: ModuleFile[], goVersion: string, buildArgs: string[]): string {
  const hash = createHash('sha256');
  const byName = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { name, content } of byName) {
    hash.update(`${name}\0`);
    hash.update(content);
    hash.update('\0');
  }
  hash.update(`${goVersion}\0${buildArgs.join('\0')}`);
  return hash.digest('hex');
}

/** `-tags a,b`, or nothing. */
function tagArgs(spec: GoBinarySpec): string[] {
  return spec.tags === undefined || spec.tags.length === 0 ? [] : ['-tags', spec.tags.join(',')];
}

/**
 * What goes into the key besides the files: the link flags, the build tags and, for a tool, its
 * import path (only what a build uses, so the control plane's key is what it has always been).
 */
function keyArgs(spec: GoBinarySpec): string[] {
  return [spec.ldflags, ...tagArgs(spec), ...(spec.packagePath === '.' ? [] : [spec.packagePath])];
}

/**
 * Follows the output of `go list -deps` and `go build -v`: Go announces each module it downloads
 * (`go: downloading m v1.2.3`) and, with -v, prints each package's import path as it compiles
 * it. Packages already in Go's build cache are not printed, so a warm build ends below 100 %.
 */
export class GoBuildProgress {
  #partial = '';
  #phase: 'resolving' | 'compiling' = 'resolving';
  totalPackages: number | undefined;
  compiled = 0;
  downloaded = 0;

  /** Switches from listing the packages to compiling them, of which there are `total`. */
  startCompiling(totalPackages: number | undefined): void {
    this.#phase = 'compiling';
    this.totalPackages = totalPackages;
  }

  /** Feeds a chunk of the build's combined output. */
  write(chunk: string): void {
    const lines = `${this.#partial}${chunk}`.split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#line(line.trim());
  }

  #line(line: string): void {
    if (line.startsWith('go: downloading ')) this.downloaded++;
    else if (this.#phase === 'compiling' && /^[\w.~/-]+$/.test(line)) this.compiled++;
  }

  /** How many of the listed packages Go's build cache had (known once the build is done). */
  get cached(): number {
    return Math.max(0, (this.totalPackages ?? 0) - this.compiled);
  }

  /** The compiled share of the listed packages, once they are known. */
  get fraction(): number | undefined {
    if (this.#phase === 'resolving' || this.totalPackages === undefined) return undefined;
    return this.totalPackages === 0 ? 1 : Math.min(1, this.compiled / this.totalPackages);
  }

  /** E.g. `2 min 10 s, 412 of 1334 packages compiled (31 %)`. */
  summary(elapsedMs: number): string {
    return `${formatDuration(elapsedMs)}, ${this.counts()}`;
  }

  /** E.g. `3 modules downloaded, 412 of 1334 packages compiled (31 %)`. */
  counts(): string {
    const parts: string[] = [];
    if (this.downloaded > 0) parts.push(`${String(this.downloaded)} modules downloaded`);
    if (this.#phase === 'resolving') {
      parts.push('resolving packages');
    } else if (this.totalPackages === undefined || this.totalPackages === 0) {
      parts.push(`${String(this.compiled)} packages compiled`);
    } else {
      const percent = Math.min(100, Math.floor((100 * this.compiled) / this.totalPackages));
      parts.push(
        `${String(this.compiled)} of ${String(this.totalPackages)} packages compiled ` +
          `(${String(percent)} %)`,
      );
    }
    return parts.join(', ');
  }
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

/**
 * Runs `go` in the module, feeding its output to `onOutput` and appending it to `log` (standard
 * output only when `logStdout`: `go list`'s is data, not news).
 */
async function runGo(
  spec: GoBinarySpec,
  args: string[],
  log: NodeJS.WritableStream,
  onOutput: (chunk: string, stream: 'stdout' | 'stderr') => void,
  logStdout = true,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, {
      cwd: spec.sourceDir,
      env: { ...process.env, ...GO_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].setEncoding('utf8');
      child[stream].on('data', (chunk: string) => {
        if (stream === 'stderr' || logStdout) log.write(chunk);
        onOutput(chunk, stream);
      });
    }
    child.once('error', reject);
    child.once('close', resolve);
  });
}

/** Lists the packages the build compiles (the denominator of the progress), then builds. */
async function buildWithProgress(
  spec: GoBinarySpec,
  outputPath: string,
  logPath: string,
  options: GoBuildOptions,
): Promise<void> {
  const { logger } = options;
  const started = Date.now();
  const progress = new GoBuildProgress();
  const step =
    options.step === undefined
      ? ''
      : ` (step ${String(options.step.index)} of ${String(options.step.count)})`;
  const stopProgress = startProgress({
    activity: `building ${spec.description}${step}`,
    detail: () => progress.counts(),
    fraction: () => progress.fraction,
    logger,
    intervalMs: options.progressIntervalMs,
    terminal: options.terminal,
  });
  const log = createWriteStream(logPath);
  const fail = async (args: string[], exitCode: number | null): Promise<never> => {
    await new Promise((resolve) => log.end(resolve));
    throw new Error(
      `Building ${spec.description} failed ('go ${args.join(' ')}' in ${spec.sourceDir}, exit ` +
        `code ${String(exitCode)}). Full log: ${logPath}\n${await logTail(logPath)}`,
    );
  };
  try {
    let listed = '';
    // -e: a broken package is reported by the build below, with the compiler's messages.
    const listArgs = [
      'list',
      '-e',
      '-deps',
      ...tagArgs(spec),
      '-f',
      '{{.ImportPath}}',
      spec.packagePath,
    ];
    const listExit = await runGo(
      spec,
      listArgs,
      log,
      (chunk, stream) => {
        if (stream === 'stdout') listed += chunk;
        else progress.write(chunk);
      },
      false,
    );
    if (listExit !== 0) await fail(listArgs, listExit);
    progress.startCompiling(listed.split('\n').filter((line) => line !== '').length);

    const buildArgs = [
      'build',
      '-v',
      ...tagArgs(spec),
      '-trimpath',
      '-ldflags',
      spec.ldflags,
      '-o',
      outputPath,
      spec.packagePath,
    ];
    const buildExit = await runGo(spec, buildArgs, log, (chunk) => {
      progress.write(chunk);
    });
    if (buildExit !== 0) await fail(buildArgs, buildExit);
    // The bar goes before the next line is logged, or that line would follow it on its row.
    stopProgress();
    logger?.info(
      { seconds: Math.round((Date.now() - started) / 1000) },
      `compiled ${spec.description}: ${progress.summary(Date.now() - started)}` +
        (progress.cached > 1 ? `, the other ${String(progress.cached)} from Go's build cache` : ''),
    );
  } finally {
    stopProgress();
    if (!log.writableEnded) await new Promise((resolve) => log.end(resolve));
  }
}

/**
 * Returns the path of the binary `spec` describes, building it first when the tool cache has none
 * for the current module files, Go toolchain and flags. Concurrent callers (a background
 * `npm run testenv:build` and a test run) share one build: a lock file serialises them and the
 * binary appears under its final name only by an atomic rename.
 *
 * The binary is `${XDG_CACHE_HOME:-~/.cache}/vp-operator/<name>/<key>/<name>`.
 */
export async function ensureGoBinary(
  spec: GoBinarySpec,
  options: GoBuildOptions = {},
): Promise<string> {
  const { logger } = options;
  const goMod = await readFile(join(spec.sourceDir, 'go.mod'), 'utf8');
  const goDirective = parseGoDirective(goMod);
  if (goDirective === undefined) {
    throw new Error(`${join(spec.sourceDir, 'go.mod')} has no 'go' directive.`);
  }
  const goVersion = await installedGoVersion(goDirective, spec.description);
  const key = goBuildKey(await readModuleFiles(spec.sourceDir), goVersion, keyArgs(spec));
  const cacheDir = join(toolCacheRoot(), spec.name, key);
  const binaryPath = join(cacheDir, spec.name);
  if (await isExecutable(binaryPath)) return binaryPath;

  await mkdir(cacheDir, { recursive: true });
  return withFileLock(
    `${cacheDir}.lock`,
    { timeoutMs: spec.lockTimeoutMs, purpose: `the ${spec.name} build`, logger },
    async () => {
      if (await isExecutable(binaryPath)) return binaryPath;
      const partialPath = join(cacheDir, `.${spec.name}-${randomBytes(6).toString('hex')}`);
      const logPath = join(cacheDir, 'build.log');
      logger?.info(
        { goVersion, cacheDir, logPath },
        `building ${spec.description} (a cold build takes ${spec.coldBuildTime})`,
      );
      const started = Date.now();
      try {
        await buildWithProgress(spec, partialPath, logPath, options);
        await rename(partialPath, binaryPath);
      } finally {
        await rm(partialPath, { force: true });
      }
      logger?.info(
        { binaryPath, seconds: Math.round((Date.now() - started) / 1000) },
        `built ${spec.description} in ${formatDuration(Date.now() - started)}`,
      );
      return binaryPath;
    },
  );
}
