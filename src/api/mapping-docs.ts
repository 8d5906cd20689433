/**
 * The mapping pages under docs/mappings: per kind, every field of the CR with its type,
 * default, validation and description taken from the same schemas the CRDs are generated
 * from, and the VVP field it corresponds to. What the operator does with each kind is written
 * by hand, in src/api/mapping-templates/, and placed above the generated tables.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { API_GROUP, API_VERSION } from './constants';
import { CATEGORY, toStructural, type JsonSchema, type KindDefinition } from './crd';
import { REPOSITORY_ROOT } from './kinds';
import type { CelRule } from './schema';
import { VP_DEPLOYMENT_KIND } from './vp-deployment';
import { VP_DEPLOYMENT_TARGET_KIND } from './vp-deployment-target';
import { VP_NAMESPACE_KIND } from './vp-namespace';
import { VP_SAVEPOINT_KIND } from './vp-savepoint';

/** Where the pages live, relative to the repository root. */
export const MAPPING_DOCS_DIRECTORY = 'docs/mappings';
/** The hand-written text of each page, relative to the repository root. */
export const MAPPING_TEMPLATES_DIRECTORY = 'src/api/mapping-templates';
const INDEX_FILE = 'README.md';
const INDEX_TEMPLATE = 'index.md';

/**
 * Where a CR field comes from or goes to in VVP. Rules match a field and everything under it;
 * the longest matching rule wins, so a field needs a rule of its own only where it differs
 * from its parent's.
 */
interface CounterpartRule {
  /** A field path as the tables show it: `spec.metadata.labels`, `spec.roleBindings[].role`. */
  field: string;
  /** The VVP counterpart of `field`, as Markdown. */
  counterpart: string;
  /**
   * The VVP path of `field` in the VVP object named by `counterpart`; fields under `field`
   * then map to the same paths under it (CR `spec.spec.x.y` ↔ VVP `spec.x.y`).
   */
  vvpPath?: string;
}

/** The field `vvpPath` of the VVP kind `vvpKind` (e.g. `Deployment`). */
function mirrored(field: string, vvpKind: string, vvpPath: string): CounterpartRule {
  return { field, counterpart: vvpKind, vvpPath };
}

/** Members of the CR field `prefix`, each read from a field of the VVP kind `vvpKind`. */
function readFrom(
  prefix: string,
  vvpKind: string,
  vvpPathOfMember: Readonly<Record<string, string>>,
): CounterpartRule[] {
  return Object.entries(vvpPathOfMember).map(([member, vvpPath]) =>
    mirrored(`${prefix}.${member}`, vvpKind, vvpPath),
  );
}

/** A field VVP does not have: the operator alone reads or writes it. */
function operatorOnly(field: string, what?: string): CounterpartRule {
  return { field, counterpart: what === undefined ? 'operator only' : `operator only: ${what}` };
}

/** Operator-only fields every kind has, in spec and status, and the status VVP fills. */
function managedRules(vvpKind: string): CounterpartRule[] {
  return [
    operatorOnly('spec.deletionPolicy', 'what the finalizer does in VVP'),
    operatorOnly('spec.apiTokenSecretRef', 'which API token the calls carry'),
    operatorOnly('status'),
    operatorOnly('status.conditions'),
    mirrored('status.resourceVersion', vvpKind, 'metadata.resourceVersion'),
    mirrored('status.id', vvpKind, 'metadata.id'),
  ];
}

interface KindPage {
  kind: KindDefinition;
  /** The VVP kind one CR stands for, e.g. `DeploymentTarget`. */
  vvpKind: string;
  api: 'Platform API' | 'AppManager API';
  /** Where the kind's fields differ from {@link managedRules}. */
  rules: readonly CounterpartRule[];
}

function vvpObject(page: KindPage): string {
  return `${page.vvpKind} (${page.api})`;
}

/** CR `spec.metadata.X` ↔ VVP `metadata.X`, CR `spec.spec.X` ↔ VVP `spec.X`. */
function vvpLayoutRules(vvpKind: string): CounterpartRule[] {
  return [mirrored('spec.metadata', vvpKind, 'metadata'), mirrored('spec.spec', vvpKind, 'spec')];
}

