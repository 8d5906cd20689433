/** `npm run generate:crds`: writes config/crd/ and the Helm chart's crds/ from the schemas in src/api. */
import { writeGeneratedFiles } from './generated-files';
import { CHART_CRD_DIRECTORY, CRD_DIRECTORY, renderCrdFiles } from './kinds';

const files = await renderCrdFiles();
await writeGeneratedFiles(CRD_DIRECTORY, files, '.yaml');
await writeGeneratedFiles(CHART_CRD_DIRECTORY, files, '.yaml');
