/**
 * From the earlier operators' objects to ours. Two sources:
 *
 * - the fintechstudios Go operator (`ververicaplatform.fintechstudios.com`, v1beta1 and
 *   v1beta2): VpNamespace (namespaced there, cluster-scoped here), VpDeploymentTarget,
 *   VpDeployment, VpSavepoint, with VVP's ids cached in `ververicaplatform.fintechstudios.com/*`
 *   annotations;
 * - Ververica's own operator (`ververica.platform/v1` VvpDeployment), whose `spec.deployment`
 *   holds a VVP deployment's metadata and spec.
 *
 * Every converted object carries `vpoperator.dev/adopt: "true"` (savepoints with a VVP id
 * become imports), so the operator takes over what exists in VVP instead of creating it again:
 * no job restarts. Every input field is either carried over or listed with the reason.
 */
import {
  ANNOTATION_ADOPT,
  API_GROUP,
  API_VERSION,
  LABEL_INSTANCE,
  VP_DEPLOYMENT,
  VP_DEPLOYMENT_TARGET,
  VP_NAMESPACE,
  VP_SAVEPOINT,
} from '../api';
import { isJsonObject, type Json, type JsonObject } from '../json';
import { SourceFields, formatPath, type DroppedField } from './source-fields';

export const FINTECHSTUDIOS_GROUP = 'ververicaplatform.fintechstudios.com';
export const FINTECHSTUDIOS_VERSIONS = ['v1beta1', 'v1beta2'] as const;
export const VERVERICA_API_VERSION = 'ververica.platform/v1';
const FINTECHSTUDIOS_ANNOTATION = `${FINTECHSTUDIOS_GROUP}/`;
const VERVERICA_OWNER_LABEL = 'ververica.platform/owner';
const VERVERICA_TOKEN_ANNOTATION = 'apikeySecretName';

/** One object of the input, and where it came from (for messages). */
export interface SourceObject {
  /** A file name, or `cluster` for objects read from the API server. */
  file: string;
  /** 1-based document index in the file; 0 for the file as a whole. */
  index: number;
  /** 1-based position in the `items` of a `kind: List` document. */
  item?: number;
  object: JsonObject;
}

/** One converted object. */
export interface Conversion {
  source: SourceObject;
  /** `fintechstudios VpDeployment team-a/orders`, for messages. */
  from: string;
  output: JsonObject;
  dropped: DroppedField[];
  /** What the user should know about the result (not a loss), e.g. an import. */
  notes: string[];
  /** Subtrees copied as a whole: output path prefix → input path prefix, to report input paths. */
  copies: { from: string; to: string }[];
}

/** Input the converter cannot read: names file, document and field. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';

  constructor(
    source: Pick<SourceObject, 'file' | 'index' | 'item'>,
    field: string,
    message: string,
  ) {
    super(`${describeSource(source)}: ${field}: ${message}`);
  }
}

/** `objects.yaml: document 2, item 3`. */
export function describeSource(source: Pick<SourceObject, 'file' | 'index' | 'item'>): string {
  if (source.index === 0) return source.file;
  const item = source.item === undefined ? '' : `, item ${source.item}`;
  return `${source.file}: document ${source.index}${item}`;
}

export interface ConvertOptions {
  /** Labels every output object `vpoperator.dev/instance: <id>` (the manager's --instance-id). */
  instanceId?: string | undefined;
  /** `namespace/name` of the fintechstudios VpDeploymentTargets being converted alongside. */
  targets?: ReadonlySet<string>;
}

/** Converts every input object; the first unreadable one throws InvalidInputError. */
export function convertAll(
  sources: readonly SourceObject[],
  options: ConvertOptions = {},
): Conversion[] {
  const targets = new Set(
    sources
      .filter(
        ({ object }) =>
          object.kind === 'VpDeploymentTarget' &&
          typeof object.apiVersion === 'string' &&
          object.apiVersion.startsWith(`${FINTECHSTUDIOS_GROUP}/`),
      )
      .map(({ object }) => {
        const metadata = isJsonObject(object.metadata) ? object.metadata : {};
        return `${textOf(metadata.namespace)}/${textOf(metadata.name)}`;
      }),
  );
  return sources.map((source) => convertOne(source, { targets, ...options }));
}

