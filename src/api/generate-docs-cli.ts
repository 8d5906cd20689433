/** `npm run generate:docs`: writes docs/mappings/ from the schemas and templates in src/api. */
import { writeGeneratedFiles } from './generated-files';
import { MAPPING_DOCS_DIRECTORY, renderMappingDocs } from './mapping-docs';

await writeGeneratedFiles(MAPPING_DOCS_DIRECTORY, await renderMappingDocs(), '.md');
