// The README's first quickstart command, `npm run demo`, in its --once form.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url);

describe('npm run demo', () => {
  it('starts a control plane, the VVP simulator and a ready manager, reconciles the examples, then stops them all', async () => {
    const { stdout } = await run(
      'node_modules/.bin/node',
      ['--import', 'tsx', 'src/demo/run-demo.ts', '--once'],
      { cwd: ROOT, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout).toContain(
      'vp-operator is running against a local Kubernetes control plane and the VVP simulator.',
    );
    expect(stdout).toMatch(/Kubernetes API: +https:\/\/127\.0\.0\.1:\d+/);
    // The examples were reconciled: kubectl get vp shows both Ready.
    expect(stdout).toMatch(/vpnamespace\.vpoperator\.dev\/team-a .*True/);
    expect(stdout).toMatch(/vpdeploymenttarget\.vpoperator\.dev\/team-a-target .*True/);
    expect(stdout).toMatch(/"msg":"stopped"/);
  }, 300_000);
});