function convertOne(source: SourceObject, options: ConvertOptions): Conversion {
  const { object } = source;
  const apiVersion = object.apiVersion;
  const kind = object.kind;
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    throw new InvalidInputError(source, 'apiVersion', 'missing: not a Kubernetes object');
  }
  if (typeof kind !== 'string' || kind === '') {
    throw new InvalidInputError(source, 'kind', 'missing: not a Kubernetes object');
  }
  const name =
    object.metadata !== undefined && isJsonObject(object.metadata)
      ? object.metadata.name
      : undefined;
  if (typeof name !== 'string' || name === '') {
    throw new InvalidInputError(source, 'metadata.name', 'missing');
  }
  const [group, version] = apiVersion.split('/');
  const fields = new SourceFields(object);
  const context = new Context(source, fields, options);
  if (group === FINTECHSTUDIOS_GROUP) {
    if (!(FINTECHSTUDIOS_VERSIONS as readonly (string | undefined)[]).includes(version)) {
      throw new InvalidInputError(
        source,
        'apiVersion',
        `${apiVersion}: the converter reads ${FINTECHSTUDIOS_VERSIONS.map((v) => `${FINTECHSTUDIOS_GROUP}/${v}`).join(' and ')}`,
      );
    }
    switch (kind) {
      case 'VpNamespace':
        return context.finish('fintechstudios', fromFintechNamespace(context));
      case 'VpDeploymentTarget':
        return context.finish('fintechstudios', fromFintechTarget(context));
      case 'VpDeployment':
        return context.finish('fintechstudios', fromFintechDeployment(context));
      case 'VpSavepoint':
        return context.finish('fintechstudios', fromFintechSavepoint(context));
      default:
        throw new InvalidInputError(
          source,
          'kind',
          `${kind} is not a kind of ${FINTECHSTUDIOS_GROUP} (VpNamespace, VpDeploymentTarget, VpDeployment, VpSavepoint)`,
        );
    }
  }
  if (apiVersion === VERVERICA_API_VERSION && kind === 'VvpDeployment') {
    return context.finish('Ververica', fromVervericaDeployment(context));
  }
  throw new InvalidInputError(
    source,
    'kind',
    `${apiVersion} ${kind} is not an object the converter reads (${FINTECHSTUDIOS_GROUP} Vp* kinds, ${VERVERICA_API_VERSION} VvpDeployment)`,
  );
}

/** What one conversion collects while it runs. */
class Context {
  readonly notes: string[] = [];
  readonly copies: { from: string; to: string }[] = [];

  constructor(
    readonly source: SourceObject,
    readonly fields: SourceFields,
    readonly options: ConvertOptions,
  ) {}

  /** Copies the input subtree at `from` as a whole, remembering where it went for messages. */
  copy(from: (string | number)[], to: (string | number)[]): Json | undefined {
    const value = this.fields.take(...from);
    if (value !== undefined) this.copies.push({ from: formatPath(from), to: formatPath(to) });
    return value === undefined ? undefined : structuredClone(value);
  }

  /** `metadata` of an output object: name, Kubernetes namespace, labels, adopt annotation. */
  metadata(options: { namespaced: boolean; adopt: boolean; name?: string }): JsonObject {
    const { fields } = this;
    const name = options.name ?? fields.takeString('metadata', 'name') ?? '';
    const namespace = fields.takeString('metadata', 'namespace');
    if (!options.namespaced && namespace !== undefined) {
      this.notes.push(
        `VpNamespace is cluster-scoped in vp-operator: Kubernetes namespace "${namespace}" is not kept (the VVP namespace is "${name}").`,
      );
    }
    const labels: JsonObject = {};
    const inputLabels = fields.peek('metadata', 'labels');
    if (isJsonObject(inputLabels)) {
      for (const [key, value] of Object.entries(inputLabels)) {
        if (key === VERVERICA_OWNER_LABEL) {
          fields.drop(
            ['metadata', 'labels', key],
            `the Ververica operator's instanceId; vp-operator selects its objects by the ${LABEL_INSTANCE} label (--instance-id here and in the manager)`,
          );
        } else if (typeof value === 'string') {
          fields.take('metadata', 'labels', key);
          labels[key] = value;
        }
      }
    }
    if (this.options.instanceId !== undefined) labels[LABEL_INSTANCE] = this.options.instanceId;
    const annotations: JsonObject = {};
    const inputAnnotations = fields.peek('metadata', 'annotations');
    if (isJsonObject(inputAnnotations)) {
      for (const [key, value] of Object.entries(inputAnnotations)) {
        if (key.startsWith(FINTECHSTUDIOS_ANNOTATION) || key === VERVERICA_TOKEN_ANNOTATION)
          continue;
        if (typeof value === 'string') {
          fields.take('metadata', 'annotations', key);
          annotations[key] = value;
        }
      }
    }
    if (options.adopt) annotations[ANNOTATION_ADOPT] = 'true';
    fields.drop(
      ['metadata', 'finalizers'],
      "the earlier operator's finalizers; vp-operator adds its own (remove theirs from the old objects before deleting them, see docs/migration.md)",
    );
    fields.drop(['metadata', 'ownerReferences'], 'they name objects of the earlier operator');
    fields.drop(['status'], 'observed state: vp-operator reads it from VVP');
    return {
      name,
      ...(options.namespaced && namespace !== undefined ? { namespace } : {}),
      ...(Object.keys(labels).length === 0 ? {} : { labels }),
      ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
    };
  }

