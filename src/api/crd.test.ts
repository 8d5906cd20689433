import { describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import type { Condition } from '../controller';
import { customResourceDefinition, toStructural, type JsonSchema } from './crd';
import { expectGeneratedFilesCurrent } from './generated-files';
import { CHART_CRD_DIRECTORY, CRD_DIRECTORY, KINDS, renderCrdFiles } from './kinds';
import { string } from './schema';
import type {
  DeploymentDeletionPolicy,
  ManagedSpec,
  ManagedStatus,
  VpDeploymentSpec,
  VpDeploymentTargetSpec,
  VpNamespaceSpec,
  VpSavepointSpec,
} from './index';

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every schema node under `schema` with its path; `field` marks properties (and the root). */
function* walk(
  schema: JsonSchema,
  at: string,
  field = true,
): Generator<{ at: string; schema: JsonSchema; field: boolean }> {
  yield { at, schema, field };
  const { properties, items, additionalProperties } = schema;
  if (isSchema(properties)) {
    for (const [name, member] of Object.entries(properties)) {
      if (isSchema(member)) yield* walk(member, `${at}.${name}`);
    }
  }
  if (isSchema(items)) yield* walk(items, `${at}[*]`, false);
  if (isSchema(additionalProperties)) yield* walk(additionalProperties, `${at}.*`, false);
}

function rootSchema(crd: JsonSchema): JsonSchema {
  const versions = (crd.spec as { versions: { schema: { openAPIV3Schema: JsonSchema } }[] })
    .versions;
  const [version] = versions;
  if (version === undefined) throw new Error('no version');
  return version.schema.openAPIV3Schema;
}

const crds = KINDS.map((kind) => ({
  kind: kind.resource.kind,
  schema: rootSchema(customResourceDefinition(kind)),
}));

describe.each([CRD_DIRECTORY, CHART_CRD_DIRECTORY])('%s', (directory) => {
  it('is exactly what `npm run generate:crds` writes', async () => {
    await expectGeneratedFilesCurrent(
      directory,
      await renderCrdFiles(),
      '.yaml',
      'npm run generate:crds',
    );
  });
});

describe.each(crds)('the $kind schema', ({ schema }) => {
  const nodes = [...walk(schema, '')];

  it('describes every field, so `kubectl explain` documents the whole API', () => {
    const undocumented = nodes
      // metadata is the API server's (ObjectMeta), documented by it.
      .filter(({ at }) => at !== '.metadata')
      .filter(({ field, schema: node }) => field && typeof node.description !== 'string')
      .map(({ at }) => at);
    expect(undocumented).toEqual([]);
  });

  it('is structural: every node has a type or explicitly keeps unknown fields', () => {
    const untyped = nodes
      .filter(
        ({ schema: node }) =>
          node.type === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true,
      )
      .map(({ at }) => at);
    expect(untyped).toEqual([]);
  });

  it('bounds what its CEL rules iterate or match, so they stay within the cost budget', () => {
    const unbounded = nodes.flatMap(({ at, schema: node }) => {
      const rules = (node['x-kubernetes-validations'] ?? []) as { rule: string }[];
      return rules.flatMap(({ rule }) => {
        if (
          /\bself\.all\(/.test(rule) &&
          node.maxProperties === undefined &&
          node.maxItems === undefined
        ) {
          return [`${at}: ${rule}`];
        }
        if (/^self\.matches\(/.test(rule) && node.maxLength === undefined)
          return [`${at}: ${rule}`];
        return [];
      });
    });
    expect(unbounded).toEqual([]);
  });

  it('keeps unknown fields only where VVP owns the shape', () => {
    const openOutsideVvpOwnedShapes = nodes
      .filter(({ schema: node }) => node['x-kubernetes-preserve-unknown-fields'] === true)
      .map(({ at }) => at)
      .filter(
        (at) =>
          !/(initFields|kubernetes\.\w+|deploymentPatchSet\[\*\]|flinkConfiguration\.\*)$/.test(at),
      );
    expect(openOutsideVvpOwnedShapes).toEqual([]);
  });
});

describe('toStructural', () => {
  it('refuses keywords a structural schema cannot carry, naming where', () => {
    expect(() =>
      toStructural(
        Type.Record(Type.String(), Type.String(), { description: 'a map' }),
        'spec.labels',
      ),
    ).toThrow(/spec\.labels: keyword "patternProperties" is not allowed/);
    expect(() =>
      toStructural(
        Type.Union([Type.Literal('a'), Type.Literal('b')], { description: 'a choice' }),
        'spec.choice',
      ),
    ).toThrow(/spec\.choice: keyword "anyOf" is not allowed/);
  });

  it('refuses a field without a description', () => {
    expect(() =>
      toStructural(
        Type.Object({ documented: string('yes'), bare: Type.String() }, { description: 'x' }),
        'spec',
      ),
    ).toThrow(/spec\.bare: every field needs a description/);
  });
});

// Compile-time checks: the inferred types keep the shapes the rest of the operator codes to.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const conditionsMatchTheCore: Equal<NonNullable<ManagedStatus['conditions']>[number], Condition> =
  true;
const specsCarryTheManagedFields: [
  VpNamespaceSpec extends ManagedSpec ? true : false,
  VpDeploymentTargetSpec extends ManagedSpec ? true : false,
  VpSavepointSpec extends ManagedSpec ? true : false,
  VpDeploymentSpec extends ManagedSpec<DeploymentDeletionPolicy> ? true : false,
] = [true, true, true, true];

describe('the TypeScript types', () => {
  it('agree with the core and the shared spec fields (checked by the compiler)', () => {
    expect(conditionsMatchTheCore).toBe(true);
    expect(specsCarryTheManagedFields).toEqual([true, true, true, true]);
  });
});
