// The kustomize layout in config/ against the Helm chart and the real API server: config/manager
// is what `npm run generate:kustomize` renders from the chart; `kubectl kustomize config/default`
// holds the objects the chart renders (with the documented differences below); the example
// overlay passes a server-side dry run; and config/kustomizeconfig makes generated Secret names
// reach the references in Vp* objects.
//
// Documented differences between `helm template` and `kubectl kustomize config/default`:
// - labels: Helm's `helm.sh/chart` and `managed-by: Helm` are not in the kustomize objects, and
//   the roles carry config/rbac's own labels;
// - RBAC names: the chart prefixes its roles with the release (and, cluster-scoped, its
//   namespace); kustomize uses config/rbac's fixed names (namePrefix makes them unique). So roles
//   are compared by what they grant and bindings by the grants of the role they bind.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { expectGeneratedFilesCurrent } from '../../src/api/generated-files';
import { REPOSITORY_ROOT } from '../../src/api/kinds';
import {
  CHART_DIRECTORY,
  GENERATE_COMMAND,
  TOKEN_SECRET_READER_DIRECTORY,
  TOKEN_SECRET_READER_VALUE,
  parseManifests,
  renderChart,
  renderKustomizeFiles,
  type Manifest,
} from '../../src/packaging/kustomize-base';
import { ensureKubeTools } from '../../src/testing/kube-tools';
import { testCluster, uniqueNamespace } from '../support/cluster';
import { readClusterState, TEST_RUN_LABEL } from '../support/cluster-state';
import { kubectl } from '../support/kube-cli';
import { installOperatorCrds } from '../support/operator';

const CONFIG = join(REPOSITORY_ROOT, 'config');
const HELM_LABELS = new Set(['helm.sh/chart', 'app.kubernetes.io/managed-by']);

const admin = (): string => testCluster().adminKubeconfigPath;
const helmBinary = async (): Promise<string> => (await ensureKubeTools()).helm;

/** `kubectl kustomize` of a directory, as objects. */
async function build(directory: string): Promise<Manifest[]> {
  return parseManifests(await kubectl(admin(), ['kustomize', directory]));
}

let scratchCount = 0;

/** A fresh directory for a kustomization of the test's own (which names others by relative paths: kustomize refuses absolute ones). */
function scratchDirectory(name: string): string {
  const directory = join(
    readClusterState().scratchDir,
    `kustomize-${process.pid}-${scratchCount++}-${name}`,
  );
  mkdirSync(directory, { recursive: true });
  return directory;
}

function writeManifests(path: string, manifests: readonly object[]): string {
  writeFileSync(path, manifests.map((manifest) => stringify(manifest)).join('---\n'));
  return path;
}

const withoutHelmLabels = (labels: Record<string, string> = {}) =>
  Object.fromEntries(Object.entries(labels).filter(([key]) => !HELM_LABELS.has(key)));

/** JSON with every object's keys sorted: kustomize and Helm order keys differently. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    typeof member === 'object' && member !== null && !Array.isArray(member)
      ? Object.fromEntries(Object.entries(member).sort(([a], [b]) => a.localeCompare(b)))
      : member,
  );
}

/**
 * The objects as the comparison sees them: no object labels (pod template labels kept, minus
 * Helm's), roles identified by their kind, namespace and rules, bindings by the rules they bind.
 */
