/**
 * Our OpenAPI spec (api-spec/) may only describe what Ververica's published specs describe:
 * every path, method, parameter, schema property and enum value must exist in at least one of
 * them with a compatible type. Deliberate additions are listed, with reasons, in
 * DELIBERATE_ADDITIONS below and printed on every run.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const specDir = path.join(repoRoot, 'api-spec');
const officialDir = path.resolve(repoRoot, '../shared/reference/vvp-swagger');

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  required?: string[];
}

interface OurParameter {
  name: string;
  in: string;
  schema: Schema;
}

interface OurResponse {
  $ref?: string;
  content?: Record<string, { schema: Schema }>;
}

interface OurOperation {
  operationId: string;
  parameters?: OurParameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, OurResponse>;
}

type OurPathItem = Record<string, OurOperation | OurParameter[] | undefined> & {
  parameters?: OurParameter[];
};

interface OurSpec {
  servers?: { url: string }[];
  paths: Record<string, OurPathItem>;
  components: { schemas: Record<string, Schema>; responses?: Record<string, OurResponse> };
}

interface SwaggerParameter {
  name: string;
  in: string;
  type?: string;
  format?: string;
  schema?: Schema;
}

interface SwaggerOperation {
  parameters?: SwaggerParameter[];
  responses: Record<string, { schema?: Schema }>;
}

interface SwaggerSpec {
  basePath?: string;
  paths: Record<string, Record<string, SwaggerOperation>>;
  definitions: Record<string, Schema>;
}

/** One schema together with the document its `$ref`s point into. */
interface Located {
  schema: Schema;
  doc: SwaggerSpec;
}

type FindingKind =
  'status-code' | 'error-body' | 'created-body' | 'property' | 'enum-narrowing' | 'required';

interface Finding {
  kind: FindingKind;
  /** What the finding is about: a status code, or `Schema.property` of our spec. */
  key: string;
  where: string;
}

/**
 * Everything our spec says that no official spec does. Each entry must still be needed: an
 * entry that matches nothing fails the test, so the list cannot silently go stale.
 */
const DELIBERATE_ADDITIONS: { kind: FindingKind; key: string; why: string }[] = [
  {
    kind: 'status-code',
    key: '400',
    why: 'VVP answers invalid input with 400 {message}; observed by fintechstudios and jupyter-vvp, declared nowhere',
  },
  {
    kind: 'status-code',
    key: '404',
    why: 'PATCH/DELETE of an unknown object (and Platform calls on unknown namespaces) answer 404; the specs declare 404 on GET/POST/PUT only',
  },
  {
    kind: 'status-code',
    key: '409',
    why: 'deleting a referenced deployment target (and conflicting writes) answer 409; inferred from clients, declared nowhere',
  },
  {
    kind: 'error-body',
    key: 'Error',
    why: 'error responses carry {message}, the one field clients read; the specs declare error codes without a body',
  },
  {
    kind: 'created-body',
    key: '201',
    why: 'create calls answer 201 with the created object (jupyter-vvp and streaming-cli rely on it); the specs declare 201 without a body',
  },
  {
    kind: 'property',
    key: 'DeploymentRestoreStrategy.allowNonRestoredState',
    why: 'documented restore option (upgrade docs, fintechstudios, streaming-cli); the under-declared model lists only `kind`',
  },
  {
    kind: 'enum-narrowing',
    key: 'Artifact.kind',
    why: 'a free string in the specs; the operator supports the JAR and SQLSCRIPT artifact kinds',
  },
  {
    kind: 'enum-narrowing',
    key: 'DeploymentUpgradeStrategy.kind',
    why: 'a free string in the specs; the documented kinds are STATEFUL, STATELESS and NONE',
  },
  {
    kind: 'enum-narrowing',
    key: 'DeploymentRestoreStrategy.kind',
    why: 'a free string in the specs; the documented kinds are LATEST_STATE, LATEST_SAVEPOINT and NONE',
  },
];

