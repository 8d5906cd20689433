import { execFileSync, spawnSync } from 'node:child_process';
import {
  access,
  constants,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../logging';
import { formatDuration } from './cache';
import {
  GoBuildProgress,
  ensureGoBinary,
  goBuildKey,
  isAtLeast,
  parseGoDirective,
  type GoBinarySpec,
} from './go-build';
import { parsePrometheusModuleVersion, prometheusRelease } from './promtool-build';

describe('parseGoDirective and isAtLeast', () => {
  it('reads the go directive with or without a patch release', () => {
    expect(parseGoDirective('module m\n\ngo 1.25.8\n\ntool x\n')).toBe('1.25.8');
    expect(parseGoDirective('module m\ngo 1.25\n')).toBe('1.25');
    expect(parseGoDirective('module m\n')).toBeUndefined();
  });

  it('compares versions numerically, not as text', () => {
    expect(isAtLeast('1.26.8', '1.25.8')).toBe(true);
    expect(isAtLeast('1.25.10', '1.25.8')).toBe(true);
    expect(isAtLeast('1.25.7', '1.25.8')).toBe(false);
    expect(isAtLeast('1.25', '1.25.0')).toBe(true);
    expect(isAtLeast('1.9', '1.25')).toBe(false);
  });
});

describe('goBuildKey', () => {
  const files = [
    { name: 'go.mod', content: 'module m\n\ngo 1.25\n' },
    { name: 'go.sum', content: '' },
    { name: 'main.go', content: 'package main\n' },
  ];
  const key = goBuildKey(files, 'go version go1.26.8 linux/amd64', ['-s -w']);

  it('is a SHA-256 that does not depend on the order files are listed in', () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(goBuildKey([...files].reverse(), 'go version go1.26.8 linux/amd64', ['-s -w'])).toBe(
      key,
    );
  });

  it('changes with any file, file name, Go version or build argument', () => {
    const variants = [
      goBuildKey(
        files.map((f) => (f.name === 'go.sum' ? { ...f, content: 'h1:x\n' } : f)),
        'go version go1.26.8 linux/amd64',
        ['-s -w'],
      ),
      goBuildKey(
        files.map((f) => (f.name === 'main.go' ? { ...f, name: 'other.go' } : f)),
        'go version go1.26.8 linux/amd64',
        ['-s -w'],
      ),
      goBuildKey(files, 'go version go1.26.9 linux/amd64', ['-s -w']),
      goBuildKey(files, 'go version go1.26.8 linux/amd64', ['-s -w -X v=1']),
      goBuildKey(files, 'go version go1.26.8 linux/amd64', ['-s -w', 'example.com/cmd/tool']),
    ];
    expect(new Set([key, ...variants]).size).toBe(variants.length + 1);
  });
});

describe('formatDuration', () => {
  it('shows seconds, then minutes and seconds', () => {
    expect(formatDuration(4_400)).toBe('4 s');
    expect(formatDuration(59_600)).toBe('1 min 0 s');
    expect(formatDuration(130_000)).toBe('2 min 10 s');
  });
});

describe('GoBuildProgress', () => {
  it('counts downloads while resolving, then compiled packages against the total', () => {
    const progress = new GoBuildProgress();
    progress.write('go: downloading example.com/a v1.0.0\ngo: downloading exa');
    progress.write('mple.com/b v1.2.0\n');
    expect(progress.summary(5_000)).toBe('5 s, 2 modules downloaded, resolving packages');

    progress.startCompiling(8);
    progress.write('internal/goarch\nruntime\nexample.com/a/v2/sub\n');
    progress.write('# example.com/b\nexample.com/b/x.go:3:1: syntax error\n');
    expect(progress.compiled).toBe(3);
    expect(progress.cached).toBe(5);
    expect(progress.summary(130_000)).toBe(
      '2 min 10 s, 2 modules downloaded, 3 of 8 packages compiled (37 %)',
    );
  });

  it('counts without a percentage when the total is unknown', () => {
    const progress = new GoBuildProgress();
    progress.startCompiling(undefined);
    progress.write('fmt\n');
    expect(progress.summary(1_000)).toBe('1 s, 1 packages compiled');
  });
});

describe('prometheusRelease', () => {
  it('maps the Go module version to the Prometheus release', () => {
    expect(prometheusRelease('v0.314.0')).toBe('3.14.0');
    expect(prometheusRelease('v0.305.2')).toBe('3.5.2');
    expect(() => prometheusRelease('v2.53.0')).toThrow('Not a Prometheus release');
  });

  it('reads the pinned version from go.mod', () => {
    const goMod =
      'require (\n\tgithub.com/prometheus/common v0.70.1 // indirect\n' +
      '\tgithub.com/prometheus/prometheus v0.314.0 // indirect\n)\n';
    expect(parsePrometheusModuleVersion(goMod)).toBe('v0.314.0');
  });
});