  /**
   * The fintechstudios operator's `ververicaplatform.fintechstudios.com/*` annotations: VVP
   * ids and versions it cached, which vp-operator keeps in status and finds again itself.
   */
  dropFintechAnnotations(carried: readonly string[] = []): void {
    const annotations = this.fields.peek('metadata', 'annotations');
    if (!isJsonObject(annotations)) return;
    for (const key of Object.keys(annotations)) {
      if (!key.startsWith(FINTECHSTUDIOS_ANNOTATION)) continue;
      const suffix = key.slice(FINTECHSTUDIOS_ANNOTATION.length);
      if (carried.includes(suffix)) {
        this.fields.take('metadata', 'annotations', key);
        continue;
      }
      this.fields.drop(['metadata', 'annotations', key], fintechAnnotationReason(suffix));
    }
  }

  finish(origin: 'fintechstudios' | 'Ververica', output: JsonObject): Conversion {
    const metadata = isJsonObject(this.source.object.metadata) ? this.source.object.metadata : {};
    const where = typeof metadata.namespace === 'string' ? `${metadata.namespace}/` : '';
    return {
      source: this.source,
      from: `${origin} ${textOf(this.source.object.kind)} ${where}${textOf(metadata.name)}`,
      output,
      dropped: this.fields.droppedFields(),
      notes: this.notes,
      copies: this.copies,
    };
  }
}

/** A string member as text; anything else as empty text. */
export function textOf(value: Json | undefined): string {
  return typeof value === 'string' ? value : '';
}

/** Why a `ververicaplatform.fintechstudios.com/<suffix>` annotation is not carried over. */
function fintechAnnotationReason(suffix: string): string {
  if (suffix.startsWith('v1beta2.')) {
    return 'v1beta2 data their conversion webhook kept in a v1beta1 object: convert the v1beta2 version of the object instead (kubectl get <plural>.v1beta2.ververicaplatform.fintechstudios.com -o yaml)';
  }
  if (suffix === 'last-event-timestamp') {
    return "the earlier operator's event-mirroring cursor; vp-operator mirrors VVP events by id and, on adoption, starts from the recent ones";
  }
  return `VVP ${suffix} cached by the earlier operator; vp-operator finds the VVP object by name when it adopts it and keeps ids in status`;
}

function ours(kind: string, metadata: JsonObject, spec: JsonObject): JsonObject {
  return { apiVersion: `${API_GROUP}/${API_VERSION}`, kind, metadata, spec };
}

/** VVP metadata (`spec.metadata` there and here): namespace, labels, annotations. */
function vvpMetadata(context: Context, from: string[], keys: readonly string[]): JsonObject {
  const metadata: JsonObject = {};
  for (const key of keys) {
    const value = context.copy([...from, key], ['spec', 'metadata', key]);
    if (value !== undefined && value !== '') metadata[key] = value;
  }
  return metadata;
}

function fromFintechNamespace(context: Context): JsonObject {
  context.dropFintechAnnotations();
  const metadata = context.metadata({ namespaced: false, adopt: true });
  const roleBindings = context.copy(['spec', 'roleBindings'], ['spec', 'roleBindings']);
  return ours(VP_NAMESPACE.kind, metadata, roleBindings === undefined ? {} : { roleBindings });
}

