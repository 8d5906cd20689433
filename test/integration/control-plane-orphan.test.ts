// An interrupted or killed test run must not leave control plane processes behind.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ensureKubeTestenvBinary } from '../../src/testing/kube-testenv-build';
import { eventually } from '../../src/testing/eventually';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Gone means no such process, or a zombie that only waits for init to reap it. */
async function processGone(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

// Stands in for a test runner: starts etcd, prints its pid, then waits to be killed.
const PARENT_SCRIPT = `
const [binary, ...args] = process.argv.slice(1);
const child = require('node:child_process').spawn(binary, args, { stdio: 'ignore' });
process.stdout.write(child.pid + '\\n');
setInterval(() => {}, 1 << 30);
`;

describe('kube-testenv processes', () => {
  it('exit when the process that started them is killed', async () => {
    const binary = await ensureKubeTestenvBinary();
    const dataDir = await mkdtemp(join(tmpdir(), 'orphan-test-'));
    const clientPort = await freePort();
    const etcdArgs = [
      'etcd',
      `--data-dir=${dataDir}`,
      `--client-port=${clientPort}`,
      `--peer-port=${await freePort()}`,
    ];
    const parent = spawn(process.execPath, ['-e', PARENT_SCRIPT, binary, ...etcdArgs], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const etcdPid = await new Promise<number>((resolve, reject) => {
        parent.stdout.once('data', (chunk: Buffer) => {
          resolve(Number.parseInt(chunk.toString(), 10));
        });
        parent.once('exit', () => {
          reject(new Error('the stand-in parent exited before starting etcd'));
        });
      });
      await eventually('etcd to serve', async () => {
        const response = await fetch(`http://127.0.0.1:${clientPort}/health`);
        return response.ok ? true : undefined;
      });

      parent.kill('SIGKILL');

      await eventually('etcd to exit after its parent died', async () =>
        (await processGone(etcdPid)) ? true : undefined,
      );
      expect(await processGone(etcdPid)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
