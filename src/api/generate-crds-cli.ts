/** `npm run generate:crds`: writes config/crd/ from the schemas in src/api. */
import { writeGeneratedFiles } from './generated-files';
import { CRD_DIRECTORY, renderCrdFiles } from './kinds';

await writeGeneratedFiles(CRD_DIRECTORY, await renderCrdFiles(), '.yaml');