function fromFintechTarget(context: Context): JsonObject {
  context.dropFintechAnnotations();
  const { fields } = context;
  const metadata = context.metadata({ namespaced: true, adopt: true });
  fields.drop(
    ['spec', 'spec', 'deploymentPatchSet'],
    'deployment patch sets were removed in VVP 2.1; put pod settings into the deployments (spec.spec.template.spec.kubernetes)',
  );
  const kubernetes = context.copy(['spec', 'spec', 'kubernetes'], ['spec', 'spec', 'kubernetes']);
  return ours(VP_DEPLOYMENT_TARGET.kind, metadata, {
    metadata: vvpMetadata(context, ['spec', 'metadata'], ['namespace', 'labels', 'annotations']),
    spec: kubernetes === undefined ? {} : { kubernetes },
  });
}

function fromFintechDeployment(context: Context): JsonObject {
  const { fields } = context;
  context.dropFintechAnnotations();
  const metadata = context.metadata({ namespaced: true, adopt: true });
  const spec: JsonObject = {
    metadata: vvpMetadata(context, ['spec', 'metadata'], ['namespace', 'labels', 'annotations']),
  };
  fields.drop(
    ['spec', 'spec', 'startFromSavepoint'],
    'removed in VVP 2.1; spec.spec.restoreStrategy says where a job starts from',
  );
  const vvpSpec = context.copy(['spec', 'spec'], ['spec', 'spec']);
  if (isJsonObject(vvpSpec)) {
    delete vvpSpec.startFromSavepoint;
    convertCpuQuantities(context, vvpSpec);
    spec.spec = vvpSpec;
  }
  const targetName = fields.takeString('spec', 'deploymentTargetName');
  const targetId = isJsonObject(vvpSpec) ? vvpSpec.deploymentTargetId : undefined;
  if (targetName !== undefined && targetId !== undefined) {
    // Their operator used spec.spec.deploymentTargetId before the name; ours takes one of them.
    fields.drop(
      ['spec', 'deploymentTargetName'],
      'spec.spec.deploymentTargetId names the target already (the earlier operator preferred it too)',
    );
  } else if (targetName !== undefined) {
    const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : '';
    if (context.options.targets?.has(`${namespace}/${targetName}`) === true) {
      // Their VpDeploymentTarget's Kubernetes name is its VVP name, and it is converted under it.
      spec.deploymentTargetRef = { name: targetName };
    } else {
      const target = isJsonObject(spec.spec) ? spec.spec : (spec.spec = {});
      target.deploymentTargetName = targetName;
      context.notes.push(
        `No VpDeploymentTarget "${targetName}" in the input for namespace "${namespace}": the deployment names VVP's target directly (spec.spec.deploymentTargetName, VVP 2.4+); convert the target too to use spec.deploymentTargetRef.`,
      );
    }
  }
  return ours(VP_DEPLOYMENT.kind, metadata, spec);
}

