// The README's first quickstart command, `npm run demo`, in its --once form: the embedded
// default end to end, and its verdict when something cannot become Ready.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';

const ROOT = new URL('../../', import.meta.url);
/** A cold start on a loaded 2-core machine takes minutes; the demo ends on success. */
const DEMO_TIMEOUT_MS = 8 * 60_000;

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the demo as `npm run demo -- <args>` does, on the npm-provided Node. */
function runDemo(args: string[]): Promise<DemoRun> {
  return new Promise((resolve) => {
    execFile(
      'node_modules/.bin/node',
      ['--import', 'tsx', 'src/demo/run-demo.ts', ...args],
      {
        cwd: ROOT,
        timeout: DEMO_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function captured(output: string, pattern: RegExp): string {
  const value = pattern.exec(output)?.[1];
  if (value === undefined) throw new Error(`the demo printed nothing matching ${String(pattern)}`);
  return value;
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/** Processes whose command line mentions `text` (every demo process names its run directory). */
function processesMentioning(text: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return commandLine.includes(text) ? [`${pid}: ${commandLine}`] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

/** Nothing the demo started is left: no run directory, no process, no listening port. */
async function expectTornDown(stdout: string): Promise<void> {
  const runDir = dirname(captured(stdout, /export KUBECONFIG=(\S+)/));
  const ports = [
    captured(stdout, /Kubernetes API: +https:\/\/127\.0\.0\.1:(\d+)/),
    captured(stdout, /VVP simulator: +http:\/\/127\.0\.0\.1:(\d+)/),
    captured(stdout, /manager: +http:\/\/127\.0\.0\.1:(\d+)\/readyz/),
  ].map(Number);
  expect(existsSync(runDir)).toBe(false);
  expect(processesMentioning(runDir)).toEqual([]);
  for (const port of ports) expect(await isListening(port)).toBe(false);
}

describe('npm run demo -- --once', () => {
  it(
    'applies every example, shows them Ready with their Events and VVP view, then stops everything',
    async () => {
      const { code, stdout, stderr } = await runDemo(['--once']);
      expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

      // kubectl get vp -A -o wide: all four kinds, Ready and Synced.
      for (const name of [
        'vpnamespace.vpoperator.dev/team-a',
        'vpdeploymenttarget.vpoperator.dev/team-a-target',
        'vpdeployment.vpoperator.dev/top-speed-windowing',
        'vpsavepoint.vpoperator.dev/top-speed-windowing-before-upgrade',
      ]) {
        expect(stdout).toMatch(new RegExp(`${name} .* True +Available +True `));
      }
      expect(stdout).toMatch(
        /vpdeployment\.vpoperator\.dev\/top-speed-windowing .*RUNNING +RUNNING/,
      );
      expect(stdout).toMatch(/vpsavepoint\.vpoperator\.dev\/\S+ .*COMPLETED/);

      // The Events: the operator's own, and VVP's event log mirrored onto the VpDeployment.
      expect(stdout).toMatch(/VpNamespace\/team-a +operator +Normal +Created /);
      expect(stdout).toMatch(/VpDeployment\/top-speed-windowing +VVP +Normal +[A-Z_]+ /);

      // The simulator's view of the same objects, read over its REST API.
      expect(stdout).toMatch(/team-a +Namespace +team-a +LIFECYCLE_PHASE_ACTIVE/);
      expect(stdout).toMatch(/team-a +DeploymentTarget +team-a-target .*flink-team-a/);
      expect(stdout).toMatch(/team-a +Deployment +top-speed-windowing +RUNNING +job [0-9a-f]{8}/);
      expect(stdout).toMatch(
        /team-a +Savepoint +[0-9a-f]{8} +COMPLETED +USER_REQUEST of top-speed-windowing/,
      );
      expect(stdout).toMatch(/team-a\/top-speed-windowing +STATE_TRANSITION_IS_COMPLETED /);

      expect(stdout).toContain('All 4 examples are Ready');
      await expectTornDown(stdout);
    },
    DEMO_TIMEOUT_MS + 60_000,
  );

  it(
    'exits non-zero naming each object that could not become Ready, with its conditions, and still stops everything',
    async () => {
      // Every job start fails: the deployment ends FAILED, so its savepoint can never be taken.
      const { code, stdout, stderr } = await runDemo([
        '--once',
        '--timeout=30s',
        '--simulator-knobs={"jobStartFailureRate":1}',
      ]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/The demo is NOT ready\. Not Ready after 30 s:/);
      expect(stderr).toMatch(/VpDeployment default\/top-speed-windowing: Ready=False \(\w+/);
      expect(stderr).toMatch(
        /VpSavepoint default\/top-speed-windowing-before-upgrade: Ready=False/,
      );
      // What it shows says why: VVP never got the job running.
      expect(stdout).toMatch(
        /team-a +Deployment +top-speed-windowing +(TRANSITIONING|FAILED) \(desired RUNNING\)/,
      );
      expect(stdout).not.toContain('examples are Ready');
      await expectTornDown(stdout);
    },
    DEMO_TIMEOUT_MS + 60_000,
  );

  it('refuses an unknown option with exit code 2 and the usage', async () => {
    const { code, stderr } = await runDemo(['--onse']);
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--onse'");
    expect(stderr).toContain('Usage: npm run demo');
  }, 120_000);
});