/** A real build of a tiny module: the lock, the cache layout and the progress lines. */
describe('ensureGoBinary', () => {
  const savedXdg = process.env.XDG_CACHE_HOME;
  const savedGoCache = process.env.GOCACHE;
  let dir: string;
  let spec: GoBinarySpec;

  beforeAll(async () => {
    // Go's build cache also follows XDG_CACHE_HOME: keep the machine's, so std is not rebuilt.
    process.env.GOCACHE = execFileSync('go', ['env', 'GOCACHE'], { encoding: 'utf8' }).trim();
    dir = await mkdtemp(join(tmpdir(), 'go-build-test-'));
    process.env.XDG_CACHE_HOME = join(dir, 'cache');
    const sourceDir = join(dir, 'hello');
    await mkdir(sourceDir);
    await writeFile(join(sourceDir, 'go.mod'), 'module example.com/hello\n\ngo 1.25\n');
    await writeFile(
      join(sourceDir, 'main.go'),
      // A fresh constant each run, so Go's build cache cannot hold the package already.
      `package main\n\nconst run = "${dir}"\n\nvar greeting = "hello"\n\n` +
        'func main() { _ = run; println(greeting) }\n',
    );
    spec = {
      name: 'hello',
      description: 'the hello tool',
      sourceDir,
      packagePath: '.',
      ldflags: '-s -w -X main.greeting=stamped',
      coldBuildTime: 'a moment',
      lockTimeoutMs: 60_000,
    };
  });

  afterAll(async () => {
    if (savedXdg === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedXdg;
    if (savedGoCache === undefined) delete process.env.GOCACHE;
    else process.env.GOCACHE = savedGoCache;
    await rm(dir, { recursive: true, force: true });
  });

  it('builds once for concurrent callers into <cache>/<name>/<key>/<name>, then hits the cache', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      destination: { write: (line: string) => void lines.push(line) },
    });
    const [first, second] = await Promise.all([
      ensureGoBinary(spec, { logger, progressIntervalMs: 1 }),
      ensureGoBinary(spec, { logger, progressIntervalMs: 1 }),
    ]);
    expect(second).toBe(first);
    expect(first).toMatch(
      new RegExp(`^${join(dir, 'cache', 'vp-operator', 'hello')}/[0-9a-f]{64}/hello$`),
    );
    await access(first, constants.X_OK);
    expect(spawnSync(first, { encoding: 'utf8' }).stderr).toBe('stamped\n');
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages.filter((m) => m.startsWith('building the hello tool'))).toHaveLength(1);
    expect(
      messages.some((m) => /^compiled the hello tool: \d+ s, \d+ of \d+ packages/.test(m)),
    ).toBe(true);
    expect(messages.filter((m) => m.startsWith('built the hello tool in'))).toHaveLength(1);
    // No partial binary or lock is left behind; the build log stays next to the binary.
    expect((await readdir(dirname(first))).sort()).toEqual(['build.log', 'hello']);
    expect(await readdir(dirname(dirname(first)))).toHaveLength(1);
    expect(await readFile(join(dirname(first), 'build.log'), 'utf8')).toContain(
      'example.com/hello',
    );

    lines.length = 0;
    await expect(ensureGoBinary(spec, { logger })).resolves.toBe(first);
    expect(lines).toEqual([]);
  }, 120_000);

  it('builds afresh under a new key when a source file changes', async () => {
    const before = await ensureGoBinary(spec);
    await writeFile(join(spec.sourceDir, 'extra.go'), 'package main\n');
    const after = await ensureGoBinary(spec);
    expect(after).not.toBe(before);
    expect(dirname(dirname(after))).toBe(dirname(dirname(before)));
  }, 120_000);

  it('builds with the spec tags, under a key of their own', async () => {
    await writeFile(
      join(spec.sourceDir, 'tagged.go'),
      '//go:build hello_tag\n\npackage main\n\nfunc init() { greeting = "tagged" }\n',
    );
    const untagged = await ensureGoBinary(spec);
    const tagged = await ensureGoBinary({ ...spec, tags: ['hello_tag'] });
    expect(tagged).not.toBe(untagged);
    expect(spawnSync(untagged, { encoding: 'utf8' }).stderr).toBe('stamped\n');
    expect(spawnSync(tagged, { encoding: 'utf8' }).stderr).toBe('tagged\n');
    await rm(join(spec.sourceDir, 'tagged.go'));
  }, 120_000);

  it('reports a failed build with the command, the log path and its last lines', async () => {
    await writeFile(join(spec.sourceDir, 'broken.go'), 'package main\n\nfunc broken() {\n');
    await expect(ensureGoBinary(spec)).rejects.toThrow(
      /Building the hello tool failed \('go build -v -trimpath .*Full log: .*build\.log\n[^]*broken\.go/,
    );
    await rm(join(spec.sourceDir, 'broken.go'));
  }, 120_000);
});
