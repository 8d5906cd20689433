/**
 * The kustomize base's manager manifests (config/manager) and its opt-in token Secret reader
 * (config/components/token-secret-reader), rendered from the Helm chart with `helm template` at
 * fixed values: the chart is the one source of the Deployment, its ServiceAccount, its Service and
 * its bindings, so the two ways to install cannot drift. The roles themselves are config/rbac's
 * (the chart's roles are tested equal to them); the bindings generated here name them.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { parseAllDocuments, stringify } from 'yaml';
import { REPOSITORY_ROOT } from '../api/kinds';
import { execTool } from '../testing/exec';

export const CHART_DIRECTORY = 'charts/vp-operator';
export const RBAC_DIRECTORY = 'config/rbac';
export const MANAGER_DIRECTORY = 'config/manager';
export const TOKEN_SECRET_READER_DIRECTORY = 'config/components/token-secret-reader';
export const GENERATE_COMMAND = 'npm run generate:kustomize';

/**
 * The release the base is rendered as: its name makes the chart's names plain `vp-operator`, and
 * its namespace is the base's (an overlay's `namespace:` moves everything). The AppManager URL is
 * the one of a default Ververica Platform Helm install in namespace `vvp`; overlays patch it.
 */
export const BASE_RELEASE = {
  name: 'vp-operator',
  namespace: 'vp-operator',
  values: ['vvp.appManagerApiUrl=http://vvp-ververica-platform.vvp.svc/api'],
} as const;
/** What the token Secret reader component adds to the base: the chart with this value set. */
export const TOKEN_SECRET_READER_VALUE = 'tokenSecretReader.enabled=true';

