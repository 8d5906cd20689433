// bin/manager as a real child process, for the tests that run the operator end to end.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../src/testing/eventually';

export const MANAGER = fileURLToPath(new URL('../../bin/manager', import.meta.url));

export interface ManagerRun {
  child: ChildProcessWithoutNullStreams;
  /** Complete standard-output lines so far (JSON log records). */
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

/**
 * Starts bin/manager with exactly `args` and `env`; `command` replaces bin/manager, e.g. with a
 * container image's entrypoint.
 */
export function runManager(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  command: readonly string[] = [MANAGER],
): ManagerRun {
  const [executable = MANAGER, ...leading] = command;
  const child = spawn(executable, [...leading, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    stdout.push(...lines);
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      if (pending !== '') stdout.push(pending);
      resolve(code);
    });
  });
  return { child, stdout, stderr, exit };
}

/** The manager's log records so far. */
export function logRecords(run: ManagerRun): Record<string, unknown>[] {
  return run.stdout
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The manager logs each port it serves on (tests bind port 0). */
export function loggedPort(run: ManagerRun, message: string): Promise<number> {
  return eventually(`the manager to log "${message}"`, () => {
    const port = logRecords(run).find((record) => record.msg === message)?.port;
    return Promise.resolve(typeof port === 'number' ? port : undefined);
  });
}

export async function httpStatus(url: string): Promise<number> {
  return (await fetch(url)).status;
}

/** Resolves once the manager's /readyz answers 200: every cache synced. */
export async function waitUntilReady(run: ManagerRun): Promise<number> {
  const port = await loggedPort(run, 'serving health probes at /healthz and /readyz');
  await eventually('/readyz to answer 200', async () =>
    (await httpStatus(`http://127.0.0.1:${port}/readyz`)) === 200 ? true : undefined,
  );
  return port;
}

/** SIGKILL, and wait for the process to be gone. */
export async function killManager(run: ManagerRun): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  await run.exit;
}
