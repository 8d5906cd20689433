/**
 * Turns a kind's schemas into an `apiextensions.k8s.io/v1` CustomResourceDefinition. The
 * conversion copies only the keywords a structural schema may carry and fails, naming the
 * path, on any other: a keyword the API server would reject or silently ignore is a bug in
 * the schema, better found by the generator than by `kubectl apply`.
 */
import { API_GROUP, API_VERSION } from './constants';
import type { ResourceDescriptor } from '../controller';
import type { CelRule, TSchema } from './schema';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  /** 0: in `kubectl get`; 1: only in `kubectl get -o wide`. */
  priority?: 0 | 1;
}

export interface KindDefinition {
  resource: ResourceDescriptor;
  singular: string;
  shortNames: readonly string[];
  /** What one object stands for: the kind's `kubectl explain` text. */
  description: string;
  spec: TSchema;
  /** Whether an object without `spec` is accepted (the spec's defaults then apply). */
  specOptional?: boolean;
  status: TSchema;
  /** Rules on the whole object, for checks that read `metadata.name` next to the spec. */
  validations?: readonly CelRule[];
  printerColumns: readonly PrinterColumn[];
}

/** `kubectl get vp` lists every kind in this category. */
export const CATEGORY = 'vp';

/** Keywords of apiextensions/v1 `JSONSchemaProps` that our builders use. */
const STRUCTURAL_KEYWORDS = new Set([
  'type',
  'format',
  'description',
  'default',
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'x-kubernetes-validations',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
]);

/** TypeBox bookkeeping, meaningless to Kubernetes. (Its `Kind` and `Optional` are symbols.) */
const TYPEBOX_KEYWORDS = new Set(['$id', '$schema', 'static', 'params']);

export type JsonSchema = { [keyword: string]: JsonValue };
type JsonValue = string | number | boolean | null | JsonValue[] | JsonSchema;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toJson(value: unknown, path: string): JsonValue {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
    return value as string | number | boolean | null;
  }
  if (Array.isArray(value)) return value.map((item, index) => toJson(item, `${path}[${index}]`));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, member]) => [key, toJson(member, `${path}.${key}`)]),
    );
  }
  throw new Error(`${path}: ${typeof value} is not JSON`);
}

/**
 * The structural schema for `schema`, found at `path` (for error messages). A field (a
 * property, or the root) must have a description; list items and map values are documented
 * by their field.
 */
export function toStructural(schema: unknown, path: string, isField = true): JsonSchema {
  if (!isPlainObject(schema)) throw new Error(`${path}: a schema must be an object`);
  const result: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (TYPEBOX_KEYWORDS.has(keyword)) continue;
    if (!STRUCTURAL_KEYWORDS.has(keyword)) {
      throw new Error(
        `${path}: keyword "${keyword}" is not allowed in a Kubernetes structural schema`,
      );
    }
    if (keyword === 'properties') {
      if (!isPlainObject(value)) throw new Error(`${path}: properties must be an object`);
      result.properties = Object.fromEntries(
        Object.entries(value).map(([name, member]) => [
          name,
          toStructural(member, `${path}.${name}`),
        ]),
      );
    } else if (keyword === 'items' || (keyword === 'additionalProperties' && value !== true)) {
      result[keyword] = toStructural(
        value,
        keyword === 'items' ? `${path}[*]` : `${path}.*`,
        false,
      );
    } else {
      result[keyword] = toJson(value, `${path}.${keyword}`);
    }
  }
  const preservesUnknown = result['x-kubernetes-preserve-unknown-fields'] === true;
  if (result.type === undefined && !preservesUnknown) {
    throw new Error(`${path}: a structural schema needs a type`);
  }
  if (isField && (typeof result.description !== 'string' || result.description.trim() === '')) {
    throw new Error(`${path}: every field needs a description (kubectl explain shows it)`);
  }
  return result;
}

/** The plain-data CustomResourceDefinition of `kind`, ready to be written as YAML. */
export function customResourceDefinition(kind: KindDefinition): JsonSchema {
  const { resource } = kind;
  const root: JsonSchema = {
    type: 'object',
    description: kind.description,
    properties: {
      apiVersion: {
        type: 'string',
        description: `${API_GROUP}/${API_VERSION}.`,
      },
      kind: { type: 'string', description: `${resource.kind}.` },
      // The API server owns metadata's schema and refuses a CRD that says more than the type.
      metadata: { type: 'object' },
      spec: toStructural(kind.spec, 'spec'),
      status: toStructural(kind.status, 'status'),
    },
    ...(kind.specOptional === true ? {} : { required: ['spec'] }),
    ...(kind.validations === undefined
      ? {}
      : { 'x-kubernetes-validations': toJson(kind.validations, 'x-kubernetes-validations') }),
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${resource.plural}.${resource.group}` },
    spec: {
      group: resource.group,
      scope: resource.namespaced ? 'Namespaced' : 'Cluster',
      names: {
        kind: resource.kind,
        listKind: `${resource.kind}List`,
        plural: resource.plural,
        singular: kind.singular,
        shortNames: [...kind.shortNames],
        categories: [CATEGORY],
      },
      versions: [
        {
          name: resource.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: kind.printerColumns.map((column) => ({
            name: column.name,
            type: column.type,
            jsonPath: column.jsonPath,
            description: column.description,
            ...(column.priority === undefined ? {} : { priority: column.priority }),
          })),
          schema: { openAPIV3Schema: root },
        },
      ],
    },
  };
}

// Printer columns that answer "is it working?", shared by the kinds.
function conditionColumn(
  name: string,
  type: 'Ready' | 'Synced',
  member: 'status' | 'reason',
  description: string,
  priority?: 0 | 1,
): PrinterColumn {
  return {
    name,
    type: 'string',
    jsonPath: `.status.conditions[?(@.type=="${type}")].${member}`,
    description,
    ...(priority === undefined ? {} : { priority }),
  };
}

const READY_COLUMN = conditionColumn(
  'Ready',
  'Ready',
  'status',
  'Whether the VVP object is usable.',
);
const READY_REASON_COLUMN = conditionColumn(
  'Reason',
  'Ready',
  'reason',
  'Why the object is or is not ready.',
);
const SYNCED_COLUMN = conditionColumn(
  'Synced',
  'Synced',
  'status',
  'Whether the last reconcile with VVP succeeded.',
);
const SYNC_REASON_COLUMN = conditionColumn(
  'Sync-Reason',
  'Synced',
  'reason',
  'Why the last reconcile succeeded or failed.',
  1,
);
/** Ready and its reason, Synced (and its reason in `-o wide`): the same on every kind. */
export const HEALTH_COLUMNS: readonly PrinterColumn[] = [
  READY_COLUMN,
  READY_REASON_COLUMN,
  SYNCED_COLUMN,
  SYNC_REASON_COLUMN,
];
export const VVP_NAMESPACE_COLUMN: PrinterColumn = {
  name: 'VVP-Namespace',
  type: 'string',
  jsonPath: '.spec.metadata.namespace',
  description: 'The VVP namespace.',
};
export const VVP_ID_COLUMN: PrinterColumn = {
  name: 'VVP-ID',
  type: 'string',
  jsonPath: '.status.id',
  description: "VVP's id of the object.",
  priority: 1,
};
export const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since the object was created.',
};
