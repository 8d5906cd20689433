// The generated CRDs on the real API server: accepted, documented, listed, and rejecting bad
// objects at `kubectl apply` with a message that names the field and the reason.
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { CRD_DIRECTORY, KINDS, REPOSITORY_ROOT } from '../../src/api/kinds';
import { testCluster, uniqueNamespace } from '../support/cluster';
import { readClusterState } from '../support/cluster-state';
import { kubectl } from '../support/kube-cli';

type Manifest = Record<string, unknown> & {
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
};

const EXAMPLE_FILES = {
  VpNamespace: 'vpnamespace.yaml',
  VpDeploymentTarget: 'vpdeploymenttarget.yaml',
  VpDeployment: 'vpdeployment.yaml',
  VpSavepoint: 'vpsavepoint.yaml',
} as const;
type Kind = keyof typeof EXAMPLE_FILES;

const admin = (args: string[]) => kubectl(testCluster().adminKubeconfigPath, args);

async function example(kind: Kind): Promise<Manifest> {
  const text = await readFile(join(REPOSITORY_ROOT, 'examples', EXAMPLE_FILES[kind]), 'utf8');
  return parse(text) as Manifest;
}

let fileCounter = 0;
/** Writes `manifest` to a scratch file and applies it (in `namespace` unless cluster-scoped). */
async function apply(manifest: Manifest, namespace?: string): Promise<string> {
  const directory = join(readClusterState().scratchDir, 'crds');
  await mkdir(directory, { recursive: true });
  fileCounter += 1;
  const file = join(directory, `manifest-${fileCounter}.yaml`);
  await writeFile(file, stringify(manifest));
  return admin(['apply', '-f', file, ...(namespace === undefined ? [] : ['-n', namespace])]);
}

/** A deep copy of `manifest` with `name`, changed by `edit`. */
function variant(manifest: Manifest, name: string, edit: (copy: Manifest) => void): Manifest {
  const copy = structuredClone(manifest);
  copy.metadata.name = name;
  edit(copy);
  return copy;
}

/** `object.spec.<path...>` as a record, created along the way. */
function at(object: Record<string, unknown>, ...path: string[]): Record<string, unknown> {
  let current = object;
  for (const key of path) {
    current[key] ??= {};
    current = current[key] as Record<string, unknown>;
  }
  return current;
}