/** One page per kind, in the order of `KINDS`. */
export const PAGES: readonly KindPage[] = [
  {
    kind: VP_NAMESPACE_KIND,
    vvpKind: 'Namespace',
    api: 'Platform API',
    rules: [
      mirrored('spec.roleBindings', 'Namespace', 'roleBindings'),
      {
        field: 'spec.deploymentDefaults',
        counterpart: "the namespace's DeploymentDefaults (AppManager `deployment-defaults`)",
        vvpPath: 'spec',
      },
      ...readFrom('status', 'Namespace', { id: 'name', lifecyclePhase: 'lifecyclePhase' }),
      operatorOnly('status.resourceVersion', 'VVP namespaces have none'),
    ],
  },
  {
    kind: VP_DEPLOYMENT_TARGET_KIND,
    vvpKind: 'DeploymentTarget',
    api: 'AppManager API',
    rules: vvpLayoutRules('DeploymentTarget'),
  },
  {
    kind: VP_DEPLOYMENT_KIND,
    vvpKind: 'Deployment',
    api: 'AppManager API',
    rules: [
      ...vvpLayoutRules('Deployment'),
      operatorOnly('spec.syncingMode', 'how writes to VVP are made (PATCH or PUT)'),
      operatorOnly('spec.initFields', 'merged into the create request of the Deployment only'),
      operatorOnly('spec.savepointNonce', 'a change triggers one Savepoint'),
      operatorOnly('spec.restartNonce', 'a change restarts the job'),
      operatorOnly(
        'spec.deploymentTargetRef',
        "resolved to the target's VVP id, sent as Deployment `spec.deploymentTargetId`",
      ),
      ...readFrom('status', 'Deployment', {
        state: 'status.state',
        jobId: 'status.running.jobId',
        running: 'status.running',
        deploymentTargetId: 'spec.deploymentTargetId',
      }),
      { field: 'status.jobs', counterpart: "the Deployment's Jobs (`GET …/jobs`)" },
      ...readFrom('status.jobs[]', 'Job', {
        id: 'metadata.id',
        state: 'status.state',
        createdAt: 'metadata.createdAt',
        startedAt: 'status.started.startedAt',
        terminatedAt: 'metadata.terminatedAt',
        failure: 'status.failure',
      }),
      { field: 'status.lastSavepoint', counterpart: "the Deployment's newest Savepoint" },
      ...readFrom('status.lastSavepoint', 'Savepoint', {
        id: 'metadata.id',
        state: 'status.state',
        location: 'spec.savepointLocation',
        origin: 'metadata.origin',
        createdAt: 'metadata.createdAt',
      }),
      operatorOnly('status.eventCursor', "how far the Deployment's VVP Events are mirrored"),
    ],
  },
  {
    kind: VP_SAVEPOINT_KIND,
    vvpKind: 'Savepoint',
    api: 'AppManager API',
    rules: [
      ...vvpLayoutRules('Savepoint'),
      operatorOnly(
        'spec.deploymentRef',
        "resolved to the VpDeployment's VVP id, sent as Savepoint `metadata.deploymentId`",
      ),
      operatorOnly('spec.backoffLimit', 'how often a FAILED savepoint is triggered again'),
      ...readFrom('status', 'Savepoint', {
        state: 'status.state',
        failure: 'status.failure',
        deploymentId: 'metadata.deploymentId',
        jobId: 'metadata.jobId',
        location: 'spec.savepointLocation',
        origin: 'metadata.origin',
      }),
    ],
  },
];

