// config/kustomizeconfig against the CRDs: every field of a CRD that names another object (a
// property ending in Ref with a `name`) has its nameReference entry, under the kind it names,
// so kustomize rewrites it when a generator or namePrefix renames that object.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CRD_DIRECTORY, REPOSITORY_ROOT } from '../../src/api/kinds';

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { schema: { openAPIV3Schema: SchemaNode } }[];
  };
}

interface NameReference {
  kind: string;
  fieldSpecs: { group: string; kind: string; path: string }[];
}

/** `<kind> <path>` of every `*Ref` object property with a `name`, and the kind it names. */
function referenceFields(crd: Crd): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (node: SchemaNode, at: string[]) => {
    for (const [property, child] of Object.entries(node.properties ?? {})) {
      const path = [...at, property];
      if (property.endsWith('Ref') && child.properties?.name !== undefined) {
        found.set(
          `${crd.spec.names.kind} ${[...path, 'name'].join('/')}`,
          referencedKind(property),
        );
      }
      walk(child, path);
    }
    if (node.items !== undefined) walk(node.items, at);
  };
  for (const version of crd.spec.versions) walk(version.schema.openAPIV3Schema, []);
  return found;
}

/** apiTokenSecretRef names a Secret, deploymentTargetRef a VpDeploymentTarget. */
function referencedKind(property: string): string {
  const kubernetesKind = /(Secret|ConfigMap)Ref$/.exec(property)?.[1];
  if (kubernetesKind !== undefined) return kubernetesKind;
  const name = property.replace(/Ref$/, '');
  return `Vp${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

describe('config/kustomizeconfig/name-references.yaml', () => {
  it('has a nameReference for every reference field of the CRDs, and no other', () => {
    const directory = join(REPOSITORY_ROOT, CRD_DIRECTORY);
    const crds = readdirSync(directory)
      .filter((file) => file.endsWith('.yaml'))
      .map((file) => parse(readFileSync(join(directory, file), 'utf8')) as Crd);
    const expected = new Map(crds.flatMap((crd) => [...referenceFields(crd)]));
    expect(expected.size).toBeGreaterThanOrEqual(6);

    const { nameReference } = parse(
      readFileSync(join(REPOSITORY_ROOT, 'config/kustomizeconfig/name-references.yaml'), 'utf8'),
    ) as { nameReference: NameReference[] };
    const configured = new Map(
      nameReference.flatMap((reference) =>
        reference.fieldSpecs.map((spec): [string, string] => {
          expect(spec.group).toBe('vpoperator.dev');
          return [`${spec.kind} ${spec.path}`, reference.kind];
        }),
      ),
    );
    expect(Object.fromEntries(configured)).toEqual(Object.fromEntries(expected));
  });
});
