// The converter against a live cluster: the earlier operators' objects are served by stand-in
// CRDs (the same groups, versions and kinds, schemas left open), read with --from-cluster, and
// the result is accepted by the real API server under vp-operator's CRDs (schemas and CEL
// rules), checked with a server-side dry run. It runs on a control plane of its own: the stand-ins
// share kind names with vp-operator's CRDs, so in the shared cluster kubectl's short names (e.g.
// `kubectl get vpdeployment`) in concurrently running tests would resolve to them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { startControlPlane, type ControlPlane } from '../../src/testing/control-plane';
import { readClusterState } from '../support/cluster-state';
import { kubectl } from '../support/kube-cli';
import { installOperatorCrds } from '../support/operator';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MIGRATE = join(ROOT, 'bin/vp-operator-migrate');

interface StandInKind {
  group: string;
  kind: string;
  plural: string;
  versions: string[];
}

const STAND_INS: StandInKind[] = [
  {
    group: 'ververicaplatform.fintechstudios.com',
    kind: 'VpNamespace',
    plural: 'vpnamespaces',
    versions: ['v1beta1'],
  },
  {
    group: 'ververicaplatform.fintechstudios.com',
    kind: 'VpDeploymentTarget',
    plural: 'vpdeploymenttargets',
    versions: ['v1beta1', 'v1beta2'],
  },
  {
    group: 'ververicaplatform.fintechstudios.com',
    kind: 'VpDeployment',
    plural: 'vpdeployments',
    versions: ['v1beta1', 'v1beta2'],
  },
  {
    group: 'ververicaplatform.fintechstudios.com',
    kind: 'VpSavepoint',
    plural: 'vpsavepoints',
    versions: ['v1beta1'],
  },
  {
    group: 'ververica.platform',
    kind: 'VvpDeployment',
    plural: 'vvpdeployments',
    versions: ['v1'],
  },
];

/** A CRD serving `kind` with an open schema: enough to store and list the objects. */
function standInCrd(kind: StandInKind): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.plural}.${kind.group}` },
    spec: {
      group: kind.group,
      scope: 'Namespaced',
      names: { kind: kind.kind, plural: kind.plural, singular: kind.kind.toLowerCase() },
      versions: kind.versions.map((name, index) => ({
        name,
        served: true,
        storage: index === 0,
        schema: {
          openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      })),
    },
  };
}

function writeScratch(name: string, text: string): string {
  const file = join(readClusterState().scratchDir, `${name}-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** The fixture's objects, moved into `namespace` (status is the earlier operators' to write). */
function fixtureObjects(file: string, namespace: string): Record<string, unknown>[] {
  const text = readFileSync(join(ROOT, 'test/fixtures/migrate', file), 'utf8');
  return parseAllDocuments(text).flatMap((document) => {
    const value = document.toJS() as { kind?: string; items?: Record<string, unknown>[] };
    const objects =
      value.kind === 'List' ? (value.items ?? []) : [value as Record<string, unknown>];
    return objects.map((object) => {
      const copy: Record<string, unknown> = { ...object };
      delete copy.status;
      // No operator runs for the stand-ins to remove finalizers, so none are stored.
      const metadata: Record<string, unknown> = { ...(copy.metadata as object), namespace };
      delete metadata.finalizers;
      return { ...copy, metadata };
    });
  });
}

describe('vp-operator-migrate --from-cluster', () => {
  let cluster: ControlPlane | undefined;
  const admin = (): string => {
    if (cluster === undefined) throw new Error('the control plane is used before beforeAll');
    return cluster.adminKubeconfigPath;
  };
  const namespace = 'e2e-migrate';

  beforeAll(async () => {
    cluster = await startControlPlane();
    await installOperatorCrds(admin());
    const crds = writeScratch(
      'stand-in-crds',
      STAND_INS.map((kind) => stringify(standInCrd(kind))).join('---\n'),
    );
    await kubectl(admin(), ['apply', '-f', crds]);
    await kubectl(admin(), ['wait', '--for=condition=Established', '--timeout=60s', '-f', crds]);
    await kubectl(admin(), ['create', 'namespace', namespace]);
    const objects = [
      ...fixtureObjects('fintechstudios-v1beta1.yaml', namespace),
      ...fixtureObjects('fintechstudios-v1beta2-list.yaml', namespace),
      ...fixtureObjects('ververica-vvpdeployment.yaml', namespace),
    ];
    const file = writeScratch(
      'earlier-objects',
      objects.map((object) => stringify(object)).join('---\n'),
    );
    await kubectl(admin(), ['apply', '-f', file]);
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('lists every kind, converts them, and the API server accepts the result', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      MIGRATE,
      ['--from-cluster', `--kubeconfig=${admin()}`],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stderr).toContain('vpdeployments.ververicaplatform.fintechstudios.com:');
    expect(stderr).toContain('vvpdeployments.ververica.platform:');
    const ours = parseAllDocuments(stdout)
      .map(
        (document) =>
          document.toJS() as { kind: string; metadata: { name: string; namespace?: string } },
      )
      .filter((object) => object.metadata.namespace === namespace || object.kind === 'VpNamespace');
    const mine = ours.filter(
      (object) => object.metadata.namespace === namespace || object.metadata.name === 'payments',
    );
    expect(mine.map((object) => `${object.kind}/${object.metadata.name}`).sort()).toEqual(
      [
        'VpDeployment/fraud-detector',
        'VpDeployment/ingest',
        'VpDeployment/sessionizer',
        'VpDeployment/top-speed',
        'VpDeploymentTarget/analytics',
        'VpDeploymentTarget/payments-target',
        'VpNamespace/payments',
        'VpSavepoint/fraud-detector-before-upgrade',
        'VpSavepoint/sessionizer-manual',
      ].sort(),
    );
    // v1beta2 is read where served: the deployment's v1beta2-only pod labels arrive as fields.
    expect(stdout).toContain('tier: batch');

    const file = writeScratch('converted', mine.map((object) => stringify(object)).join('---\n'));
    const applied = await kubectl(admin(), ['apply', '--dry-run=server', '-f', file]);
    expect(applied.trim().split('\n')).toHaveLength(9);
  }, 240_000);
});
