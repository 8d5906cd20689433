/**
 * Schema builders for the custom resources. Each builder returns a TypeBox schema, so one
 * definition gives both the TypeScript type (`Static<>`) and the CRD's OpenAPI schema. Every
 * builder takes a description first: `kubectl explain` shows it, and a field without one
 * cannot be written.
 *
 * The builders emit only what a Kubernetes structural schema accepts: maps as
 * `additionalProperties` (TypeBox's `Record` would emit `patternProperties`, which the API
 * server rejects), enums as `enum` (a union of literals would emit `anyOf`/`const`).
 */
import {
  Type,
  type Static,
  type TArray,
  type TBoolean,
  type TInteger,
  type TNumber,
  type TObject,
  type TProperties,
  type TSchema,
  type TString,
  type TUnsafe,
} from '@sinclair/typebox';

export type { Static, TSchema };

/** A CEL validation rule (`x-kubernetes-validations`), evaluated by the API server at admission. */
export interface CelRule {
  rule: string;
  /** Shown when the rule fails; say which field and what to do. */
  message?: string;
  /** A CEL expression yielding the message, when it should quote the rejected value. */
  messageExpression?: string;
  /** The field the error is reported on, relative to the schema the rule sits on (`.name`). */
  fieldPath?: string;
  reason?:
    'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

interface CommonOptions<Default> {
  /** Rules evaluated on this value, with `self` bound to it. */
  validations?: readonly CelRule[];
  /** Set by the API server when the field is absent; the TypeScript type keeps it optional. */
  default?: Default;
}

/** The schema keywords for the options every builder shares. */
function common<Default>(
  description: string,
  options: CommonOptions<Default> | undefined,
): Record<string, unknown> {
  return {
    description,
    ...(options?.default === undefined ? {} : { default: options.default }),
    ...(options?.validations === undefined || options.validations.length === 0
      ? {}
      : { 'x-kubernetes-validations': options.validations }),
  };
}

export interface StringOptions extends CommonOptions<string> {
  minLength?: number;
  /** Also bounds the cost of CEL rules that read the string. */
  maxLength?: number;
  pattern?: string;
  format?: 'date-time' | 'uuid' | 'byte';
}

export function string(description: string, options?: StringOptions): TString {
  return Type.String({
    ...common(description, options),
    ...(options?.minLength === undefined ? {} : { minLength: options.minLength }),
    ...(options?.maxLength === undefined ? {} : { maxLength: options.maxLength }),
    ...(options?.pattern === undefined ? {} : { pattern: options.pattern }),
    ...(options?.format === undefined ? {} : { format: options.format }),
  });
}

/** A string restricted to `values`; its TypeScript type is the union of the values. */
export function stringEnum<const Values extends readonly string[]>(
  description: string,
  values: Values,
  options?: CommonOptions<Values[number]>,
): TUnsafe<Values[number]> {
  return Type.Unsafe<Values[number]>({
    type: 'string',
    enum: [...values],
    ...common(description, options),
  });
}

export interface NumberOptions extends CommonOptions<number> {
  minimum?: number;
  maximum?: number;
}

function bounds(options: NumberOptions | undefined): Record<string, number> {
  return {
    ...(options?.minimum === undefined ? {} : { minimum: options.minimum }),
    ...(options?.maximum === undefined ? {} : { maximum: options.maximum }),
  };
}

export function integer(
  description: string,
  options?: NumberOptions & { format?: 'int32' | 'int64' },
): TInteger {
  return Type.Integer({
    ...common(description, options),
    ...bounds(options),
    format: options?.format ?? 'int64',
  });
}

export function number(description: string, options?: NumberOptions): TNumber {
  return Type.Number({ ...common(description, options), ...bounds(options), format: 'double' });
}

export function boolean(description: string, options?: CommonOptions<boolean>): TBoolean {
  return Type.Boolean(common(description, options));
}

export interface ObjectOptions extends CommonOptions<Record<string, never>> {
  /** Also bounds the cost of CEL rules that iterate the members. */
  maxProperties?: number;
}

export function object<Properties extends TProperties>(
  description: string,
  properties: Properties,
  options?: ObjectOptions,
): TObject<Properties> {
  return Type.Object(properties, {
    ...common(description, options),
    ...(options?.maxProperties === undefined ? {} : { maxProperties: options.maxProperties }),
  });
}

/** Keys to string values, like Kubernetes labels or Flink configuration. */
export function stringMap(
  description: string,
  options?: ObjectOptions & { maxValueLength?: number },
): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    additionalProperties: {
      type: 'string',
      ...(options?.maxValueLength === undefined ? {} : { maxLength: options.maxValueLength }),
    },
    ...common(description, options),
    ...(options?.maxProperties === undefined ? {} : { maxProperties: options.maxProperties }),
  });
}

/**
 * Any JSON object, kept as written. Only for values whose shape VVP or Kubernetes owns and
 * that VVP passes on unread (pod settings, JSON patches, creation-time overrides): checking
 * them here would only reject what VVP accepts.
 */
export function openObject(description: string): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    description,
  });
}

export interface ArrayOptions extends CommonOptions<never[]> {
  minItems?: number;
  /** Also bounds the cost of CEL rules that iterate the items. */
  maxItems?: number;
  /** `map` with `mapKeys`: items are unique by those keys and merge by them in server-side apply. */
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: readonly string[];
}

export function array<Item extends TSchema>(
  description: string,
  items: Item,
  options?: ArrayOptions,
): TArray<Item> {
  return Type.Array(items, {
    ...common(description, options),
    ...(options?.minItems === undefined ? {} : { minItems: options.minItems }),
    ...(options?.maxItems === undefined ? {} : { maxItems: options.maxItems }),
    ...(options?.listType === undefined ? {} : { 'x-kubernetes-list-type': options.listType }),
    ...(options?.mapKeys === undefined ? {} : { 'x-kubernetes-list-map-keys': options.mapKeys }),
  });
}

/** A member the object may leave out (TypeScript `?:`, absent from `required`). */
export function optional<Schema extends TSchema>(schema: Schema) {
  return Type.Optional(schema);
}
