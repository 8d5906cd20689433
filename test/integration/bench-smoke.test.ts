// The benchmark (npm run bench) at a tiny size, so that it never rots: it runs end to end on the
// test cluster and reports every figure. Timing is the full run's business, never asserted here.
import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_OPTIONS, benchmarkAndReport } from '../../bench/main';
import { installOperatorCrds } from '../support/operator';

const SIZES = [2, 4];

describe('the benchmark (smoke run)', () => {
  it('runs every phase at a small N and writes every figure next to its target', async () => {
    await installOperatorCrds();
    const outputDir = await mkdtemp(join(tmpdir(), 'vp-operator-bench-'));
    try {
      const output = await benchmarkAndReport(
        {
          ...DEFAULT_OPTIONS,
          sizes: SIZES,
          repetitions: 1,
          largeRepetitions: 1,
          transitionMs: 500,
          steadyStateSizes: [4],
          steadyWindowSeconds: 3,
          startupSizes: [4],
        },
        outputDir,
        () => undefined,
        { chart: true, command: 'bench smoke test' },
      );

      expect(output.runs.map((run) => run.n)).toEqual(SIZES);
      for (const run of output.runs) {
        expect(run.objectReadySeconds.count).toBe(run.n);
        expect(run.vvpCalls.byOperation.createDeployment).toBe(run.n);
        expect(run.kubeCalls.writes).toBeGreaterThan(0);
        expect(run.mirroring.vvpEvents).toBeGreaterThan(0);
        expect(run.rssAfterBytes).toBeGreaterThan(0);
      }
      const largest = output.runs[output.runs.length - 1];
      expect(largest?.steadyState?.windowSeconds).toBeGreaterThan(0);
      expect(largest?.startupSeconds).toBeGreaterThan(0);

      const readme = await readFile(output.readmePath, 'utf8');
      for (const figure of [
        'Convergence, N = 2',
        'Convergence, N = 4',
        'Throughput, N = 4',
        'VVP calls per created VpDeployment',
        'Kubernetes writes per created VpDeployment',
        'Steady state per object per resync period',
        'Event mirroring delay',
        'Mirrored events: duplicates / missing',
        'Operator RSS at idle, N = 4',
        'Startup to ready, N = 4',
        'Scaling 2 → 4: cost per object',
        '## Where the time goes',
        '## Cost per resource',
        'The ideal lower bound',
      ]) {
        expect(readme).toContain(figure);
      }
      expect(readme).not.toContain('NaN');
      expect((await stat(join(outputDir, 'scaling.png'))).size).toBeGreaterThan(1000);
    } finally {
      await rm(outputDir, { recursive: true, force: true });
    }
  }, 300_000);
});
