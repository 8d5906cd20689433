// The hostile-input corpus: custom resources a careless or malicious user could apply. Each
// case says what must happen: rejected at `kubectl apply` with a message naming the field, or
// accepted and then reported in a condition whose reason and message say what is wrong and
// what to do, or (for inputs that only look hostile) accepted and synced like any other.

export const API_VERSION = 'vpoperator.dev/v1alpha1';

/** What the corpus builds its manifests from. */
export interface CorpusContext {
  /** The Kubernetes namespace of the namespaced cases. */
  namespace: string;
  /** Makes cluster-scoped names unique per run. */
  runId: string;
  /** A Ready VpDeploymentTarget in `namespace` (VVP namespace default). */
  goodTarget: string;
  foreign: ForeignObjects;
}

/** Names and ids of the VVP objects seeded behind the operator's back. */
export interface ForeignObjects {
  /** A VVP namespace no CR names, with a CANCELLED deployment in it. */
  vvpNamespace: string;
  /** Id of that deployment. */
  deploymentId: string;
  /** Deployments and a target in VVP namespace default, named like CRs of the corpus. */
  defaultDeployments: readonly [string, string];
  defaultTarget: string;
}

export type Expectation =
  /** `kubectl apply` fails; its output matches `message` (which names the field). */
  | { outcome: 'rejected'; message: RegExp }
  /**
   * Admitted; then `condition` is False with `reason` and a message matching `message`. With
   * `retried`, VVP refuses only for now and each backed-off retry is written to status; else
   * the object is not written again once reported.
   */
  | {
      outcome: 'reported';
      condition: 'Synced' | 'Ready';
      reason: string;
      message: RegExp;
      retried?: boolean;
    }
  /** Admitted and synced (Synced=True): hostile-looking, but valid. */
  | { outcome: 'accepted' };

export interface HostileCase {
  title: string;
  /** A manifest, or text applied exactly as written (for what a JSON value cannot express). */
  manifest: (context: CorpusContext) => Manifest | string;
  /** Send the text to this API path as is (`kubectl create --raw`) instead of `kubectl apply`. */
  rawCreate?: (context: CorpusContext) => string;
  /** The object a text manifest creates, to watch its conditions. */
  watch?: (context: CorpusContext) => { plural: string; name: string; namespace?: string };
  expect: Expectation;
}

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: unknown;
};

type Json = Record<string, unknown>;

const JAR = 'https://repo.example.com/jobs/hostile-1.0.jar';

/** A namespaced custom resource of the corpus. */
function namespaced(c: CorpusContext, kind: string, name: string, spec: unknown) {
  return { apiVersion: API_VERSION, kind, metadata: { name, namespace: c.namespace }, spec };
}

function deployment(c: CorpusContext, name: string, edit: (spec: Json) => void = () => undefined) {
  const spec: Json = {
    deploymentTargetRef: { name: c.goodTarget },
    spec: {
      state: 'CANCELLED',
      template: { spec: { artifact: { kind: 'JAR', jarUri: JAR }, parallelism: 1 } },
    },
  };
  edit(spec);
  return namespaced(c, 'VpDeployment', name, spec);
}

function target(c: CorpusContext, name: string, edit: (spec: Json) => void = () => undefined) {
  const spec: Json = { spec: { kubernetes: { namespace: 'flink-hostile' } } };
  edit(spec);
  return namespaced(c, 'VpDeploymentTarget', name, spec);
}

function savepoint(c: CorpusContext, name: string, spec: Json) {
  return namespaced(c, 'VpSavepoint', name, spec);
}

function vpNamespace(name: string, spec: Json = {}) {
  return { apiVersion: API_VERSION, kind: 'VpNamespace', metadata: { name }, spec };
}

/** `record.<path>` as an object, created along the way. */
function at(record: Json, ...path: string[]): Json {
  let current = record;
  for (const key of path) {
    current[key] ??= {};
    current = current[key] as Json;
  }
  return current;
}

const templateSpec = (spec: Json) => at(spec, 'spec', 'template', 'spec');

/** An object nested `depth` levels deep: {"n":{"n":…{"n":"bottom"}}}. */
function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = { n: value };
  return value;
}