/** One row of a field table. */
export interface FieldRow {
  field: string;
  type: string;
  default: string;
  validation: string[];
  counterpart: string;
  description: string;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function code(text: string): string {
  // A backtick inside a code span needs a longer fence; none of our values has one.
  return `\`${text.replaceAll('|', '\\|')}\``;
}

/** Schema text as table-cell Markdown: no line breaks, no table pipes, no stray HTML or emphasis. */
function prose(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;')
    .replaceAll('*', '\\*');
}

function typeOf(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return 'string (enum)';
  const format = typeof schema.format === 'string' ? ` (${schema.format})` : '';
  switch (schema.type) {
    case 'array':
      return `array of ${isSchema(schema.items) ? typeOf(schema.items) : 'any'}`;
    case 'object': {
      const { additionalProperties } = schema;
      if (isSchema(additionalProperties)) {
        const value =
          additionalProperties['x-kubernetes-preserve-unknown-fields'] === true
            ? 'any'
            : typeOf(additionalProperties);
        return `map of ${value}`;
      }
      if (schema['x-kubernetes-preserve-unknown-fields'] === true) return 'object (any fields)';
      return 'object';
    }
    case 'number':
      // Every number is a double; its format says nothing a reader needs.
      return 'number';
    default:
      return typeof schema.type === 'string' ? `${schema.type}${format}` : 'any';
  }
}

function defaultOf(schema: JsonSchema): string {
  const value = schema.default;
  if (value === undefined) return '';
  return code(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * A CEL `messageExpression` made of string literals and expressions joined by `+`, as text:
 * the literals as written, a field of `self` as `<field>`, any other expression as `<…>`.
 * Undefined when the expression is anything else.
 */
export function celMessageText(expression: string): string | undefined {
  // One term (a literal, or an expression without quotes or `+`) and the `+` or end after it.
  const term = /\s*(?:'((?:[^'\\]|\\.)*)'|([^'+]*[^'+\s]))\s*(?:\+|$)/y;
  let text = '';
  while (term.lastIndex < expression.length) {
    const match = term.exec(expression);
    if (match === null) return undefined;
    const [, literal, other = ''] = match;
    if (literal !== undefined) text += literal.replace(/\\(.)/g, '$1');
    else text += /^self\.[\w.]+$/.test(other) ? `<${other.slice('self.'.length)}>` : '<…>';
  }
  return text;
}

/** A CEL rule as one sentence: its message, or for a plain `matches` the pattern. */
export function describeRule(rule: CelRule): string {
  const matches = /^self\.matches\('((?:[^'\\]|\\.)*)'\)$/.exec(rule.rule);
  if (matches?.[1] !== undefined) return `matches ${code(matches[1].replace(/\\(.)/g, '$1'))}`;
  const message =
    rule.message ??
    (rule.messageExpression === undefined ? undefined : celMessageText(rule.messageExpression));
  return message === undefined ? `CEL ${code(rule.rule)}` : prose(message);
}

function rulesOf(schema: JsonSchema): CelRule[] {
  const rules = schema['x-kubernetes-validations'];
  return Array.isArray(rules) ? (rules as unknown as CelRule[]) : [];
}

/** `1–3 items`, `at least 1 item`, `at most 63 characters`. */
function range(
  min: unknown,
  max: unknown,
  unit: readonly [one: string, many: string],
): string | undefined {
  const count = (n: number): string => `${n} ${n === 1 ? unit[0] : unit[1]}`;
  if (typeof min === 'number' && typeof max === 'number') return `${min}–${count(max)}`;
  if (typeof min === 'number') return `at least ${count(min)}`;
  if (typeof max === 'number') return `at most ${count(max)}`;
  return undefined;
}

/** The checks the API server makes on a value of `schema`, besides its type. */
function validationOf(schema: JsonSchema, required: boolean): string[] {
  const checks: string[] = [];
  if (required) checks.push('required');
  if (Array.isArray(schema.enum))
    checks.push(`one of ${schema.enum.map(String).map(code).join(', ')}`);
  const length = range(schema.minLength, schema.maxLength, ['character', 'characters']);
  if (length !== undefined) checks.push(length);
  if (typeof schema.pattern === 'string') checks.push(`matches ${code(schema.pattern)}`);
  if (typeof schema.minimum === 'number') checks.push(`≥ ${schema.minimum}`);
  if (typeof schema.maximum === 'number') checks.push(`≤ ${schema.maximum}`);
  const items = range(schema.minItems, schema.maxItems, ['item', 'items']);
  if (items !== undefined) checks.push(items);
  const entries = range(schema.minProperties, schema.maxProperties, ['entry', 'entries']);
  if (entries !== undefined) checks.push(entries);
  const listType = schema['x-kubernetes-list-type'];
  const mapKeys = schema['x-kubernetes-list-map-keys'];
  if (listType === 'set') checks.push('no duplicates');
  if (listType === 'map' && Array.isArray(mapKeys)) {
    checks.push(`one item per ${mapKeys.map(String).map(code).join(', ')}`);
  }
  // Rules with a fieldPath are about a member; they are listed on its row.
  checks.push(
    ...rulesOf(schema)
      .filter((rule) => rule.fieldPath === undefined)
      .map(describeRule),
  );
  return checks;
}

