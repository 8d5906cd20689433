/** `npm run generate:crds`: writes config/crd/ from the schemas in src/api. */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CRD_DIRECTORY, REPOSITORY_ROOT, renderCrdFiles } from './kinds';

const directory = path.join(REPOSITORY_ROOT, CRD_DIRECTORY);
const files = await renderCrdFiles();
await mkdir(directory, { recursive: true });
// A kind that was renamed or removed must not leave its old CRD behind.
for (const stale of (await readdir(directory)).filter((file) => !files.has(file))) {
  if (stale.endsWith('.yaml')) await rm(path.join(directory, stale));
}
for (const [file, text] of files) await writeFile(path.join(directory, file), text);
console.log(`wrote ${[...files.keys()].map((file) => `${CRD_DIRECTORY}/${file}`).join(', ')}`);
