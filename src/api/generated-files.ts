/**
 * Directories the repository generates (config/crd and docs/mappings from src/api, config/manager
 * from the Helm chart): writing them, and telling how the committed files differ from a fresh
 * rendering, for the drift tests.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPOSITORY_ROOT } from './kinds';

/**
 * Writes `files` (file name to text) into `directory` (relative to the repository root) and
 * removes the files ending in `extension` that are no longer generated, so a renamed or
 * removed kind leaves nothing behind.
 */
export async function writeGeneratedFiles(
  directory: string,
  files: ReadonlyMap<string, string>,
  extension: string,
): Promise<void> {
  const absolute = path.join(REPOSITORY_ROOT, directory);
  await mkdir(absolute, { recursive: true });
  for (const stale of (await readdir(absolute)).filter((file) => !files.has(file))) {
    if (stale.endsWith(extension)) await rm(path.join(absolute, stale));
  }
  for (const [file, text] of files) await writeFile(path.join(absolute, file), text);
  console.log(`wrote ${[...files.keys()].map((file) => `${directory}/${file}`).join(', ')}`);
}

/** How the committed files ending in `extension` differ from `files`; empty when they agree. */
async function generatedFileDifferences(
  directory: string,
  files: ReadonlyMap<string, string>,
  extension: string,
): Promise<string[]> {
  const absolute = path.join(REPOSITORY_ROOT, directory);
  const committed = (await readdir(absolute)).filter((file) => file.endsWith(extension));
  const differences = [...new Set([...files.keys(), ...committed])]
    .sort()
    .flatMap((file) =>
      !committed.includes(file)
        ? [`${file}: missing`]
        : !files.has(file)
          ? [`${file}: not generated any more`]
          : [],
    );
  for (const [file, text] of files) {
    if (!committed.includes(file)) continue;
    if ((await readFile(path.join(absolute, file), 'utf8')) !== text) {
      differences.push(`${file}: differs`);
    }
  }
  return differences;
}

/** Fails, naming the command to run, when the committed files differ from `files`. */
export async function expectGeneratedFilesCurrent(
  directory: string,
  files: ReadonlyMap<string, string>,
  extension: string,
  command: string,
  /** What the files are generated from, for the message. */
  source = 'src/api',
): Promise<void> {
  const differences = await generatedFileDifferences(directory, files, extension);
  if (differences.length > 0) {
    throw new Error(
      `${directory} is out of date with ${source} (run \`${command}\` and commit):\n  ${differences.join('\n  ')}`,
    );
  }
}