/** Jackson's generic JSON node types: their listed "properties" are introspection artefacts. */
const OPAQUE_DEFINITIONS = new Set(['JsonNode', 'ObjectNode']);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function loadOfficialSpecs(): SwaggerSpec[] {
  if (!existsSync(officialDir)) {
    throw new Error(
      `Ververica's Swagger specs are missing: expected ${officialDir} (../shared/reference/vvp-swagger relative to the repository). ` +
        'They are not committed (they are Ververica’s); put the files there to run this check.',
    );
  }
  const files = readdirSync(officialDir).filter((file) => file.endsWith('.json'));
  if (files.length === 0) throw new Error(`no *.json Swagger specs in ${officialDir}`);
  return files.map(
    (file) => JSON.parse(readFileSync(path.join(officialDir, file), 'utf8')) as SwaggerSpec,
  );
}

function loadOurSpecs(): OurSpec[] {
  return readdirSync(specDir)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => parse(readFileSync(path.join(specDir, file), 'utf8')) as OurSpec);
}

const templateOf = (route: string): string => route.replace(/\{[^}]+\}/g, '{}');
const joinPath = (base: string | undefined, route: string): string =>
  `${(base ?? '/').replace(/\/+$/, '')}${route}`;
const refName = (ref: string): string => ref.split('/').pop() ?? ref;

class SubsetCheck {
  readonly findings: Finding[] = [];
  readonly problems: string[] = [];
  readonly #officialOps = new Map<string, { op: SwaggerOperation; doc: SwaggerSpec }[]>();

