import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { isJsonObject, type JsonObject } from '../json';
import { InvalidInputError, convertAll, cpuFromQuantity, type Conversion } from './convert';
import { fitToSchema } from './fit';
import { readYamlObjects } from './read';
import { SourceFields } from './source-fields';

const FIXTURES = new URL('../../test/fixtures/migrate/', import.meta.url);

function convertFixture(file: string, instanceId?: string): Conversion[] {
  const objects = readYamlObjects(readFileSync(new URL(file, FIXTURES), 'utf8'), file);
  const conversions = convertAll(objects, { instanceId });
  for (const conversion of conversions) fitToSchema(conversion);
  return conversions;
}

function byName(conversions: Conversion[], kind: string, name: string): Conversion {
  const found = conversions.find(
    (c) =>
      c.output.kind === kind && isJsonObject(c.output.metadata) && c.output.metadata.name === name,
  );
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
}

const droppedPaths = (conversion: Conversion): string[] => conversion.dropped.map((d) => d.path);

describe('fintechstudios v1beta1 objects', () => {
  const conversions = convertFixture('fintechstudios-v1beta1.yaml');

  it('makes the namespaced VpNamespace a cluster-scoped one, adopted, with its role bindings', () => {
    const namespace = byName(conversions, 'VpNamespace', 'payments');
    expect(namespace.output).toEqual({
      apiVersion: 'vpoperator.dev/v1alpha1',
      kind: 'VpNamespace',
      metadata: { name: 'payments', annotations: { 'vpoperator.dev/adopt': 'true' } },
      spec: {
        roleBindings: [
          { role: 'owner', members: ['group:payments-leads'] },
          { role: 'viewer', members: ['system:authenticated'] },
        ],
      },
    });
    expect(namespace.notes.join(' ')).toContain('cluster-scoped');
    expect(droppedPaths(namespace)).toEqual(['metadata.finalizers', 'status']);
  });

  it('keeps a target in its Kubernetes namespace with its VVP namespace, and reports the patch set', () => {
    const target = byName(conversions, 'VpDeploymentTarget', 'payments-target');
    expect(target.output.metadata).toEqual({
      name: 'payments-target',
      namespace: 'flink-ops',
      annotations: { 'vpoperator.dev/adopt': 'true' },
    });
    expect(target.output.spec).toEqual({
      metadata: { namespace: 'payments', labels: { team: 'payments' } },
      spec: { kubernetes: { namespace: 'flink-payments' } },
    });
    expect(droppedPaths(target)).toEqual(
      expect.arrayContaining([
        'metadata.annotations["ververicaplatform.fintechstudios.com/id"]',
        'spec.spec.deploymentPatchSet',
      ]),
    );
  });

  it('converts a deployment: target reference, CPU quantities, and every dropped field with a reason', () => {
    const deployment = byName(conversions, 'VpDeployment', 'fraud-detector');
    const spec = deployment.output.spec as JsonObject;
    expect(spec.deploymentTargetRef).toEqual({ name: 'payments-target' });
    expect(spec.metadata).toEqual({ namespace: 'payments', labels: { app: 'fraud-detector' } });
    expect(spec.spec).toMatchObject({
      state: 'RUNNING',
      template: {
        spec: { resources: { jobmanager: { cpu: 0.5 }, taskmanager: { cpu: 2 } } },
      },
    });
    expect(JSON.stringify(spec)).not.toContain('startFromSavepoint');
    expect(droppedPaths(deployment)).toEqual(
      expect.arrayContaining([
        'spec.spec.startFromSavepoint',
        'metadata.annotations["ververicaplatform.fintechstudios.com/last-event-timestamp"]',
        'metadata.annotations["ververicaplatform.fintechstudios.com/v1beta2.VpDeployment.pod-labels"]',
        'status',
      ]),
    );
    for (const field of deployment.dropped) expect(field.why.length).toBeGreaterThan(10);
  });

  it('makes a savepoint with a VVP id an import that is never triggered again', () => {
    const savepoint = byName(conversions, 'VpSavepoint', 'fraud-detector-before-upgrade');
    expect(savepoint.output.spec).toEqual({
      deploymentRef: { name: 'fraud-detector' },
      metadata: { namespace: 'payments', id: '7c6b5a49-4444-4d3e-9f8a-1b2c3d4e5f6a' },
    });
    expect(savepoint.output.metadata).not.toHaveProperty('annotations');
    expect(droppedPaths(savepoint)).toEqual(
      expect.arrayContaining(['spec.spec.savepointLocation', 'spec.spec.flinkSavepointId']),
    );
  });
});