function comparable(manifests: readonly Manifest[]): unknown[] {
  const isRole = (m: Manifest) => m.kind === 'Role' || m.kind === 'ClusterRole';
  const rulesOf = new Map(
    manifests.filter(isRole).map((role) => [`${role.kind}/${role.metadata.name}`, role.rules]),
  );
  return manifests
    .map((manifest): unknown => {
      const metadata = { ...manifest.metadata, labels: undefined };
      const object: Manifest = { ...manifest, metadata };
      if (isRole(manifest)) {
        return { ...object, metadata: { namespace: metadata.namespace } };
      }
      if (manifest.roleRef !== undefined) {
        const { kind, name } = manifest.roleRef;
        return {
          ...object,
          metadata: { namespace: metadata.namespace },
          roleRef: { kind, grants: rulesOf.get(`${kind}/${name}`) ?? `missing ${kind} ${name}` },
        };
      }
      const template = manifest.spec?.template;
      if (template?.metadata !== undefined) {
        const labels = withoutHelmLabels(template.metadata.labels);
        const spec = { ...manifest.spec, template: { ...template, metadata: { labels } } };
        return { ...object, spec };
      }
      return object;
    })
    .sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b)));
}

describe('the kustomize base', () => {
  it(`config/manager and the token Secret reader component are what \`${GENERATE_COMMAND}\` writes`, async () => {
    for (const [directory, files] of await renderKustomizeFiles(await helmBinary())) {
      await expectGeneratedFilesCurrent(
        directory,
        files,
        '.yaml',
        GENERATE_COMMAND,
        CHART_DIRECTORY,
      );
    }
  });

  it('holds the objects the chart renders with its defaults', async () => {
    const chart = await renderChart(await helmBinary(), [], ['--include-crds']);
    const base = await build(join(CONFIG, 'default'));
    expect(base.map((m) => m.kind).sort()).toEqual(chart.map((m) => m.kind).sort());
    expect(comparable(base)).toEqual(comparable(chart));
    for (const manifest of base.filter((m) => m.kind !== 'CustomResourceDefinition')) {
      expect(manifest.metadata.labels?.['app.kubernetes.io/name']).toBe('vp-operator');
    }
  });

  it('with the token Secret reader component, holds what the chart renders with it', async () => {
    const chart = await renderChart(
      await helmBinary(),
      [TOKEN_SECRET_READER_VALUE],
      ['--include-crds'],
    );
    const directory = scratchDirectory('reader');
    writeFileSync(
      join(directory, 'kustomization.yaml'),
      stringify({
        resources: [relative(directory, join(CONFIG, 'default'))],
        components: [relative(directory, join(REPOSITORY_ROOT, TOKEN_SECRET_READER_DIRECTORY))],
      }),
    );
    expect(comparable(await build(directory))).toEqual(comparable(chart));
  });
});

