import { Ajv, type ValidateFunction } from 'ajv';
import { customResourceDefinition, type JsonSchema, type KindDefinition } from '../api/crd';
import { VP_DEPLOYMENT_KIND } from '../api/vp-deployment';
import { VP_DEPLOYMENT_TARGET_KIND } from '../api/vp-deployment-target';
import { VP_NAMESPACE_KIND } from '../api/vp-namespace';
import { VP_SAVEPOINT_KIND } from '../api/vp-savepoint';
import { isJsonObject, type Json, type JsonObject } from '../json';
import { textOf, type Conversion } from './convert';
import { formatPath, type DroppedField } from './source-fields';

const KINDS: readonly KindDefinition[] = [
  VP_NAMESPACE_KIND,
  VP_DEPLOYMENT_TARGET_KIND,
  VP_DEPLOYMENT_KIND,
  VP_SAVEPOINT_KIND,
];

/** Formats and CEL rules are the API server's to check; structure, types, enums and bounds are checked here. */
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validators = new Map<string, { schema: JsonSchema; validate: ValidateFunction }>();

function validatorFor(kind: string): { schema: JsonSchema; validate: ValidateFunction } {
  const known = validators.get(kind);
  if (known !== undefined) return known;
  const definition = KINDS.find((candidate) => candidate.resource.kind === kind);
  if (definition === undefined) throw new Error(`no schema for kind ${kind}`);
  const crd = customResourceDefinition(definition) as {
    spec: { versions: { schema: { openAPIV3Schema: JsonSchema } }[] };
  };
  const schema = crd.spec.versions[0]?.schema.openAPIV3Schema;
  if (schema === undefined) throw new Error(`the ${kind} CRD has no schema`);
  const entry = { schema, validate: ajv.compile(schema) };
  validators.set(kind, entry);
  return entry;
}

/** The output object does not fit our schema in a way dropping a field cannot fix. */
export class SchemaMismatchError extends Error {
  override readonly name = 'SchemaMismatchError';
}

/**
 * Makes `conversion.output` fit vp-operator's CRD schema (src/api): fields the schema does not
 * know (the API server would prune them silently) and fields it refuses (a type, an enum) are
 * removed and added to `conversion.dropped`, under their input path where one is known.
 */
export function fitToSchema(conversion: Conversion): void {
  const kind = textOf(conversion.output.kind);
  const { schema, validate } = validatorFor(kind);
  const dropped: DroppedField[] = [];
  pruneUnknown(conversion.output, schema, [], dropped, kind);
  for (let round = 0; round < 50; round++) {
    if (validate(conversion.output)) break;
    const error = validate.errors?.[0];
    if (error === undefined) break;
    const path = error.instancePath.split('/').slice(1).map(unescapePointer);
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
    const refusal =
      error.keyword === 'enum' && Array.isArray(allowed)
        ? `must be one of ${allowed.map(String).join(', ')}`
        : (error.message ?? 'is invalid');
    const why = `vp-operator's ${kind} schema refuses it: ${refusal}`;
    if (path.length < 2 || error.keyword === 'required') {
      throw new SchemaMismatchError(
        `${formatPath(path) || 'the object'} ${error.message ?? 'is invalid'}${error.keyword === 'required' ? ` (${JSON.stringify(error.params)})` : ''}`,
      );
    }
    removeAt(conversion.output, path);
    dropped.push({ path: formatPath(path), why });
  }
  conversion.dropped.push(
    ...dropped.map((field) => ({ ...field, path: inputPath(conversion, field.path) })),
  );
}

function pruneUnknown(
  value: Json,
  schema: JsonSchema,
  path: (string | number)[],
  dropped: DroppedField[],
  kind: string,
): void {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (Array.isArray(value)) {
    const items = schema.items;
    if (isJsonObject(items)) {
      value.forEach((item, index) => {
        pruneUnknown(item, items, [...path, index], dropped, kind);
      });
    }
    return;
  }
  if (!isJsonObject(value)) return;
  const properties = isJsonObject(schema.properties) ? schema.properties : undefined;
  const additional = isJsonObject(schema.additionalProperties)
    ? schema.additionalProperties
    : undefined;
  for (const [key, child] of Object.entries(value)) {
    const childSchema = properties?.[key] ?? additional;
    if (path.length === 0 && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
      continue;
    }
    if (!isJsonObject(childSchema)) {
      Reflect.deleteProperty(value, key);
      dropped.push({
        path: formatPath([...path, key]),
        why: `vp-operator's ${kind} has no such field`,
      });
      continue;
    }
    pruneUnknown(child, childSchema, [...path, key], dropped, kind);
  }
}

function removeAt(root: JsonObject, path: readonly string[]): void {
  let current: Json | undefined = root;
  for (const key of path.slice(0, -1)) {
    current = Array.isArray(current)
      ? current[Number(key)]
      : isJsonObject(current)
        ? current[key]
        : undefined;
  }
  const last = path.at(-1) ?? '';
  if (Array.isArray(current)) current.splice(Number(last), 1);
  else if (isJsonObject(current)) Reflect.deleteProperty(current, last);
}

function unescapePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** An output path inside a subtree copied as a whole, as the input path it came from. */
function inputPath(conversion: Conversion, outputPath: string): string {
  for (const { from, to } of conversion.copies) {
    if (outputPath === to || outputPath.startsWith(`${to}.`) || outputPath.startsWith(`${to}[`)) {
      return `${from}${outputPath.slice(to.length)}`;
    }
  }
  return `${outputPath} (in the output)`;
}