describe('fintechstudios v1beta2 objects in a List', () => {
  const conversions = convertFixture('fintechstudios-v1beta2-list.yaml', 'prod');

  it('reads every item, labels each for the operator instance and carries pod settings as written', () => {
    expect(conversions.map((c) => c.source.item)).toEqual([1, 2, 3, 4]);
    const sessionizer = byName(conversions, 'VpDeployment', 'sessionizer');
    expect(sessionizer.output.metadata).toMatchObject({
      labels: { 'vpoperator.dev/instance': 'prod' },
    });
    expect(sessionizer.output.spec).toMatchObject({
      deploymentTargetRef: { name: 'analytics' },
      spec: {
        state: 'SUSPENDED',
        template: {
          metadata: { annotations: { 'flink.example/owner': 'data-team' } },
          spec: {
            numberOfTaskManagers: 3,
            kubernetes: { pods: { labels: { tier: 'batch' }, envVars: [{ name: 'REGION' }] } },
          },
        },
      },
    });
    // Server-filled metadata is no loss.
    const target = byName(conversions, 'VpDeploymentTarget', 'analytics');
    expect(target.dropped).toEqual([]);
  });

  it('drops an observed-only desired state, and names a target that is not converted by its VVP name', () => {
    const ingest = byName(conversions, 'VpDeployment', 'ingest');
    expect(ingest.dropped).toEqual([
      { path: 'spec.spec.state', why: expect.stringContaining('RUNNING, CANCELLED, SUSPENDED') },
    ]);
    expect(ingest.output.spec).toMatchObject({ spec: { deploymentTargetName: 'shared-target' } });
    expect(ingest.output.spec).not.toHaveProperty('deploymentTargetRef');
  });

  it('keeps a savepoint without a VVP id as a request, naming the deployment once', () => {
    const savepoint = byName(conversions, 'VpSavepoint', 'sessionizer-manual');
    expect(savepoint.output.spec).toEqual({
      deploymentRef: { name: 'sessionizer' },
      metadata: { namespace: 'default' },
    });
    expect(savepoint.notes.join(' ')).toContain('takes a new one');
    expect(droppedPaths(savepoint)).toEqual(['spec.metadata.deploymentId']);
  });
});

describe("Ververica's VvpDeployment", () => {
  const [conversion] = convertFixture('ververica-vvpdeployment.yaml');

  it('maps spec.deployment to spec.metadata/spec.spec, the token Secret, nonces and initFields', () => {
    expect(conversion?.output).toMatchObject({
      kind: 'VpDeployment',
      metadata: {
        name: 'top-speed',
        namespace: 'streaming',
        labels: { app: 'top-speed' },
        annotations: { 'vpoperator.dev/adopt': 'true' },
      },
      spec: {
        apiTokenSecretRef: { name: 'vvp-apikey' },
        syncingMode: 'PATCH',
        savepointNonce: 3,
        restartNonce: 1,
        initFields: { spec: { template: { spec: { resources: { jobmanager: { cpu: 1 } } } } } },
        metadata: {
          name: 'top-speed-windowing',
          namespace: 'team-a',
          displayName: 'Top speed windowing',
          labels: { app: 'top-speed' },
        },
        spec: { state: 'RUNNING', deploymentTargetName: 'team-a-target' },
      },
    });
  });

  it('reports the owner label, the status and a field our schema lacks, under their input paths', () => {
    expect(conversion?.dropped.map((d) => d.path)).toEqual([
      'metadata.labels["ververica.platform/owner"]',
      'status',
      'spec.deployment.spec.template.spec.engineVersionName',
    ]);
  });
});

describe('invalid input', () => {
  it('names file, document and field', () => {
    const objects = readYamlObjects(
      readFileSync(new URL('invalid.yaml', FIXTURES), 'utf8'),
      'invalid.yaml',
    );
    expect(() => convertAll(objects)).toThrow(
      new InvalidInputError({ file: 'invalid.yaml', index: 2 }, 'metadata.name', 'missing'),
    );
  });

  it('refuses objects of other kinds and YAML that does not parse', () => {
    const pod = readYamlObjects('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n', 'pod.yaml');
    expect(() => convertAll(pod)).toThrow(
      'pod.yaml: document 1: kind: v1 Pod is not an object the converter reads',
    );
    expect(() => readYamlObjects('a: [1\n', 'broken.yaml')).toThrow(
      /^broken\.yaml: document 1: YAML: /,
    );
    expect(() => readYamlObjects('- 1\n', 'list.yaml')).toThrow('is not a mapping');
    const beta3 = readYamlObjects(
      'apiVersion: ververicaplatform.fintechstudios.com/v1beta3\nkind: VpNamespace\nmetadata: {name: x}\n',
      'b.yaml',
    );
    expect(() => convertAll(beta3)).toThrow('b.yaml: document 1: apiVersion:');
  });
});

describe('helpers', () => {
  it('reads CPU quantities', () => {
    expect(cpuFromQuantity('500m')).toBe(0.5);
    expect(cpuFromQuantity('1.5')).toBe(1.5);
    expect(cpuFromQuantity('2')).toBe(2);
    expect(cpuFromQuantity('2Ki')).toBeUndefined();
  });

  it('reports a subtree nobody took as one path, and a taken one not at all', () => {
    const fields = new SourceFields({
      apiVersion: 'x/v1',
      kind: 'K',
      metadata: { name: 'n', uid: 'u' },
      spec: { kept: 1, extra: { deep: { deeper: true } }, list: [1, 2] },
    });
    fields.take('metadata', 'name');
    fields.take('spec', 'kept');
    expect(fields.droppedFields()).toEqual([
      { path: 'spec.extra', why: expect.any(String) },
      { path: 'spec.list', why: expect.any(String) },
    ]);
  });
});