/**
 * Every field under `schema` (found at `at`), depth first in schema order, with the rules
 * that a parent states about a member (CEL `fieldPath`) on the member's row.
 */
function* fieldsOf(
  schema: JsonSchema,
  at: string,
  required: boolean,
  inherited: readonly CelRule[] = [],
): Generator<{ field: string; schema: JsonSchema; validation: string[] }> {
  yield {
    field: at,
    schema,
    validation: [...validationOf(schema, required), ...inherited.map(describeRule)],
  };
  const { properties, items } = schema;
  if (isSchema(properties)) {
    const requiredMembers = Array.isArray(schema.required) ? schema.required : [];
    const memberRules = rulesOf(schema).filter((rule) => rule.fieldPath !== undefined);
    for (const [name, member] of Object.entries(properties)) {
      if (!isSchema(member)) continue;
      yield* fieldsOf(
        member,
        `${at}.${name}`,
        requiredMembers.includes(name),
        memberRules.filter((rule) => rule.fieldPath === `.${name}`),
      );
    }
  }
  if (isSchema(items) && isSchema(items.properties)) {
    // The items of a list of objects: their members are the fields, the item itself is not.
    for (const row of fieldsOf(items, `${at}[]`, false)) {
      if (row.field !== `${at}[]`) yield row;
    }
  }
}

/** The VVP counterpart of `field` by the longest rule that covers it. */
function counterpartOf(page: KindPage, field: string): string {
  const wholeObject: CounterpartRule = { field: 'spec', counterpart: vvpObject(page) };
  const rules = [wholeObject, ...managedRules(page.vvpKind), ...page.rules].filter(
    (rule) =>
      field === rule.field ||
      field.startsWith(`${rule.field}.`) ||
      field.startsWith(`${rule.field}[`),
  );
  // Kind rules come after the shared ones: on equal length the kind's wins.
  const best = rules.reduce<CounterpartRule | undefined>(
    (chosen, rule) =>
      chosen === undefined || rule.field.length >= chosen.field.length ? rule : chosen,
    undefined,
  );
  if (best === undefined) {
    throw new Error(
      `${page.kind.resource.kind} ${field}: no VVP counterpart is documented; add a rule for it in src/api/mapping-docs.ts`,
    );
  }
  if (best.vvpPath === undefined) return best.counterpart;
  const vvpPath = best.vvpPath + field.slice(best.field.length);
  return `${best.counterpart} ${code(vvpPath)}`;
}

/** Every field of `page`'s kind under `root` (`spec` or `status`). */
export function fieldRows(page: KindPage, root: 'spec' | 'status'): FieldRow[] {
  const schema = toStructural(root === 'spec' ? page.kind.spec : page.kind.status, root);
  const required = root === 'spec' && page.kind.specOptional !== true;
  return [...fieldsOf(schema, root, required)].map(({ field, schema: node, validation }) => ({
    field,
    type: typeOf(node),
    default: defaultOf(node),
    validation,
    counterpart: counterpartOf(page, field),
    description: typeof node.description === 'string' ? prose(node.description) : '',
  }));
}

function table(rows: readonly FieldRow[]): string {
  const cells = (row: FieldRow): string[] => [
    code(row.field),
    row.type,
    row.default,
    row.validation.join('; '),
    row.counterpart,
    row.description,
  ];
  return [
    '| Field | Type | Default | Validation | VVP counterpart | Description |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${cells(row).join(' | ')} |`),
  ].join('\n');
}

function generatedNotice(template: string): string {
  return `<!-- Generated by \`npm run generate:docs\` from the schemas in src/api and ${MAPPING_TEMPLATES_DIRECTORY}/${template}; edit those, not this file. -->`;
}