describe('custom resource definitions', () => {
  let namespace: string;
  // Cluster-scoped names must not collide with an earlier run on an existing cluster.
  const vvpNamespaceName = (suffix: string) => `crds-${readClusterState().runId}-${suffix}`;

  beforeAll(async () => {
    await admin(['apply', '-f', join(REPOSITORY_ROOT, CRD_DIRECTORY)]);
    await admin([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      ...KINDS.map((kind) => `crd/${kind.resource.plural}.${kind.resource.group}`),
    ]);
    namespace = await uniqueNamespace('crds');
  });

  it('accepts the example of each kind and applies the schema defaults', async () => {
    const vpNamespace = await example('VpNamespace');
    vpNamespace.metadata.name = vvpNamespaceName('example');
    await apply(vpNamespace);
    for (const kind of ['VpDeploymentTarget', 'VpDeployment', 'VpSavepoint'] as const) {
      await apply(await example(kind), namespace);
    }

    const target = JSON.parse(
      await admin(['get', 'vpdt', 'team-a-target', '-n', namespace, '-o', 'json']),
    ) as Manifest;
    expect(target.spec).toMatchObject({ deletionPolicy: 'Delete' });
    const deployment = JSON.parse(
      await admin(['get', 'vpdep', 'top-speed-windowing', '-n', namespace, '-o', 'json']),
    ) as Manifest;
    expect(deployment.spec).toMatchObject({
      deletionPolicy: 'SavepointThenDelete',
      syncingMode: 'PATCH',
      metadata: { namespace: 'team-a' },
    });
    const savepoint = JSON.parse(
      await admin([
        'get',
        'vpsp',
        'top-speed-windowing-before-upgrade',
        '-n',
        namespace,
        '-o',
        'json',
      ]),
    ) as Manifest;
    expect(savepoint.spec).toMatchObject({ deletionPolicy: 'Orphan', backoffLimit: 3 });

    // Defaults apply inside a defaulted spec.metadata too.
    const minimal: Manifest = {
      apiVersion: 'vpoperator.dev/v1alpha1',
      kind: 'VpDeploymentTarget',
      metadata: { name: 'minimal' },
      spec: { spec: { kubernetes: {} } },
    };
    await apply(minimal, namespace);
    const stored = JSON.parse(
      await admin(['get', 'vpdt', 'minimal', '-n', namespace, '-o', 'json']),
    ) as Manifest;
    expect(stored.spec).toMatchObject({ metadata: { namespace: 'default' } });
  });

  it('lists all four kinds under `kubectl get vp`, with columns that say whether they work', async () => {
    const output = await admin(['get', 'vp', '-n', namespace]);
    for (const kind of KINDS) {
      expect(output).toContain(`${kind.singular}.${kind.resource.group}/`);
    }
    expect(output).toContain(`vpnamespace.vpoperator.dev/${vvpNamespaceName('example')}`);
    const deployments = await admin(['get', 'vpdep', '-n', namespace]);
    expect(deployments.split('\n')[0]).toMatch(
      /^NAME\s+VVP-NAMESPACE\s+STATE\s+READY\s+REASON\s+SYNCED\s+JOB-ID\s+AGE$/,
    );
    expect(deployments).toMatch(/top-speed-windowing\s+team-a\s/);
  });

  it('documents the API for `kubectl explain`', async () => {
    const template = await admin(['explain', 'vpdeployment.spec.spec.template']);
    expect(template).toContain('The template every job of the deployment is made from.');
    expect(template).toMatch(/metadata\s+<Object>/);
    expect(template).toMatch(/spec\s+<Object>/);
    const cpu = await admin([
      'explain',
      'vpdeployment.spec.spec.template.spec.resources.jobmanager.cpu',
    ]);
    expect(cpu).toContain('CPU cores, at least 0.1.');
    const policy = await admin(['explain', 'vpdeployment.spec.deletionPolicy']);
    expect(policy).toContain('SavepointThenDelete');
  });

  interface RejectionCase {
    title: string;
    kind: Kind;
    name: string;
    edit: (manifest: Manifest) => void;
    /** The error must name the field and say why; matched against kubectl's output. */
    field: string;
    reason: RegExp;
  }

  const templateSpec = (manifest: Manifest) => at(manifest.spec, 'spec', 'template', 'spec');
  const rejections: RejectionCase[] = [
    {
      title: 'a deployment whose name cannot be a VVP name',
      kind: 'VpDeployment',
      name: 'top.speed',
      edit: () => undefined,
      field: '<nil>', // a rule on the whole object: kubectl names the object, the message the field
      reason:
        /metadata\.name "top\.speed" cannot be the name of the VVP deployment.*set spec\.metadata\.name/,
    },
    {
      title: 'a VVP deployment name that is not a DNS label',
      kind: 'VpDeployment',
      name: 'bad-vvp-name',
      edit: (manifest) => {
        at(manifest.spec, 'metadata').name = 'Top_Speed';
      },
      field: 'spec.metadata.name',
      reason: /"Top_Speed" must be a DNS label/,
    },
    {
      title: 'a VVP namespace name that is not a DNS label',
      kind: 'VpDeploymentTarget',
      name: 'bad-namespace',
      edit: (manifest) => {
        at(manifest.spec, 'metadata').namespace = 'Team A';
      },
      field: 'spec.metadata.namespace',
      reason: /"Team A" must be a DNS label/,
    },
    {
      title: 'a deployment target name with a dot',
      kind: 'VpDeploymentTarget',
      name: 'team.a',
      edit: () => undefined,
      field: '<nil>',
      reason: /metadata\.name "team\.a" cannot be the name of the VVP deployment target/,
    },
    {
      title: 'cpu 0 (an integer, which `minimum: 0.1` alone would let through)',
      kind: 'VpDeployment',
      name: 'cpu-zero',
      edit: (manifest) => {
        at(templateSpec(manifest), 'resources', 'taskmanager').cpu = 0;
      },
      field: 'spec.spec.template.spec.resources.taskmanager.cpu',
      reason: /cpu must be at least 0\.1/,
    },
    {
      title: 'cpu 0.05',
      kind: 'VpDeployment',
      name: 'cpu-small',
      edit: (manifest) => {
        at(templateSpec(manifest), 'resources', 'jobmanager').cpu = 0.05;
      },
      field: 'spec.spec.template.spec.resources.jobmanager.cpu',
      reason: /should be greater than or equal to 0\.1/,
    },
    {
      title: 'parallelism 0',
      kind: 'VpDeployment',
      name: 'parallelism-zero',
      edit: (manifest) => {
        templateSpec(manifest).parallelism = 0;
      },
      field: 'spec.spec.template.spec.parallelism',
      reason: /should be greater than or equal to 1/,
    },
    {
      title: 'a desired state that can only be observed',
      kind: 'VpDeployment',
      name: 'transitioning',
      edit: (manifest) => {
        at(manifest.spec, 'spec').state = 'TRANSITIONING';
      },
      field: 'spec.spec.state',
      reason:
        /Unsupported value: "TRANSITIONING": supported values: "RUNNING", "CANCELLED", "SUSPENDED"/,
    },
    {
      title: 'initFields with syncingMode PUT',
      kind: 'VpDeployment',
      name: 'init-fields-put',
      edit: (manifest) => {
        manifest.spec.syncingMode = 'PUT';
      },
      field: 'spec.initFields',
      reason: /initFields is only allowed with syncingMode PATCH/,
    },
    {
      title: 'an unknown deletion policy',
      kind: 'VpDeploymentTarget',
      name: 'bad-policy',
      edit: (manifest) => {
        manifest.spec.deletionPolicy = 'SavepointThenDelete';
      },
      field: 'spec.deletionPolicy',
      reason: /Unsupported value: "SavepointThenDelete": supported values: "Delete", "Orphan"/,
    },
    {
      title: 'a memory size Flink cannot parse',
      kind: 'VpDeployment',
      name: 'bad-memory',
      edit: (manifest) => {
        at(templateSpec(manifest), 'resources', 'taskmanager').memory = '2 gigabytes';
      },
      field: 'spec.spec.template.spec.resources.taskmanager.memory',
      reason: /"2 gigabytes" is not a Flink memory size/,
    },
    {
      title: 'two ways of naming the deployment target',
      kind: 'VpDeployment',
      name: 'two-targets',
      edit: (manifest) => {
        at(manifest.spec, 'spec').deploymentTargetName = 'other-target';
      },
      field: 'spec.deploymentTargetRef',
      reason: /set only one of spec\.deploymentTargetRef, spec\.spec\.deploymentTargetName/,
    },
    {
      title: "a label in the operator's reserved prefix",
      kind: 'VpDeployment',
      name: 'reserved-label',
      edit: (manifest) => {
        at(manifest.spec, 'metadata', 'labels')['vpoperator.dev/owner-name'] = 'someone';
      },
      field: 'spec.metadata.labels',
      reason: /label keys starting with "vpoperator\.dev\/" are set by the operator/,
    },
    {
      title: 'a savepoint of no deployment',
      kind: 'VpSavepoint',
      name: 'no-deployment',
      edit: (manifest) => {
        delete manifest.spec.deploymentRef;
      },
      field: 'spec.deploymentRef',
      reason: /name the deployment: set spec\.deploymentRef/,
    },
    {
      title: 'a negative backoffLimit',
      kind: 'VpSavepoint',
      name: 'negative-backoff',
      edit: (manifest) => {
        manifest.spec.backoffLimit = -1;
      },
      field: 'spec.backoffLimit',
      reason: /should be greater than or equal to 0/,
    },
  ];

  it.each(rejections)('rejects $title', async ({ kind, name, edit, field, reason }) => {
    const manifest = variant(await example(kind), name, edit);
    const attempt = apply(manifest, namespace);
    await expect(attempt).rejects.toThrow(reason);
    if (field !== '<nil>') await expect(attempt).rejects.toThrow(`${field}: `);
  });

  it('rejects a VpNamespace whose name cannot be a VVP namespace', async () => {
    const manifest = variant(await example('VpNamespace'), 'team.a', () => undefined);
    await expect(apply(manifest)).rejects.toThrow(
      /metadata\.name "team\.a" is not a valid VVP namespace name/,
    );
  });

  interface ImmutableCase {
    title: string;
    kind: Kind;
    name: string;
    change: (manifest: Manifest) => void;
    message: RegExp;
  }

  const immutables: ImmutableCase[] = [
    {
      title: "a deployment's VVP namespace",
      kind: 'VpDeployment',
      name: 'moves-namespace',
      change: (manifest) => {
        at(manifest.spec, 'metadata').namespace = 'team-b';
      },
      message: /spec\.metadata\.namespace: Forbidden: spec\.metadata\.namespace is immutable/,
    },
    {
      title: "a target's VVP namespace, by removing it (back to the default)",
      kind: 'VpDeploymentTarget',
      name: 'drops-namespace',
      change: (manifest) => {
        delete at(manifest.spec, 'metadata').namespace;
      },
      message: /spec\.metadata\.namespace is immutable/,
    },
    {
      title: "a deployment's VVP name",
      kind: 'VpDeployment',
      name: 'renamed',
      change: (manifest) => {
        at(manifest.spec, 'metadata').name = 'another-name';
      },
      message: /the VVP name of this deployment is immutable: it is "renamed"/,
    },
    {
      title: "a savepoint's deployment",
      kind: 'VpSavepoint',
      name: 'other-deployment',
      change: (manifest) => {
        manifest.spec.deploymentRef = { name: 'another-deployment' };
      },
      message: /spec\.deploymentRef: Forbidden: spec\.deploymentRef is immutable/,
    },
  ];

  it.each(immutables)('refuses to change $title', async ({ kind, name, change, message }) => {
    const original = variant(await example(kind), name, () => undefined);
    await apply(original, namespace);
    await expect(apply(variant(original, name, change), namespace)).rejects.toThrow(message);
  });

  it('lets an immutable field be restated unchanged, and mutable fields change', async () => {
    const original = variant(await example('VpDeployment'), 'restated', () => undefined);
    await apply(original, namespace);
    const changed = variant(original, 'restated', (manifest) => {
      at(manifest.spec, 'metadata').name = 'restated';
      at(manifest.spec, 'spec').state = 'SUSPENDED';
      manifest.spec.savepointNonce = 2;
    });
    await expect(apply(changed, namespace)).resolves.toContain('configured');
  });
});
