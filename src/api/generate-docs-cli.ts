/** `npm run generate:docs`: writes docs/mappings/ from the schemas and templates in src/api. */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPOSITORY_ROOT } from './kinds';
import { MAPPING_DOCS_DIRECTORY, renderMappingDocs } from './mapping-docs';

const directory = path.join(REPOSITORY_ROOT, MAPPING_DOCS_DIRECTORY);
const files = await renderMappingDocs();
await mkdir(directory, { recursive: true });
// A kind that was renamed or removed must not leave its old page behind.
for (const stale of (await readdir(directory)).filter((file) => !files.has(file))) {
  if (stale.endsWith('.md')) await rm(path.join(directory, stale));
}
for (const [file, text] of files) await writeFile(path.join(directory, file), text);
console.log(
  `wrote ${[...files.keys()].map((file) => `${MAPPING_DOCS_DIRECTORY}/${file}`).join(', ')}`,
);
