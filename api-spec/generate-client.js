// Generates src/generated/ from api-spec/vvp-api.yaml: `npm run generate`.
// Usage: node api-spec/generate-client.js <output directory, relative to the working directory>
// (openapi-typescript-codegen only writes below the working directory).
import console from 'node:console';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import codegen from 'openapi-typescript-codegen';

const specPath = fileURLToPath(new URL('vvp-api.yaml', import.meta.url));

const README = `# Generated VVP client — do not edit

Every file here is produced by \`npm run generate\` (openapi-typescript-codegen, see
\`api-spec/generate-client.js\`) from \`api-spec/vvp-api.yaml\`. Change the spec and
regenerate; \`test/unit/generated-client-drift.test.ts\` fails when this folder and the
spec disagree. Nothing outside \`src/vvp/\` imports from here.
`;

const output = process.argv[2];
if (output === undefined) {
  console.error('usage: node api-spec/generate-client.js <output directory>');
  process.exit(2);
}

// Start from an empty folder so files of removed schemas or services do not linger.
await rm(path.resolve(output), { recursive: true, force: true });
await codegen.generate({
  input: specPath,
  output,
  httpClient: 'axios',
  // A client class instead of the global OpenAPI singleton: every instance carries its own
  // base URL and request pipeline (src/vvp plugs its own BaseHttpRequest in).
  clientName: 'VvpApiClient',
  // String unions instead of TS enums: plain JSON values compare and serialise as they are.
  useUnionTypes: true,
  // One named-argument object per call: (namespace, id, body) orders cannot be swapped.
  useOptions: true,
  indent: '2',
});
await writeFile(path.join(output, 'README.md'), README);