  constructor(official: SwaggerSpec[]) {
    for (const doc of official) {
      for (const [route, item] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(item)) {
          const key = `${method} ${templateOf(joinPath(doc.basePath, route))}`;
          this.#officialOps.set(key, [...(this.#officialOps.get(key) ?? []), { op, doc }]);
        }
      }
    }
  }

  checkSpec(ours: OurSpec): void {
    for (const [route, item] of Object.entries(ours.paths)) {
      const fullRoute = joinPath(ours.servers?.[0]?.url, route);
      for (const method of METHODS) {
        const op = item[method] as OurOperation | undefined;
        if (op === undefined) continue;
        const where = `${method.toUpperCase()} ${fullRoute}`;
        const candidates = this.#officialOps.get(`${method} ${templateOf(fullRoute)}`);
        if (candidates === undefined) {
          this.problems.push(`${where}: no official spec has this path and method`);
          continue;
        }
        this.#checkParameters(
          ours,
          [...(item.parameters ?? []), ...(op.parameters ?? [])],
          candidates,
          where,
        );
        this.#checkRequestBody(ours, op, candidates, where);
        this.#checkResponses(ours, op, candidates, where);
      }
    }
  }

  #checkParameters(
    ours: OurSpec,
    parameters: OurParameter[],
    candidates: { op: SwaggerOperation; doc: SwaggerSpec }[],
    where: string,
  ): void {
    const pathNames = parameters.filter((p) => p.in === 'path').map((p) => p.name);
    for (const parameter of parameters) {
      const theirs = candidates.flatMap(({ op, doc }) => {
        const params = op.parameters ?? [];
        // Path parameters are matched by position: versions name them differently.
        const match =
          parameter.in === 'path'
            ? params.filter((p) => p.in === 'path')[pathNames.indexOf(parameter.name)]
            : params.find((p) => p.in === parameter.in && p.name === parameter.name);
        return match === undefined
          ? []
          : [{ schema: match.schema ?? { type: match.type, format: match.format }, doc }];
      });
      const label = `${where} ${parameter.in} parameter ${parameter.name}`;
      if (theirs.length === 0) this.problems.push(`${label}: in no official spec`);
      else this.#compare(ours, parameter.schema, theirs, label);
    }
  }

  #checkRequestBody(
    ours: OurSpec,
    op: OurOperation,
    candidates: { op: SwaggerOperation; doc: SwaggerSpec }[],
    where: string,
  ): void {
    const schema = op.requestBody?.content['application/json']?.schema;
    if (schema === undefined) return;
    const theirs = candidates.flatMap(({ op: theirOp, doc }) => {
      const body = theirOp.parameters?.find((p) => p.in === 'body');
      return body?.schema === undefined ? [] : [{ schema: body.schema, doc }];
    });
    if (theirs.length === 0) this.problems.push(`${where}: request body in no official spec`);
    else this.#compare(ours, schema, theirs, `${where} request body`);
  }

  #checkResponses(
    ours: OurSpec,
    op: OurOperation,
    candidates: { op: SwaggerOperation; doc: SwaggerSpec }[],
    where: string,
  ): void {
    for (const [code, declared] of Object.entries(op.responses)) {
      const response = declared.$ref
        ? ours.components.responses?.[refName(declared.$ref)]
        : declared;
      const schema = response?.content?.['application/json']?.schema;
      const label = `${where} response ${code}`;
      const declaring = candidates.filter(({ op: theirOp }) => code in theirOp.responses);
      if (declaring.length === 0) {
        this.findings.push({ kind: 'status-code', key: code, where: label });
        continue;
      }
      if (schema === undefined) continue;
      const withBody = declaring.flatMap(({ op: theirOp, doc }) => {
        const theirSchema = theirOp.responses[code]?.schema;
        return theirSchema === undefined ? [] : [{ schema: theirSchema, doc }];
      });
      if (withBody.length > 0) {
        this.#compare(ours, schema, withBody, label);
      } else if (schema.$ref !== undefined && refName(schema.$ref) === 'Error') {
        this.findings.push({ kind: 'error-body', key: 'Error', where: label });
      } else if (code === '201') {
        this.findings.push({ kind: 'created-body', key: '201', where: label });
        const ok = declaring.flatMap(({ op: theirOp, doc }) => {
          const theirSchema = theirOp.responses['200']?.schema;
          return theirSchema === undefined ? [] : [{ schema: theirSchema, doc }];
        });
        this.#compare(ours, schema, ok, `${label} (as the 200 body)`);
      } else {
        this.problems.push(`${label}: has a body, the official specs declare none`);
      }
    }
  }

  /** `ours` must be a compatible subset of at least one of `theirs`. */
  #compare(ours: OurSpec, schema: Schema, theirs: Located[], where: string, name = ''): void {
    let own = schema;
    let ownName = name;
    while (own.$ref !== undefined || own.allOf?.length === 1) {
      if (own.$ref !== undefined) {
        ownName = refName(own.$ref);
        const target = ours.components.schemas[ownName];
        if (target === undefined) {
          this.problems.push(`${where}: dangling reference ${own.$ref}`);
          return;
        }
        own = target;
      } else {
        own = (own.allOf ?? [])[0] ?? {};
      }
    }
    const resolved = theirs.flatMap((located) => resolveOfficial(located));
    if (resolved.some((located) => located === 'opaque')) return;
    const candidates = resolved.filter((located): located is Located => located !== 'opaque');
    if (candidates.length === 0) {
      this.problems.push(`${where}: nothing to compare with in the official specs`);
      return;
    }
    const compatible = candidates.filter(({ schema: their }) => typesCompatible(own, their));
    if (compatible.length === 0) {
      const seen = candidates.map(({ schema: their }) => describeType(their)).join(' or ');
      this.problems.push(`${where}: our ${describeType(own)} is incompatible with ${seen}`);
      return;
    }
    if (own.required !== undefined && own.required.length > 0) {
      this.findings.push({ kind: 'required', key: ownName, where });
    }
    if (own.enum !== undefined) this.#compareEnum(own, ownName, compatible, where);
    if (own.items !== undefined) {
      const items = compatible.flatMap(({ schema: their, doc }) =>
        their.items === undefined ? [] : [{ schema: their.items, doc }],
      );
      this.#compare(ours, own.items, items, `${where}[]`);
    }
    if (
      typeof own.additionalProperties === 'object' &&
      Object.keys(own.additionalProperties).length > 0
    ) {
      const values = compatible.flatMap(({ schema: their, doc }) =>
        typeof their.additionalProperties === 'object'
          ? [{ schema: their.additionalProperties, doc }]
          : [],
      );
      this.#compare(ours, own.additionalProperties, values, `${where}{}`);
    }
    for (const [property, propertySchema] of Object.entries(own.properties ?? {})) {
      const owner = ownName === '' ? where : ownName;
      const matches = compatible.flatMap(({ schema: their, doc }) => {
        const theirProperty = their.properties?.[property];
        return theirProperty === undefined ? [] : [{ schema: theirProperty, doc }];
      });
      if (matches.length === 0) {
        this.findings.push({ kind: 'property', key: `${owner}.${property}`, where });
      } else {
        this.#compare(
          ours,
          propertySchema,
          matches,
          `${owner}.${property}`,
          `${owner}.${property}`,
        );
      }
    }
  }

  #compareEnum(own: Schema, ownName: string, theirs: Located[], where: string): void {
    const enums = theirs.flatMap(({ schema }) => (schema.enum === undefined ? [] : [schema.enum]));
    if (enums.length === 0) {
      this.findings.push({ kind: 'enum-narrowing', key: ownName, where });
      return;
    }
    const known = new Set(enums.flat());
    for (const value of own.enum ?? []) {
      if (!known.has(value))
        this.problems.push(`${where}: enum value ${String(value)} in no official spec`);
    }
  }
}

