/**
 * src/generated/ must be exactly what `npm run generate` makes of api-spec/: never edited by
 * hand, never stale after a spec change.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const committed = path.join(repoRoot, 'src/generated');
const generator = path.join(repoRoot, 'api-spec/generate-client.js');

async function filesUnder(root: string): Promise<Map<string, string>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = new Map<string, string>();
  for (const entry of entries.filter((e) => e.isFile())) {
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(root, file), await readFile(file, 'utf8'));
  }
  return files;
}

describe('src/generated', () => {
  it('matches a fresh generation from api-spec/', async () => {
    const workDir = await mkdtemp(path.join(tmpdir(), 'vvp-client-'));
    try {
      // The generator only writes below its working directory.
      await promisify(execFile)(process.execPath, [generator, 'generated'], { cwd: workDir });
      const fresh = await filesUnder(path.join(workDir, 'generated'));
      const current = await filesUnder(committed);
      const differences = [...new Set([...fresh.keys(), ...current.keys()])]
        .filter((file) => fresh.get(file) !== current.get(file))
        .map((file) =>
          !current.has(file)
            ? `${file}: missing`
            : !fresh.has(file)
              ? `${file}: not generated any more`
              : `${file}: differs`,
        )
        .sort();
      expect(fresh.size).toBeGreaterThan(0);
      if (differences.length > 0) {
        throw new Error(
          `src/generated is out of date with api-spec/ (run \`npm run generate\` and commit):\n  ${differences.join('\n  ')}`,
        );
      }
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }, 60_000);
});