/** Labels only Helm sets; kustomize-installed objects say `managed-by: kustomize` instead. */
const HELM_ONLY_LABELS = ['helm.sh/chart'];
const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** A Kubernetes object as rendered: what the transformations here read and change. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  rules?: unknown[];
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
  spec?: {
    template?: { metadata?: { labels?: Record<string, string> } };
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** Every object of a multi-document YAML text, empty documents skipped. */
export function parseManifests(yaml: string): Manifest[] {
  return parseAllDocuments(yaml)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

/** `helm template` of the chart as {@link BASE_RELEASE}, with `extraValues` set too. */
export async function renderChart(
  helm: string,
  extraValues: readonly string[] = [],
  extraArgs: readonly string[] = [],
): Promise<Manifest[]> {
  const args = [
    'template',
    BASE_RELEASE.name,
    path.join(REPOSITORY_ROOT, CHART_DIRECTORY),
    '--namespace',
    BASE_RELEASE.namespace,
    ...[...BASE_RELEASE.values, ...extraValues].flatMap((value) => ['--set', value]),
    ...extraArgs,
  ];
  // No kubeconfig: rendering must not depend on a cluster.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  return parseManifests(await execTool(helm, args, { env }));
}

/** The Roles and ClusterRoles of config/rbac, as committed. */
export async function configRoles(): Promise<Manifest[]> {
  const directory = path.join(REPOSITORY_ROOT, RBAC_DIRECTORY);
  const files = (await readdir(directory)).filter((file) => file.endsWith('.yaml')).sort();
  const texts = await Promise.all(
    files.map((file) => readFile(path.join(directory, file), 'utf8')),
  );
  return texts.flatMap(parseManifests);
}

const isRole = (manifest: Manifest) => manifest.kind === 'Role' || manifest.kind === 'ClusterRole';
const isBinding = (manifest: Manifest) =>
  manifest.kind.endsWith('Binding') &&
  isRole({ ...manifest, kind: manifest.kind.replace(/Binding$/, '') });

/** The config/rbac role of the same kind granting the same rules as `chartRole`. */
function configRoleFor(chartRole: Manifest, roles: readonly Manifest[]): Manifest {
  const rules = JSON.stringify(chartRole.rules);
  const match = roles.find(
    (role) => role.kind === chartRole.kind && JSON.stringify(role.rules) === rules,
  );
  if (match === undefined) {
    throw new Error(
      `the chart's ${chartRole.kind} ${chartRole.metadata.name} grants rules no ${chartRole.kind} in ${RBAC_DIRECTORY} grants; the chart and ${RBAC_DIRECTORY} must grant the same`,
    );
  }
  return match;
}

function withKustomizeLabels(
  labels: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (labels === undefined) return undefined;
  const kept = Object.entries(labels).filter(([key]) => !HELM_ONLY_LABELS.includes(key));
  return Object.fromEntries(
    kept.map(([key, value]) => [key, key === MANAGED_BY_LABEL ? 'kustomize' : value]),
  );
}

/** The object with Helm's labels replaced, also on a Deployment's pod template. */
function relabelled(manifest: Manifest): Manifest {
  const metadata = { ...manifest.metadata, labels: withKustomizeLabels(manifest.metadata.labels) };
  const template = manifest.spec?.template;
  if (template?.metadata === undefined) return { ...manifest, metadata };
  const templateMetadata = {
    ...template.metadata,
    labels: withKustomizeLabels(template.metadata.labels),
  };
  return {
    ...manifest,
    metadata,
    spec: { ...manifest.spec, template: { ...template, metadata: templateMetadata } },
  };
}

/**
 * The chart's manifests as kustomize objects: Helm's labels replaced, and each binding named
 * after, and referring to, the config/rbac role that grants what the chart's role grants.
 * The chart's roles are left out (config/rbac provides them).
 */
export function toKustomizeObjects(
  chart: readonly Manifest[],
  roles: readonly Manifest[],
): Manifest[] {
  const chartRoles = new Map(
    chart.filter(isRole).map((role) => [`${role.kind}/${role.metadata.name}`, role]),
  );
  return chart
    .filter((manifest) => !isRole(manifest))
    .map((manifest) => {
      if (!isBinding(manifest) || manifest.roleRef === undefined) return relabelled(manifest);
      const chartRole = chartRoles.get(`${manifest.roleRef.kind}/${manifest.roleRef.name}`);
      if (chartRole === undefined) {
        throw new Error(
          `the chart's ${manifest.kind} ${manifest.metadata.name} binds a role the chart does not render`,
        );
      }
      const { name } = configRoleFor(chartRole, roles).metadata;
      return relabelled({
        ...manifest,
        metadata: { ...manifest.metadata, name },
        roleRef: { ...manifest.roleRef, name },
      });
    });
}

const key = (manifest: Manifest) =>
  `${manifest.kind}/${manifest.metadata.namespace ?? ''}/${manifest.metadata.name}`;

/** A generated directory: the objects per file, and its kustomization listing them. */
interface GeneratedDirectory {
  kustomizationKind: 'Kustomization' | 'Component';
  /** What the directory is, for the kustomization's header. */
  purpose: string;
  files: [file: string, objects: Manifest[]][];
}

const MANAGER_FILES: [file: string, kinds: string[]][] = [
  ['service-account.yaml', ['ServiceAccount']],
  ['role-bindings.yaml', ['RoleBinding', 'ClusterRoleBinding']],
  ['deployment.yaml', ['Deployment']],
  ['service.yaml', ['Service']],
];

async function formatYaml(directory: string, file: string, yaml: string): Promise<string> {
  const filepath = path.join(REPOSITORY_ROOT, directory, file);
  const options = (await resolveConfig(filepath)) ?? {};
  return format(yaml, { ...options, filepath });
}

function header(what: string): string {
  return [
    `# ${what}`,
    `# Generated by \`${GENERATE_COMMAND}\` from ${CHART_DIRECTORY} (helm template at the values in`,
    '# src/packaging/kustomize-base.ts); edit the chart, not this file.',
    '',
  ].join('\n');
}

async function renderDirectory(
  directory: string,
  generated: GeneratedDirectory,
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [file, objects] of generated.files) {
    const yaml = objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
    files.set(
      file,
      await formatYaml(
        directory,
        file,
        header(`The chart's ${objects.map((o) => o.kind).join(', ')}, for kustomize.`) + yaml,
      ),
    );
  }
  const kustomization = {
    apiVersion: `kustomize.config.k8s.io/${generated.kustomizationKind === 'Component' ? 'v1alpha1' : 'v1beta1'}`,
    kind: generated.kustomizationKind,
    resources: generated.files.map(([file]) => file),
  };
  files.set(
    'kustomization.yaml',
    await formatYaml(
      directory,
      'kustomization.yaml',
      header(generated.purpose) + stringify(kustomization),
    ),
  );
  return files;
}

/** File name to text of {@link MANAGER_DIRECTORY} and of {@link TOKEN_SECRET_READER_DIRECTORY}. */
export async function renderKustomizeFiles(
  helm: string,
): Promise<Map<string, Map<string, string>>> {
  const roles = await configRoles();
  const base = toKustomizeObjects(await renderChart(helm), roles);
  const chartWithReader = await renderChart(helm, [TOKEN_SECRET_READER_VALUE]);
  const baseKeys = new Set(base.map(key));
  const readerObjects = toKustomizeObjects(chartWithReader, roles).filter(
    (object) => !baseKeys.has(key(object)),
  );
  // The reader's ClusterRole is the chart's too, under config/rbac's name: a component cannot
  // load files outside its own directory, so it cannot include config/rbac's file.
  const readerRoles = chartWithReader
    .filter((role) => isRole(role) && role.metadata.name.endsWith('-token-secret-reader'))
    .map((role) =>
      relabelled({
        ...role,
        metadata: { ...role.metadata, name: configRoleFor(role, roles).metadata.name },
      }),
    );

  const unplaced = base.filter(
    (object) => !MANAGER_FILES.some(([, kinds]) => kinds.includes(object.kind)),
  );
  if (unplaced.length > 0) {
    throw new Error(
      `the chart renders objects config/manager has no file for: ${unplaced.map(key).join(', ')}`,
    );
  }
  const manager = await renderDirectory(MANAGER_DIRECTORY, {
    kustomizationKind: 'Kustomization',
    purpose:
      'The manager: its ServiceAccount, the bindings of config/rbac to it, its Deployment and metrics Service.',
    files: MANAGER_FILES.map(([file, kinds]) => [
      file,
      base.filter((object) => kinds.includes(object.kind)),
    ]),
  });
  const reader = await renderDirectory(TOKEN_SECRET_READER_DIRECTORY, {
    kustomizationKind: 'Component',
    purpose:
      'Opt-in: lets the manager read the Secrets objects name in spec.apiTokenSecretRef (get only, cluster-wide).',
    files: [['token-secret-reader.yaml', [...readerRoles, ...readerObjects]]],
  });
  return new Map([
    [MANAGER_DIRECTORY, manager],
    [TOKEN_SECRET_READER_DIRECTORY, reader],
  ]);
}
