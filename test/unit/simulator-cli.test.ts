import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { call } from '../support/simulator';

const BIN = fileURLToPath(new URL('../../bin/vvp-simulator', import.meta.url));
/** Starting tsx on a loaded 2-core machine can take a while; the wait ends on success. */
const PROCESS_TIMEOUT_MS = 60_000;

function launch(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  return spawn(BIN, args, { env: { ...process.env, ...env }, stdio: 'pipe' });
}

/** Resolves with the URL from the "listening" log line. */
async function listeningUrl(child: ChildProcessWithoutNullStreams): Promise<string> {
  for await (const line of createInterface({ input: child.stdout })) {
    const entry = JSON.parse(line) as { msg?: string; url?: string };
    if (entry.msg === 'VVP simulator listening' && entry.url !== undefined) return entry.url;
  }
  throw new Error('vvp-simulator exited before listening');
}

async function exitOf(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('bin/vvp-simulator', () => {
  let child: ChildProcessWithoutNullStreams | undefined;

  afterEach(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  it(
    'serves on the chosen port with the chosen settings and stops cleanly on SIGTERM',
    async () => {
      child = launch(
        [
          '--port',
          '0',
          '--auth=enforced',
          '--vvp-version',
          '2.1',
          '--transition-ms',
          '0',
          '--seed',
          '5',
        ],
        {
          VVP_SIMULATOR_ADMIN_TOKEN: 'token-from-the-environment',
        },
      );
      const url = await listeningUrl(child);
      expect((await call(url, 'GET', '/api/v1/status')).status).toBe(401);
      const info = await call(url, 'GET', '/api/v1/status/system-info', {
        token: 'token-from-the-environment',
      });
      expect(info.status).toBe(200);
      expect(JSON.stringify(info.body)).toContain('"buildVersion":"2.1.0"');
      expect((await call(url, 'GET', '/_simulator/v1/knobs')).body).toMatchObject({
        transitionMs: 0,
      });

      const exited = exitOf(child);
      child.kill('SIGTERM');
      expect((await exited).code).toBe(0);
    },
    PROCESS_TIMEOUT_MS,
  );

  it.each([
    [['--bogus'], 'vvp-simulator: unknown flag --bogus; run with --help to list the flags'],
    [
      ['--auth=sometimes'],
      'vvp-simulator: --auth must be one of "open", "enforced", got "sometimes"',
    ],
    [
      ['--auth=enforced'],
      'vvp-simulator: --auth=enforced needs --admin-token (or VVP_SIMULATOR_ADMIN_TOKEN): the bootstrap admin API token',
    ],
    [
      ['--transition-ms=-1'],
      'vvp-simulator: --transition-ms must be whole milliseconds from 0 to 3600000, got -1',
    ],
  ])(
    'exits 2 with one clear line for %j',
    async (args, line) => {
      child = launch(args, { VVP_SIMULATOR_ADMIN_TOKEN: '' });
      const { code, stderr } = await exitOf(child);
      expect(code).toBe(2);
      expect(stderr).toBe(`${line}\n`);
    },
    PROCESS_TIMEOUT_MS,
  );

  it(
    'documents every flag in --help',
    async () => {
      child = launch(['--help']);
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      expect((await exitOf(child)).code).toBe(0);
      for (const flag of [
        '--port',
        '--host',
        '--auth',
        '--admin-token',
        '--vvp-version',
        '--latency-ms',
        '--transition-ms',
        '--seed',
      ]) {
        expect(stdout).toContain(flag);
      }
    },
    PROCESS_TIMEOUT_MS,
  );
});