describe('the example overlay', () => {
  it('is accepted by the API server (server-side dry run)', async () => {
    const overlay = await build(join(CONFIG, 'overlays/example'));
    const namespaces = overlay.filter((m) => m.kind === 'Namespace');
    expect(namespaces.map((m) => m.metadata.name)).toEqual(['vvp-operator']);
    // A dry run creates nothing, so the namespaced objects need their namespace for real.
    const labelled = namespaces.map((namespace) => ({
      ...namespace,
      metadata: {
        ...namespace.metadata,
        labels: { ...namespace.metadata.labels, [TEST_RUN_LABEL]: readClusterState().runId },
      },
    }));
    const scratch = scratchDirectory('overlay');
    await kubectl(admin(), ['apply', '-f', writeManifests(join(scratch, 'ns.yaml'), labelled)]);
    const output = await kubectl(admin(), [
      'apply',
      '--dry-run=server',
      '-f',
      writeManifests(join(scratch, 'overlay.yaml'), overlay),
    ]);
    expect(output.trim().split('\n')).toHaveLength(overlay.length);
    expect(output).not.toMatch(/error|warning/i);

    // The overlay's changes: image, resources, and the generated token Secret by its hashed name.
    const secret = overlay.find((m) => m.kind === 'Secret');
    expect(secret?.metadata.name).toMatch(/^vvp-tokens-[a-z0-9]{10}$/);
    expect(Object.keys(secret?.data as object)).toEqual(['APPMANAGER_API_TOKEN_TEAM_A']);
    const deployment = overlay.find((m) => m.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({
      image: 'registry.example.com/platform/vp-operator:0.1.0',
      envFrom: [{ secretRef: { name: secret?.metadata.name } }],
      resources: { requests: { cpu: '100m', memory: '320Mi' }, limits: { memory: '768Mi' } },
    });
    for (const manifest of overlay.filter((m) => m.kind !== 'CustomResourceDefinition')) {
      if (!['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(manifest.kind)) {
        expect(`${manifest.kind} ${String(manifest.metadata.namespace)}`).toBe(
          `${manifest.kind} vvp-operator`,
        );
      }
    }
  });
});

describe('config/kustomizeconfig', () => {
  beforeAll(installOperatorCrds);

  /** The examples (one object of each kind, the deployment and savepoint chained), each naming the token Secret. */
  const objects = (): Manifest[] =>
    ['vpnamespace', 'vpdeploymenttarget', 'vpdeployment', 'vpsavepoint'].map((example) => {
      const [object] = parseManifests(
        readFileSync(join(REPOSITORY_ROOT, 'examples', `${example}.yaml`), 'utf8'),
      );
      if (object === undefined) throw new Error(`examples/${example}.yaml holds no object`);
      return {
        ...object,
        spec: { ...(object.spec as object), apiTokenSecretRef: { name: 'team-a-token' } },
      };
    });

  const kustomization = async (namespace: string, withConfig: boolean): Promise<Manifest[]> => {
    const directory = scratchDirectory(withConfig ? 'refs' : 'no-refs');
    writeManifests(join(directory, 'objects.yaml'), objects());
    writeFileSync(
      join(directory, 'kustomization.yaml'),
      stringify({
        namespace,
        nameSuffix: '-blue',
        resources: ['objects.yaml'],
        ...(withConfig
          ? { components: [relative(directory, join(CONFIG, 'kustomizeconfig'))] }
          : {}),
        secretGenerator: [{ name: 'team-a-token', literals: ['token=not-a-real-token'] }],
      }),
    );
    return build(directory);
  };

  const field = (manifests: Manifest[], kind: string, path: string[]): unknown => {
    let value: unknown = manifests.find((m) => m.kind === kind);
    for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
    return value;
  };

  it('rewrites the Secret and object names Vp* objects reference, and the API server takes them', async () => {
    const namespace = await uniqueNamespace('kustomize-refs');
    const built = await kustomization(namespace, true);
    const secret = built.find((m) => m.kind === 'Secret')?.metadata.name;
    expect(secret).toMatch(/^team-a-token-blue-[a-z0-9]{10}$/);
    for (const kind of ['VpNamespace', 'VpDeploymentTarget', 'VpDeployment', 'VpSavepoint']) {
      expect(`${kind}: ${String(field(built, kind, ['spec', 'apiTokenSecretRef', 'name']))}`).toBe(
        `${kind}: ${String(secret)}`,
      );
    }
    expect(field(built, 'VpDeployment', ['spec', 'deploymentTargetRef', 'name'])).toBe(
      'team-a-target-blue',
    );
    expect(field(built, 'VpSavepoint', ['spec', 'deploymentRef', 'name'])).toBe(
      'top-speed-windowing-blue',
    );

    // Kustomize does not know VpNamespaces are cluster-scoped and gives them the namespace too;
    // the API server ignores it for a cluster-scoped kind.
    const file = writeManifests(join(scratchDirectory('refs-apply'), 'built.yaml'), built);
    const output = await kubectl(admin(), ['apply', '--dry-run=server', '-f', file]);
    expect(output.trim().split('\n')).toHaveLength(built.length);
  });

  it('is what does it: without it the references keep the names as written', async () => {
    const namespace = await uniqueNamespace('kustomize-refs');
    const built = await kustomization(namespace, false);
    expect(field(built, 'VpDeployment', ['spec', 'apiTokenSecretRef', 'name'])).toBe(
      'team-a-token',
    );
    expect(field(built, 'VpSavepoint', ['spec', 'deploymentRef', 'name'])).toBe(
      'top-speed-windowing',
    );
  });
});