function fromFintechSavepoint(context: Context): JsonObject {
  const { fields } = context;
  const annotations = fields.peek('metadata', 'annotations');
  const cachedId = isJsonObject(annotations)
    ? annotations[`${FINTECHSTUDIOS_ANNOTATION}id`]
    : undefined;
  const cachedDeploymentId = isJsonObject(annotations)
    ? annotations[`${FINTECHSTUDIOS_ANNOTATION}deployment-id`]
    : undefined;
  const id = typeof cachedId === 'string' && cachedId !== '' ? cachedId : undefined;
  // The id makes the VpSavepoint an import; the deployment id is VVP's own record of it.
  context.dropFintechAnnotations(id === undefined ? [] : ['id', 'deployment-id']);
  const metadata = context.metadata({ namespaced: true, adopt: false });
  const vvp: JsonObject = vvpMetadata(context, ['spec', 'metadata'], ['namespace', 'annotations']);
  fields.drop(
    ['spec', 'metadata', 'labels'],
    'VVP savepoints have no labels (the earlier operator never sent them)',
  );
  const deploymentName = fields.takeString('spec', 'deploymentName');
  if (deploymentName === undefined) {
    const deploymentId =
      fields.takeString('spec', 'metadata', 'deploymentId') ??
      (typeof cachedDeploymentId === 'string' && cachedDeploymentId !== ''
        ? cachedDeploymentId
        : undefined);
    if (deploymentId !== undefined) vvp.deploymentId = deploymentId;
  } else {
    fields.drop(
      ['metadata', 'annotations', `${FINTECHSTUDIOS_ANNOTATION}deployment-id`],
      'spec.deploymentRef names the deployment (from spec.deploymentName)',
    );
    fields.drop(
      ['spec', 'metadata', 'deploymentId'],
      'spec.deploymentRef names the deployment (from spec.deploymentName); vp-operator takes one of the two',
    );
  }
  for (const key of ['savepointLocation', 'flinkSavepointId']) {
    fields.drop(
      ['spec', 'spec', key],
      'never sent to VVP by the earlier operator; in vp-operator spec.spec.savepointLocation registers an existing savepoint instead of taking one',
    );
  }
  const spec: JsonObject = {};
  if (deploymentName !== undefined) spec.deploymentRef = { name: deploymentName };
  if (id !== undefined) {
    vvp.id = id;
    context.notes.push(
      `Imports VVP savepoint ${id} (spec.metadata.id): observed only, never triggered again.`,
    );
  } else {
    context.notes.push(
      'The earlier operator recorded no VVP id for this savepoint: vp-operator takes a new one when this object is applied.',
    );
  }
  spec.metadata = vvp;
  return ours(VP_SAVEPOINT.kind, metadata, spec);
}

function fromVervericaDeployment(context: Context): JsonObject {
  const { fields } = context;
  const k8sName = fields.takeString('metadata', 'name') ?? '';
  const vvpName = fields.takeString('spec', 'deployment', 'metadata', 'name');
  const metadata = context.metadata({ namespaced: true, adopt: true, name: k8sName });
  const vvp = vvpMetadata(
    context,
    ['spec', 'deployment', 'metadata'],
    ['namespace', 'displayName', 'labels', 'annotations'],
  );
  if (vvpName !== undefined && vvpName !== k8sName) vvp.name = vvpName;
  const spec: JsonObject = { metadata: vvp };
  const secret = fields.takeString('metadata', 'annotations', VERVERICA_TOKEN_ANNOTATION);
  if (secret !== undefined) {
    spec.apiTokenSecretRef = { name: secret };
    context.notes.push(
      `spec.apiTokenSecretRef names Secret ${secret} (from annotation ${VERVERICA_TOKEN_ANNOTATION}) with key "token": set spec.apiTokenSecretRef.key if the token is under another key.`,
    );
  }
  const syncingMode = fields.takeString('spec', 'syncingMode');
  if (syncingMode !== undefined) spec.syncingMode = syncingMode;
  for (const key of ['savepointNonce', 'restartNonce', 'initFields']) {
    const value = context.copy(['spec', key], ['spec', key]);
    if (value !== undefined) spec[key] = value;
  }
  const vvpSpec = context.copy(['spec', 'deployment', 'spec'], ['spec', 'spec']);
  if (isJsonObject(vvpSpec)) spec.spec = vvpSpec;
  return ours(VP_DEPLOYMENT.kind, metadata, spec);
}

/** A Kubernetes quantity (`500m`, `2`, `1.5`) as the number of CPUs our schema expects. */
export function cpuFromQuantity(quantity: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity.trim());
  if (match === null) return undefined;
  const value = Number(match[1]);
  return match[2] === 'm' ? value / 1000 : value;
}

/** Their CPU was a Kubernetes Quantity string; ours is a number of CPUs. */
function convertCpuQuantities(context: Context, vvpSpec: JsonObject): void {
  const template = vvpSpec.template;
  if (!isJsonObject(template) || !isJsonObject(template.spec)) return;
  const resources = template.spec.resources;
  if (!isJsonObject(resources)) return;
  for (const [component, resource] of Object.entries(resources)) {
    if (!isJsonObject(resource) || typeof resource.cpu !== 'string') continue;
    const cpu = cpuFromQuantity(resource.cpu);
    if (cpu === undefined) continue;
    context.notes.push(
      `spec.spec.template.spec.resources.${component}.cpu: quantity "${resource.cpu}" written as ${cpu} CPUs.`,
    );
    resource.cpu = cpu;
  }
}
