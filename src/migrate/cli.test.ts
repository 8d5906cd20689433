import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, runMigrate } from './cli';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string): string => path.join(ROOT, 'test/fixtures/migrate', name);

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runMigrate(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe('vp-operator-migrate', () => {
  it('converts several files into one YAML stream, reporting what was not carried over on stderr and in comments', async () => {
    const { code, stdout, stderr } = await run([
      fixture('fintechstudios-v1beta1.yaml'),
      fixture('fintechstudios-v1beta2-list.yaml'),
      fixture('ververica-vvpdeployment.yaml'),
    ]);
    expect(code).toBe(EXIT_OK);
    const documents = parseAllDocuments(stdout);
    expect(documents).toHaveLength(9);
    expect(documents.map((document) => document.errors)).toEqual(documents.map(() => []));
    expect(documents.map((document) => (document.toJS() as { kind: string }).kind)).toEqual([
      'VpNamespace',
      'VpDeploymentTarget',
      'VpDeployment',
      'VpSavepoint',
      'VpDeploymentTarget',
      'VpDeployment',
      'VpDeployment',
      'VpSavepoint',
      'VpDeployment',
    ]);
    expect(stdout).toContain('#   spec.spec.startFromSavepoint: removed in VVP 2.1');
    expect(stderr).toContain('  spec.spec.startFromSavepoint: removed in VVP 2.1');
    expect(stderr).toContain('document 1: Ververica VvpDeployment streaming/top-speed');
    expect(stderr).toContain('Converted 9 object(s).');
  });

  it('writes to --output and labels for --instance-id', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'migrate-')), 'out.yaml');
    const { code, stdout } = await run([
      fixture('ververica-vvpdeployment.yaml'),
      '-o',
      out,
      '--instance-id=prod',
    ]);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toContain('vpoperator.dev/instance: prod');
  });

  it('exits non-zero with file, document and field on invalid input', async () => {
    const invalid = await run([fixture('invalid.yaml')]);
    expect(invalid.code).toBe(EXIT_INVALID);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toMatch(/invalid\.yaml: document 2: metadata\.name: missing\n$/);
    const missing = await run([fixture('no-such-file.yaml')]);
    expect(missing.code).toBe(EXIT_INVALID);
    expect(missing.stderr).toContain('no-such-file.yaml: (file): cannot be read');
  });

  it('refuses a call without input and unknown flags (exit 2), and prints help', async () => {
    expect((await run([])).code).toBe(EXIT_USAGE);
    expect((await run(['--no-such-flag', 'x.yaml'])).code).toBe(EXIT_USAGE);
    const help = await run(['--help']);
    expect(help.code).toBe(EXIT_OK);
    expect(help.stdout).toContain('--from-cluster');
  });

  it('runs as bin/vp-operator-migrate', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      path.join(ROOT, 'bin/vp-operator-migrate'),
      [fixture('fintechstudios-v1beta1.yaml')],
      { timeout: 120_000 },
    );
    expect(parseAllDocuments(stdout)).toHaveLength(4);
    expect(stderr).toContain('Converted 4 object(s).');
  }, 180_000);
});
