import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { isJsonObject, type Json, type JsonObject } from '../json';
import { PathTemplate } from './path-template';

// ajv-formats ships CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule })
  .default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/** The OpenAPI document the simulator serves and checks itself against. */
export const DEFAULT_SPEC_URL = new URL('../../api-spec/vvp-api.yaml', import.meta.url);

const SPEC_ID = 'urn:vp-operator:vvp-api';
/** The same components with every declared object closed: fields the spec does not name are refused. */
const CLOSED_SPEC_ID = 'urn:vp-operator:vvp-api:closed';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

export interface QueryParameter {
  name: string;
  required: boolean;
  validate: ValidateFunction;
}

export interface Operation {
  id: string;
  /** Upper-case HTTP method. */
  method: string;
  path: PathTemplate;
  queryParameters: QueryParameter[];
  requestBodyRequired: boolean;
  validateRequest?: ValidateFunction;
  /** Like `validateRequest`, but refusing fields the spec does not declare. */
  validateClosedRequest?: ValidateFunction;
  /** Per declared status code: the body schema, or null when none is declared. */
  responses: Map<string, ValidateFunction | null>;
}

export type OperationMatch =
  | { kind: 'found'; operation: Operation; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

/**
 * The API contract compiled from the OpenAPI 3.0 document: routes, and ajv validators for
 * every request body, query parameter and response body. OpenAPI's `nullable` is honoured.
 */
export class ApiContract {
  readonly operations: Operation[];

  private constructor(operations: Operation[]) {
    this.operations = operations;
  }

  static fromDocument(document: JsonObject): ApiContract {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const components = objectOr(document.components);
    ajv.addSchema({ $id: SPEC_ID, components: toJsonSchema(components) as JsonObject });
    ajv.addSchema({
      $id: CLOSED_SPEC_ID,
      components: toJsonSchema(components, CLOSED) as JsonObject,
    });
    const compile = (schema: Json): ValidateFunction =>
      ajv.compile(toJsonSchema(schema) as JsonObject);
    const compileClosed = (schema: Json): ValidateFunction =>
      ajv.compile(toJsonSchema(schema, CLOSED) as JsonObject);
    const resolve = (node: Json | undefined): JsonObject => resolveRef(document, node);

    const operations: Operation[] = [];
    for (const [path, rawItem] of Object.entries(objectOr(document.paths))) {
      const item = objectOr(rawItem);
      const shared = arrayOr(item.parameters);
      for (const method of METHODS) {
        const rawOperation = item[method];
        if (!isJsonObject(rawOperation)) continue;
        const parameters = [...shared, ...arrayOr(rawOperation.parameters)].map(resolve);
        const requestBody =
          rawOperation.requestBody === undefined ? undefined : resolve(rawOperation.requestBody);
        const requestSchema = mediaSchema(requestBody);
        const responses = new Map<string, ValidateFunction | null>();
        for (const [status, response] of Object.entries(objectOr(rawOperation.responses))) {
          const schema = mediaSchema(resolve(response));
          responses.set(status, schema === undefined ? null : compile(schema));
        }
        operations.push({
          id:
            typeof rawOperation.operationId === 'string'
              ? rawOperation.operationId
              : `${method} ${path}`,
          method: method.toUpperCase(),
          path: new PathTemplate(path),
          queryParameters: parameters.flatMap((p) =>
            p.in === 'query' && typeof p.name === 'string'
              ? [{ name: p.name, required: p.required === true, validate: compile(p.schema ?? {}) }]
              : [],
          ),
          requestBodyRequired: requestBody?.required === true,
          ...(requestSchema === undefined
            ? {}
            : {
                validateRequest: compile(requestSchema),
                validateClosedRequest: compileClosed(requestSchema),
              }),
          responses,
        });
      }
    }
    return new ApiContract(operations);
  }

  static load(url: URL = DEFAULT_SPEC_URL): ApiContract {
    const cached = loaded.get(url.href);
    if (cached !== undefined) return cached;
    const document: unknown = parseYaml(readFileSync(url, 'utf8'));
    if (!isJsonObject(document)) throw new Error(`${url.href} is not an OpenAPI document`);
    const contract = ApiContract.fromDocument(document);
    loaded.set(url.href, contract);
    return contract;
  }

  match(method: string, path: string): OperationMatch {
    const allowed: string[] = [];
    for (const operation of this.operations) {
      const params = operation.path.match(path);
      if (params === undefined) continue;
      if (operation.method === method) return { kind: 'found', operation, params };
      allowed.push(operation.method);
    }
    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
  }

  /**
   * A client mistake in the query or body, described by field; undefined when the request fits.
   * With `unknownFields: 'refuse'`, fields the spec does not declare are mistakes too (open
   * objects such as pod settings excepted).
   */
  checkRequest(
    operation: Operation,
    query: URLSearchParams,
    body: Json | undefined,
    options: { unknownFields?: 'accept' | 'refuse' } = {},
  ): string | undefined {
    for (const parameter of operation.queryParameters) {
      const value = query.get(parameter.name);
      if (value === null) {
        if (parameter.required) return `query parameter ${parameter.name} is required`;
        continue;
      }
      if (!parameter.validate(value)) {
        return `query parameter ${parameter.name} ${describeErrors(parameter.validate.errors, '')}`;
      }
    }
    if (body === undefined) {
      return operation.requestBodyRequired ? 'a request body is required' : undefined;
    }
    const validate =
      options.unknownFields === 'refuse'
        ? operation.validateClosedRequest
        : operation.validateRequest;
    if (validate === undefined || validate(body)) return undefined;
    return `invalid request body: ${describeErrors(validate.errors, 'body')}`;
  }

  /**
   * A simulator bug: the response does not fit the contract. Success codes must be declared;
   * undeclared error codes must still carry VVP's `{ message }` shape.
   */
  checkResponse(operation: Operation, status: number, body: Json): string | undefined {
    const declared = operation.responses.get(String(status));
    if (declared === undefined) {
      if (status < 400) return `status ${status} is not declared for ${operation.id}`;
      return isJsonObject(body) && typeof body.message === 'string'
        ? undefined
        : `error response ${status} of ${operation.id} lacks a string 'message'`;
    }
    if (declared === null || declared(body)) return undefined;
    return `response ${status} of ${operation.id}: ${describeErrors(declared.errors, 'body')}`;
  }
}

const loaded = new Map<string, ApiContract>();

/** "spec.state must be equal to one of the allowed values (RUNNING, SUSPENDED, CANCELLED)" */
export function describeErrors(errors: ErrorObject[] | null | undefined, root: string): string {
  if (errors === null || errors === undefined || errors.length === 0) return 'is invalid';
  // A failed `nullable` alternative reports the real problem plus "must be null" and an anyOf
  // summary; only the real problem helps the reader.
  const meaningful = errors.filter(
    (error) =>
      error.keyword !== 'anyOf' &&
      !(error.keyword === 'type' && (error.params as { type?: unknown }).type === 'null'),
  );
  return (meaningful.length > 0 ? meaningful : errors)
    .slice(0, 5)
    .map((error) => {
      const segments = error.instancePath.split('/').slice(1).map(unescapePointer);
      const params = error.params as Record<string, unknown>;
      if (error.keyword === 'required') segments.push(String(params.missingProperty));
      if (error.keyword === 'additionalProperties')
        segments.push(String(params.additionalProperty));
      const field = segments.length === 0 ? root : segments.join('.');
      const allowed = Array.isArray(params.allowedValues)
        ? ` (${params.allowedValues.map(String).join(', ')})`
        : '';
      const message =
        error.keyword === 'required'
          ? 'is required'
          : error.keyword === 'additionalProperties'
            ? 'is not a field of the API'
            : `${error.message ?? 'is invalid'}${allowed}`;
      return field === '' ? message : `${field} ${message}`;
    })
    .join('; ');
}

function unescapePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

function objectOr(value: Json | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}

function arrayOr(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

/** Follows a local `$ref` (parameters, request bodies, responses). */
function resolveRef(document: JsonObject, node: Json | undefined): JsonObject {
  let current = objectOr(node);
  for (let depth = 0; typeof current.$ref === 'string' && depth < 10; depth++) {
    let target: Json | undefined = document;
    for (const segment of current.$ref.replace(/^#\//, '').split('/').map(unescapePointer)) {
      target = isJsonObject(target) ? target[segment] : undefined;
    }
    current = objectOr(target);
  }
  return current;
}

/** The JSON body schema of a request body or response object. */
function mediaSchema(holder: JsonObject | undefined): Json | undefined {
  const content = objectOr(holder?.content);
  const media = objectOr(content['application/json'] ?? Object.values(content)[0]);
  return media.schema;
}

const CLOSED = true;

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: local references point into the registered
 * components document, and `nullable` without a `type` (beside `$ref` or `allOf`) becomes
 * an explicit alternative ajv understands. `closed` forbids properties an object schema with
 * declared `properties` does not list (unless it says `additionalProperties` itself).
 */
function toJsonSchema(node: Json, closed = false): Json {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, closed));
  if (!isJsonObject(node)) return node;
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    result[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `${closed ? CLOSED_SPEC_ID : SPEC_ID}${value}`
        : toJsonSchema(value, closed);
  }
  if (closed && isJsonObject(result.properties) && result.additionalProperties === undefined) {
    result.additionalProperties = false;
  }
  if (result.nullable === true && result.type === undefined) {
    delete result.nullable;
    return { anyOf: [result, { type: 'null' }] };
  }
  return result;
}
