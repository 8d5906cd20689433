/** The four kinds and the CRD files generated from them. */
import { format, resolveConfig } from 'prettier';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { stringify } from 'yaml';
import { customResourceDefinition, type KindDefinition } from './crd';
import { VP_DEPLOYMENT_KIND } from './vp-deployment';
import { VP_DEPLOYMENT_TARGET_KIND } from './vp-deployment-target';
import { VP_NAMESPACE_KIND } from './vp-namespace';
import { VP_SAVEPOINT_KIND } from './vp-savepoint';

/** In the order a user creates them: namespace, target, deployment, savepoint. */
export const KINDS: readonly KindDefinition[] = [
  VP_NAMESPACE_KIND,
  VP_DEPLOYMENT_TARGET_KIND,
  VP_DEPLOYMENT_KIND,
  VP_SAVEPOINT_KIND,
];

/** Where the CRDs live, relative to the repository root. */
export const CRD_DIRECTORY = 'config/crd';
/** The Helm chart's copy of the same files: Helm installs only CRDs inside the chart. */
export const CHART_CRD_DIRECTORY = 'charts/vp-operator/crds';
export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const HEADER =
  '# Generated from src/api by `npm run generate:crds`; edit the schemas there, not this file.\n';

/**
 * File name (under {@link CRD_DIRECTORY}) to YAML text, for every kind; formatted as the
 * repository's Prettier check expects, so the generated files pass `npm run lint` unedited.
 */
export async function renderCrdFiles(): Promise<Map<string, string>> {
  const files = await Promise.all(
    KINDS.map(async (kind): Promise<[string, string]> => {
      const file = `${kind.resource.plural}.yaml`;
      const filePath = path.join(REPOSITORY_ROOT, CRD_DIRECTORY, file);
      const options = (await resolveConfig(filePath)) ?? {};
      const yaml = HEADER + stringify(customResourceDefinition(kind), { lineWidth: 0 });
      return [file, await format(yaml, { ...options, filepath: filePath })];
    }),
  );
  return new Map(files);
}