/** Follows `$ref`s into the official document; Jackson's opaque nodes accept anything. */
function resolveOfficial(located: Located): (Located | 'opaque')[] {
  let { schema } = located;
  while (schema.$ref !== undefined) {
    const name = refName(schema.$ref);
    if (OPAQUE_DEFINITIONS.has(name)) return ['opaque'];
    const target = located.doc.definitions[name];
    if (target === undefined) return [];
    schema = target;
  }
  const isOpenObject =
    schema.type === 'object' &&
    schema.properties === undefined &&
    schema.additionalProperties === undefined;
  return [isOpenObject ? 'opaque' : { schema, doc: located.doc }];
}

function typesCompatible(own: Schema, their: Schema): boolean {
  const ownType = own.type ?? (own.properties !== undefined ? 'object' : undefined);
  const theirType = their.type ?? (their.properties !== undefined ? 'object' : undefined);
  if (ownType === undefined || theirType === undefined) return true;
  const numeric = (type: string) => type === 'integer' || type === 'number';
  const sameKind = ownType === theirType || (ownType === 'integer' && theirType === 'number');
  if (!sameKind) return false;
  // A format may narrow an unformatted type (uuid ids), never contradict one.
  if (own.format === undefined || their.format === undefined || own.format === their.format)
    return true;
  return numeric(ownType) && own.format === 'int32' && their.format === 'int64';
}

const describeType = (schema: Schema): string =>
  `${schema.type ?? (schema.$ref === undefined ? 'untyped' : refName(schema.$ref))}${schema.format === undefined ? '' : `(${schema.format})`}`;

describe('api-spec/ is a subset of the official VVP specs', () => {
  it('declares only paths, parameters, fields and enum values the official specs have, plus the listed additions', () => {
    const check = new SubsetCheck(loadOfficialSpecs());
    const ours = loadOurSpecs();
    expect(ours.length).toBeGreaterThan(0);
    for (const spec of ours) check.checkSpec(spec);

    const isAllowed = (finding: Finding) =>
      DELIBERATE_ADDITIONS.some(
        (entry) => entry.kind === finding.kind && entry.key === finding.key,
      );
    const unexplained = check.findings
      .filter((finding) => !isAllowed(finding))
      .map((finding) => `${finding.where}: ${finding.kind} ${finding.key} is in no official spec`);
    const unused = DELIBERATE_ADDITIONS.filter(
      (entry) => !check.findings.some((f) => f.kind === entry.kind && f.key === entry.key),
    ).map((entry) => `allowlist entry ${entry.kind} ${entry.key} matches nothing: remove it`);

    console.log(
      [
        'Deliberate additions to the official VVP specs:',
        ...DELIBERATE_ADDITIONS.map((entry) => {
          const uses = check.findings.filter((f) => f.kind === entry.kind && f.key === entry.key);
          return `  - ${entry.kind} ${entry.key} (${uses.length}×): ${entry.why}`;
        }),
      ].join('\n'),
    );
    expect([...new Set([...check.problems, ...unexplained, ...unused])]).toEqual([]);
  });
});