/** A deployment with one field of its spec set, by dotted path (`spec.template.spec.parallelism`). */
function deploymentWith(name: string, path: string, value: unknown) {
  const keys = path.split('.');
  const last = keys.pop() ?? path;
  return (c: CorpusContext) =>
    deployment(c, name, (spec) => {
      at(spec, ...keys)[last] = value;
    });
}

const RANDOM_UUID = '6d3c1f0e-9a4b-4c2d-8e7f-0a1b2c3d4e5f';

const rejected = (message: RegExp): Expectation => ({ outcome: 'rejected', message });
const reported = (
  condition: 'Synced' | 'Ready',
  reason: string,
  message: RegExp,
  retried = false,
): Expectation => ({ outcome: 'reported', condition, reason, message, retried });

export const HOSTILE_CASES: readonly HostileCase[] = [
  // ---- names VVP rejects, unicode
  {
    title: 'a deployment name with a dot',
    manifest: (c) => deployment(c, 'hostile.dot'),
    expect: rejected(
      /metadata\.name "hostile\.dot" cannot be the name of the VVP deployment.*set spec\.metadata\.name/,
    ),
  },
  {
    title: 'a deployment name longer than a DNS label',
    manifest: (c) => deployment(c, 'd'.repeat(100)),
    expect: rejected(/cannot be the name of the VVP deployment.*at most 63 characters/),
  },
  {
    title: 'a VVP deployment name with upper case and underscores',
    manifest: deploymentWith('upper-vvp-name', 'metadata.name', 'Hostile_Name'),
    expect: rejected(/spec\.metadata\.name: .*"Hostile_Name" must be a DNS label/),
  },
  {
    title: 'a VVP deployment name of 64 characters',
    manifest: deploymentWith('long-vvp-name', 'metadata.name', 'a'.repeat(64)),
    expect: rejected(/spec\.metadata\.name: Too long: may not be (longer|more) than 63/),
  },
  {
    title: 'a unicode VVP deployment name',
    manifest: deploymentWith('unicode-vvp-name', 'metadata.name', 'déploiement-流'),
    expect: rejected(/spec\.metadata\.name: .*"déploiement-流" must be a DNS label/),
  },
  {
    title: 'a unicode VVP namespace',
    manifest: deploymentWith('unicode-vvp-namespace', 'metadata.namespace', 'équipe'),
    expect: rejected(/spec\.metadata\.namespace: .*"équipe" must be a DNS label/),
  },
  {
    title: 'an emoji deployment target name',
    manifest: (c) =>
      target(c, 'emoji-target', (spec) => {
        at(spec, 'metadata').name = 'rocket-🚀';
      }),
    expect: rejected(/spec\.metadata\.name: .*"rocket-🚀" must be at most 250 letters, digits/),
  },
  {
    title: 'a deployment target name of 251 characters',
    manifest: (c) =>
      target(c, 'long-target-name', (spec) => {
        at(spec, 'metadata').name = 't'.repeat(251);
      }),
    expect: rejected(/spec\.metadata\.name: Too long: may not be (longer|more) than 250/),
  },
  {
    title: 'a Flink Kubernetes namespace that is not a DNS label',
    manifest: (c) =>
      target(c, 'bad-flink-namespace', (spec) => {
        at(spec, 'spec', 'kubernetes').namespace = 'Flink_Jobs';
      }),
    expect: rejected(/spec\.spec\.kubernetes\.namespace: .*"Flink_Jobs" must be a DNS label/),
  },
  {
    title: 'a VpNamespace name with a dot',
    manifest: (c) => vpNamespace(`hostile.${c.runId}`),
    expect: rejected(/metadata\.name "hostile\.[^"]*" is not a valid VVP namespace name/),
  },
  // ---- unknown enum values, wrong types
  {
    title: 'an unknown desired state',
    manifest: deploymentWith('paused-state', 'spec.state', 'PAUSED'),
    expect: rejected(/spec\.spec\.state: Unsupported value: "PAUSED": supported values: "RUNNING"/),
  },
  {
    title: 'an empty desired state',
    manifest: deploymentWith('empty-state', 'spec.state', ''),
    expect: rejected(/spec\.spec\.state: Unsupported value: ""/),
  },
  {
    title: 'a desired state that is a number',
    manifest: deploymentWith('numeric-state', 'spec.state', 7),
    expect: rejected(
      /spec\.spec\.state: Invalid value: "integer": spec\.spec\.state in body must be of type string/,
    ),
  },
  {
    title: 'an unknown deletion policy',
    manifest: deploymentWith('never-delete', 'deletionPolicy', 'Never'),
    expect: rejected(/spec\.deletionPolicy: Unsupported value: "Never"/),
  },
  {
    title: "a savepoint with VpDeployment's extra deletion policy",
    manifest: (c) =>
      savepoint(c, 'savepoint-then-delete', {
        deploymentRef: { name: 'anything' },
        deletionPolicy: 'SavepointThenDelete',
      }),
    expect: rejected(
      /spec\.deletionPolicy: Unsupported value: "SavepointThenDelete": supported values: "Delete", "Orphan"/,
    ),
  },
  {
    title: 'an unknown syncing mode',
    manifest: deploymentWith('merge-mode', 'syncingMode', 'MERGE'),
    expect: rejected(/spec\.syncingMode: Unsupported value: "MERGE"/),
  },
  {
    title: 'an unknown artifact kind',
    manifest: deploymentWith('python-artifact', 'spec.template.spec.artifact.kind', 'PYTHON'),
    expect: rejected(/spec\.spec\.template\.spec\.artifact\.kind: Unsupported value: "PYTHON"/),
  },
  {
    title: 'an unknown role in a role binding',
    manifest: (c) =>
      vpNamespace(`hostile-role-${c.runId}`, {
        roleBindings: [{ role: 'superuser', members: ['user:mallory'] }],
      }),
    expect: rejected(/spec\.roleBindings\[0\]\.role: Unsupported value: "superuser"/),
  },
  {
    title: 'parallelism as text',
    manifest: deploymentWith('text-parallelism', 'spec.template.spec.parallelism', 'two'),
    expect: rejected(
      /spec\.spec\.template\.spec\.parallelism: Invalid value: "string": .*must be of type integer/,
    ),
  },
  {
    title: 'a fractional parallelism',
    manifest: deploymentWith('fractional-parallelism', 'spec.template.spec.parallelism', 1.5),
    expect: rejected(
      /spec\.spec\.template\.spec\.parallelism: Invalid value: "number": .*must be of type integer/,
    ),
  },
  {
    title: 'a savepoint nonce as text',
    manifest: deploymentWith('text-nonce', 'savepointNonce', 'abc'),
    expect: rejected(/spec\.savepointNonce: Invalid value: "string": .*must be of type integer/),
  },
  {
    title: 'a fractional restart nonce',
    manifest: deploymentWith('fractional-nonce', 'restartNonce', 1.5),
    expect: rejected(/spec\.restartNonce: Invalid value: "number": .*must be of type integer/),
  },
  {
    title: 'a backoff limit as text',
    manifest: (c) =>
      savepoint(c, 'text-backoff', { deploymentRef: { name: 'anything' }, backoffLimit: 'three' }),
    expect: rejected(/spec\.backoffLimit: Invalid value: "string": .*must be of type integer/),
  },
  {
    title: 'a label value that is a number',
    manifest: deploymentWith('numeric-label', 'metadata.labels.app', 5),
    expect: rejected(
      /spec\.metadata\.labels\.app: Invalid value: "integer": .*must be of type string/,
    ),
  },
  {
    title: 'spec as a string',
    manifest: (c) => ({ ...target(c, 'string-spec'), spec: 'everything, please' }),
    expect: rejected(/spec: Invalid value: "string": spec in body must be of type object/),
  },
  // ---- negative and zero numbers
  {
    title: 'a negative parallelism',
    manifest: deploymentWith('negative-parallelism', 'spec.template.spec.parallelism', -3),
    expect: rejected(
      /spec\.spec\.template\.spec\.parallelism: Invalid value: -3: .*greater than or equal to 1/,
    ),
  },
  {
    title: 'zero task managers',
    manifest: deploymentWith('zero-taskmanagers', 'spec.template.spec.numberOfTaskManagers', 0),
    expect: rejected(
      /spec\.spec\.template\.spec\.numberOfTaskManagers: Invalid value: 0: .*greater than or equal to 1/,
    ),
  },
  {
    title: 'a negative CPU',
    manifest: deploymentWith('negative-cpu', 'spec.template.spec.resources.taskmanager.cpu', -1),
    expect: rejected(/spec\.spec\.template\.spec\.resources\.taskmanager\.cpu: Invalid value: -1/),
  },
  {
    title: 'a negative memory size',
    manifest: deploymentWith(
      'negative-memory',
      'spec.template.spec.resources.jobmanager.memory',
      '-1g',
    ),
    expect: rejected(
      /spec\.spec\.template\.spec\.resources\.jobmanager\.memory: .*"-1g" is not a Flink memory size/,
    ),
  },
  {
    title: 'zero job creation attempts',
    manifest: deploymentWith('zero-attempts', 'spec.maxJobCreationAttempts', 0),
    expect: rejected(
      /spec\.spec\.maxJobCreationAttempts: Invalid value: 0: .*greater than or equal to 1/,
    ),
  },
  {
    title: 'a backoff limit above the maximum',
    manifest: (c) =>
      savepoint(c, 'huge-backoff', { deploymentRef: { name: 'anything' }, backoffLimit: 1000 }),
    expect: rejected(/spec\.backoffLimit: Invalid value: 1000: .*less than or equal to 100/),
  },
  // ---- empty objects, missing parts
  {
    title: 'a deployment with an empty spec',
    manifest: (c) => ({ ...deployment(c, 'empty-spec'), spec: {} }),
    expect: rejected(/spec\.spec: Required value/),
  },
  {
    title: 'a deployment target without a spec',
    manifest: (c) => {
      const manifest: Manifest = target(c, 'no-spec');
      delete manifest.spec;
      return manifest;
    },
    expect: rejected(/spec: Required value/),
  },
  {
    title: 'a savepoint with an empty spec (no deployment named)',
    manifest: (c) => savepoint(c, 'empty-savepoint', {}),
    expect: rejected(
      /spec\.deploymentRef: Required value: name the deployment: set spec\.deploymentRef/,
    ),
  },
  {
    title: 'an empty token Secret name',
    manifest: deploymentWith('empty-secret-name', 'apiTokenSecretRef', { name: '' }),
    expect: rejected(/spec\.apiTokenSecretRef\.name: Invalid value: "": .*at least 1 chars long/),
  },
  {
    title: 'a role binding without members',
    manifest: (c) =>
      vpNamespace(`hostile-members-${c.runId}`, {
        roleBindings: [{ role: 'viewer', members: [] }],
      }),
    expect: rejected(/spec\.roleBindings\[0\]\.members: Invalid value: 0: .*at least 1 items/),
  },
  {
    title: 'an empty savepoint location',
    manifest: (c) =>
      savepoint(c, 'empty-location', {
        deploymentRef: { name: 'anything' },
        spec: { savepointLocation: '' },
      }),
    expect: rejected(/spec\.spec\.savepointLocation: Invalid value: "": .*at least 1 chars long/),
  },
  // ---- duplicate keys and entries
  {
    title: 'duplicate keys sent to the API server',
    manifest: (c) =>
      `{"apiVersion":"${API_VERSION}","kind":"VpDeploymentTarget",` +
      `"metadata":{"name":"duplicate-keys","namespace":"${c.namespace}"},` +
      '"spec":{"deletionPolicy":"Orphan","deletionPolicy":"Delete","spec":{"kubernetes":{}}}}',
    rawCreate: (c) =>
      `/apis/${API_VERSION}/namespaces/${c.namespace}/vpdeploymenttargets?fieldValidation=Strict`,
    expect: rejected(/duplicate field "spec\.deletionPolicy"/),
  },
  {
    title: 'duplicate keys in YAML given to kubectl (its reader keeps the last one)',
    manifest: (c) =>
      [
        `apiVersion: ${API_VERSION}`,
        'kind: VpDeploymentTarget',
        'metadata:',
        '  name: duplicate-yaml-keys',
        `  namespace: ${c.namespace}`,
        'spec:',
        '  deletionPolicy: Orphan',
        '  deletionPolicy: Delete',
        '  spec:',
        '    kubernetes: {}',
        '',
      ].join('\n'),
    watch: (c) => ({
      plural: 'vpdeploymenttargets',
      name: 'duplicate-yaml-keys',
      namespace: c.namespace,
    }),
    expect: { outcome: 'accepted' },
  },
  {
    title: 'two role bindings for one role',
    manifest: (c) =>
      vpNamespace(`hostile-twice-${c.runId}`, {
        roleBindings: [
          { role: 'owner', members: ['user:alice'] },
          { role: 'owner', members: ['user:mallory'] },
        ],
      }),
    expect: rejected(/spec\.roleBindings\[1\]: Duplicate value: .*"role":"owner"/),
  },
  {
    title: 'a role binding listing a member twice',
    manifest: (c) =>
      vpNamespace(`hostile-member-twice-${c.runId}`, {
        roleBindings: [{ role: 'viewer', members: ['user:bob', 'user:bob'] }],
      }),
    expect: rejected(/spec\.roleBindings\[0\]\.members\[1\]: Duplicate value: "user:bob"/),
  },
  // ---- conflicting and out-of-reach references
  {
    title: 'a target reference into another Kubernetes namespace',
    manifest: (c) =>
      deploymentWith('cross-namespace-target', 'deploymentTargetRef', {
        name: c.goodTarget,
        namespace: 'kube-system',
      })(c),
    expect: rejected(/unknown field "spec\.deploymentTargetRef\.namespace"/),
  },
  {
    title: 'a target reference and a target id at once',
    manifest: deploymentWith('ref-and-id', 'spec.deploymentTargetId', RANDOM_UUID),
    expect: rejected(/spec\.deploymentTargetRef: Invalid value: .*name the deployment target once/),
  },
  {
    title: 'a savepoint naming its deployment twice',
    manifest: (c) =>
      savepoint(c, 'two-deployments', {
        deploymentRef: { name: 'anything' },
        metadata: { deploymentId: RANDOM_UUID },
      }),
    expect: rejected(
      /spec\.deploymentRef: Invalid value: .*set spec\.deploymentRef or spec\.metadata\.deploymentId, not both/,
    ),
  },
  {
    title: 'a savepoint of a deployment id that is not a UUID',
    manifest: (c) =>
      savepoint(c, 'not-a-uuid', { metadata: { deploymentId: '1; DROP TABLE deployments; --' } }),
    expect: rejected(/spec\.metadata\.deploymentId: Invalid value: .*must be of type uuid/),
  },
  {
    title: 'an imported savepoint id that is not a UUID',
    manifest: (c) => savepoint(c, 'import-not-a-uuid', { metadata: { id: '../../etc/passwd' } }),
    expect: rejected(/spec\.metadata\.id: Invalid value: .*must be of type uuid/),
  },
  {
    title: 'initFields with syncingMode PUT',
    manifest: (c) =>
      deployment(c, 'init-with-put', (spec) => {
        spec.syncingMode = 'PUT';
        spec.initFields = { spec: { maxJobCreationAttempts: 2 } };
      }),
    expect: rejected(
      /spec\.initFields: Forbidden: initFields is only allowed with syncingMode PATCH/,
    ),
  },
  {
    title: 'an unknown field',
    manifest: deploymentWith('unknown-field', 'privileged', true),
    expect: rejected(/unknown field "spec\.privileged"/),
  },
  // ---- huge and deep
  {
    title: 'a label map with 65 labels',
    manifest: (c) =>
      deployment(c, 'many-labels', (spec) => {
        at(spec, 'metadata').labels = Object.fromEntries(
          Array.from({ length: 65 }, (_, index) => [`label-${index}`, 'x']),
        );
      }),
    expect: rejected(/spec\.metadata\.labels: Too many: 65: must have at most 64 items/),
  },
  {
    title: "a label in the operator's reserved prefix",
    manifest: (c) =>
      deployment(c, 'reserved-label', (spec) => {
        at(spec, 'metadata', 'labels')['vpoperator.dev/owner-uid'] = 'stolen';
      }),
    expect: rejected(
      /spec\.metadata\.labels: Invalid value: .*label keys starting with "vpoperator\.dev\/" are set by the operator; remove them/,
    ),
  },
  {
    title: 'a display name of 100,000 characters',
    manifest: deploymentWith('huge-display-name', 'metadata.displayName', 'x'.repeat(100_000)),
    expect: rejected(/spec\.metadata\.displayName: Too long: may not be (longer|more) than 1024/),
  },
  {
    title: 'a 4 MB annotation value (beyond what the API server takes)',
    manifest: deploymentWith(
      'huge-annotation',
      'metadata.annotations.blob',
      'y'.repeat(4 * 1024 * 1024),
    ),
    expect: rejected(/[Rr]equest entity too large|too large|Too long/),
  },
  {
    title: 'a nested object where a string annotation belongs',
    manifest: deploymentWith('nested-annotation', 'metadata.annotations.deep', nested(50)),
    // The API server's strict decoding names the field, though as an unknown one.
    expect: rejected(/unknown field "spec\.metadata\.annotations\.deep\.n"/),
  },
  // ---- accepted, then reported in a condition
  {
    title: 'a target reference to a VpDeploymentTarget that does not exist',
    manifest: deploymentWith('missing-target', 'deploymentTargetRef', { name: 'no-such-target' }),
    expect: reported(
      'Synced',
      'DependencyNotReady',
      /no-such-target.*spec\.deploymentTargetRef|spec\.deploymentTargetRef.*no-such-target/,
    ),
  },
  {
    title: 'a VVP deployment target name VVP does not know',
    manifest: (c) =>
      deployment(c, 'unknown-target-name', (spec) => {
        delete spec.deploymentTargetRef;
        at(spec, 'spec').deploymentTargetName = 'no-such-vvp-target';
      }),
    expect: reported('Synced', 'InvalidSpec', /no-such-vvp-target/),
  },
  {
    title: 'a VVP deployment target id VVP does not know',
    manifest: (c) =>
      deployment(c, 'unknown-target-id', (spec) => {
        delete spec.deploymentTargetRef;
        at(spec, 'spec').deploymentTargetId = RANDOM_UUID;
      }),
    expect: reported('Synced', 'InvalidSpec', new RegExp(RANDOM_UUID)),
  },
  {
    title: 'a VVP namespace that does not exist',
    manifest: (c) =>
      deployment(c, 'missing-vvp-namespace', (spec) => {
        delete spec.deploymentTargetRef;
        at(spec, 'metadata').namespace = 'hostile-nowhere';
      }),
    expect: reported('Synced', 'TokenUnavailable', /VVP namespace hostile-nowhere does not exist/),
  },
  {
    title: 'a token Secret that does not exist',
    manifest: deploymentWith('missing-token-secret', 'apiTokenSecretRef', {
      name: 'no-such-secret',
    }),
    expect: reported('Synced', 'TokenUnavailable', /no-such-secret/),
  },
  {
    title: 'a savepoint of a foreign deployment in another VVP namespace',
    manifest: (c) =>
      savepoint(c, 'foreign-elsewhere', { metadata: { deploymentId: c.foreign.deploymentId } }),
    expect: reported(
      'Synced',
      'InvalidSpec',
      /trigger a savepoint in VVP namespace "default": metadata\.deploymentId: deployment [0-9a-f-]+ not found in namespace 'default'\. Correct the spec/,
    ),
  },
  {
    title: 'a savepoint of a foreign deployment that is not running',
    manifest: (c) =>
      savepoint(c, 'foreign-cancelled', {
        metadata: { namespace: c.foreign.vvpNamespace, deploymentId: c.foreign.deploymentId },
      }),
    expect: reported('Synced', 'DependencyNotReady', /needs a RUNNING deployment/, true),
  },
  {
    title: 'the import of a savepoint id VVP does not know',
    manifest: (c) => savepoint(c, 'import-missing', { metadata: { id: RANDOM_UUID } }),
    expect: reported(
      'Synced',
      'NotFound',
      new RegExp(`${RANDOM_UUID}.*(does not|no longer) exist`),
    ),
  },
  {
    title: 'a savepoint of a VpDeployment that does not exist',
    manifest: (c) =>
      savepoint(c, 'missing-deployment', { deploymentRef: { name: 'no-such-deployment' } }),
    expect: reported(
      'Synced',
      'DependencyNotReady',
      /VpDeployment "no-such-deployment" \(spec\.deploymentRef\) does not exist/,
    ),
  },
  {
    title: 'a deployment named like a foreign VVP deployment',
    manifest: (c) => deployment(c, c.foreign.defaultDeployments[0]),
    expect: reported('Synced', 'AlreadyExists', /vpoperator\.dev\/adopt/),
  },
  {
    title: 'a foreign name with an adopt annotation that is not "true"',
    manifest: (c) => {
      const manifest = deployment(c, c.foreign.defaultDeployments[1]);
      return {
        ...manifest,
        metadata: { ...manifest.metadata, annotations: { 'vpoperator.dev/adopt': 'yes please' } },
      };
    },
    expect: reported('Synced', 'AlreadyExists', /vpoperator\.dev\/adopt/),
  },
  {
    title: 'a deployment target named like a foreign VVP target',
    manifest: (c) => target(c, c.foreign.defaultTarget),
    expect: reported('Synced', 'AlreadyExists', /vpoperator\.dev\/adopt/),
  },
  {
    title: 'a deployment claiming the VVP name another VpDeployment owns',
    manifest: deploymentWith('twin-claimant', 'metadata.name', 'hostile-original'),
    expect: reported('Synced', 'AlreadyExists', /hostile-original/),
  },
  {
    title: 'a nested object as a Flink configuration value',
    manifest: deploymentWith('nested-flink-config', 'spec.template.spec.flinkConfiguration', {
      'state.backend': nested(40),
    }),
    expect: reported('Synced', 'InvalidSpec', /flinkConfiguration.*state\.backend/),
  },
  {
    title: 'a field VVP does not know in initFields',
    manifest: deploymentWith('unknown-init-field', 'initFields', { spec: { selfDestruct: true } }),
    expect: reported('Synced', 'InvalidSpec', /selfDestruct/),
  },
  {
    title: 'a wrong type in initFields',
    manifest: deploymentWith('wrong-type-init', 'initFields', {
      spec: { maxJobCreationAttempts: 'many' },
    }),
    expect: reported('Synced', 'InvalidSpec', /maxJobCreationAttempts/),
  },
  {
    title: 'deeply nested initFields',
    manifest: deploymentWith('deep-init-fields', 'initFields', {
      metadata: { annotations: { deep: nested(60) } },
    }),
    expect: reported('Synced', 'InvalidSpec', /annotations/),
  },
  // ---- hostile-looking but valid
  {
    title: 'the deployment whose VVP name another one claims',
    manifest: (c) => deployment(c, 'hostile-original'),
    expect: { outcome: 'accepted' },
  },
  {
    title: 'unicode display name, label values and annotations',
    manifest: (c) =>
      deployment(c, 'unicode-metadata', (spec) => {
        at(spec, 'metadata').displayName = '流处理 🚀 Ünïcödé — "quoted" \\ back\\slash';
        at(spec, 'metadata').annotations = {
          note: '✓ 日本語 \u0000-free, <script>alert(1)</script>',
        };
      }),
    expect: { outcome: 'accepted' },
  },
  {
    title: 'an invalid duration in the Flink configuration (VVP hands it to Flink as is)',
    manifest: (c) =>
      deployment(c, 'invalid-duration', (spec) => {
        templateSpec(spec).flinkConfiguration = {
          'execution.checkpointing.interval': 'ten seconds',
        };
      }),
    expect: { outcome: 'accepted' },
  },
  {
    title: 'a Flink configuration of 500 keys and 100 kB',
    manifest: (c) =>
      deployment(c, 'huge-flink-config', (spec) => {
        templateSpec(spec).flinkConfiguration = Object.fromEntries(
          Array.from({ length: 500 }, (_, index) => [`hostile.key.${index}`, 'v'.repeat(200)]),
        );
      }),
    expect: { outcome: 'accepted' },
  },
  {
    title: 'a label map of exactly 64 labels',
    manifest: (c) =>
      deployment(c, 'sixty-four-labels', (spec) => {
        at(spec, 'metadata').labels = Object.fromEntries(
          Array.from({ length: 64 }, (_, index) => [`label-${index}`, 'x']),
        );
      }),
    expect: { outcome: 'accepted' },
  },
];