function pageFile(kind: KindDefinition): string {
  return `${kind.singular}.md`;
}

function kindFacts(page: KindPage): string {
  const { kind } = page;
  return [
    `| | |`,
    `| --- | --- |`,
    `| API version | ${code(`${API_GROUP}/${API_VERSION}`)} |`,
    `| Scope | ${kind.resource.namespaced ? 'Namespaced' : 'Cluster'} |`,
    `| Short names | ${kind.shortNames.map(code).join(', ')} (category ${code(CATEGORY)}: ${code(`kubectl get ${CATEGORY}`)} lists all four kinds) |`,
    `| VVP object | ${vvpObject(page)} |`,
    `| CRD | [config/crd/${kind.resource.plural}.yaml](../../config/crd/${kind.resource.plural}.yaml) |`,
  ].join('\n');
}

function objectRules(kind: KindDefinition): string {
  if (kind.validations === undefined || kind.validations.length === 0) return '';
  return [
    '### Rules on the whole object',
    '',
    'Checked by the API server at admission, with `metadata.name` next to the spec:',
    '',
    ...kind.validations.map((rule) => `- ${describeRule(rule)}`),
    '',
  ].join('\n');
}

function printerColumns(kind: KindDefinition): string {
  return [
    `## \`kubectl get ${kind.resource.plural}\``,
    '',
    '| Column | Shows | Source |',
    '| --- | --- | --- |',
    ...kind.printerColumns.map(
      (column) =>
        `| ${column.name}${column.priority === 1 ? ' (with `-o wide`)' : ''} | ${prose(column.description)} | ${code(column.jsonPath)} |`,
    ),
  ].join('\n');
}

async function template(file: string): Promise<string> {
  const text = await readFile(
    path.join(REPOSITORY_ROOT, MAPPING_TEMPLATES_DIRECTORY, file),
    'utf8',
  );
  return text.trim();
}

async function renderKindPage(page: KindPage): Promise<string> {
  const { kind } = page;
  const file = pageFile(kind);
  return [
    generatedNotice(file),
    '',
    `# ${kind.resource.kind}`,
    '',
    prose(kind.description),
    '',
    kindFacts(page),
    '',
    await template(file),
    '',
    '## Fields',
    '',
    'Every field of the CRD, from the schema in src/api that the CRD is generated from (`kubectl explain` shows the same descriptions). "VVP counterpart" names the field of the VVP object a CR field is sent as, or a status field is read from; fields under a row map to the same path under its counterpart. "required" means required within the object the field is in.',
    '',
    '### spec',
    '',
    table(fieldRows(page, 'spec')),
    '',
    objectRules(kind),
    '### status',
    '',
    'Written only by the operator, through the status subresource.',
    '',
    table(fieldRows(page, 'status')),
    '',
    printerColumns(kind),
    '',
  ].join('\n');
}

async function renderIndex(): Promise<string> {
  const kinds = [
    '| Kind | Scope | Short name | VVP object | Page |',
    '| --- | --- | --- | --- | --- |',
    ...PAGES.map(
      (page) =>
        `| ${page.kind.resource.kind} | ${page.kind.resource.namespaced ? 'Namespaced' : 'Cluster'} | ${page.kind.shortNames.map(code).join(', ')} | ${vvpObject(page)} | [${pageFile(page.kind)}](${pageFile(page.kind)}) |`,
    ),
  ].join('\n');
  return [
    generatedNotice(INDEX_TEMPLATE),
    '',
    '# How the custom resources map to Ververica Platform',
    '',
    kinds,
    '',
    await template(INDEX_TEMPLATE),
    '',
  ].join('\n');
}

/** File name (under {@link MAPPING_DOCS_DIRECTORY}) to Markdown text, for the index and every kind. */
export async function renderMappingDocs(): Promise<Map<string, string>> {
  const pages = await Promise.all(
    PAGES.map(async (page): Promise<[string, string]> => [
      pageFile(page.kind),
      await renderKindPage(page),
    ]),
  );
  return new Map([[INDEX_FILE, await renderIndex()], ...pages]);
}
