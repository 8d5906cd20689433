import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import {
  ANNOTATION_ADOPT,
  ANNOTATION_PAUSED,
  ANNOTATION_RECONCILE_REQUESTED_AT,
  ANNOTATION_FORCE_ORPHAN,
  FINALIZER,
  LABEL_INSTANCE,
  OWNER_LABELS,
} from './constants';
import { customResourceDefinition, type JsonSchema } from './crd';
import { expectGeneratedFilesCurrent } from './generated-files';
import { KINDS, REPOSITORY_ROOT } from './kinds';
import {
  MAPPING_DOCS_DIRECTORY,
  PAGES,
  celMessageText,
  describeRule,
  fieldRows,
  renderMappingDocs,
} from './mapping-docs';

describe('docs/mappings', () => {
  it('is exactly what `npm run generate:docs` writes', async () => {
    await expectGeneratedFilesCurrent(
      MAPPING_DOCS_DIRECTORY,
      await renderMappingDocs(),
      '.md',
      'npm run generate:docs',
    );
  });

  it('has one page per kind', () => {
    expect(PAGES.map((page) => page.kind)).toEqual(KINDS);
  });

  it('names every control annotation and label, and the finalizer', async () => {
    const index = (await renderMappingDocs()).get('README.md') ?? '';
    const names = [
      FINALIZER,
      LABEL_INSTANCE,
      ANNOTATION_PAUSED,
      ANNOTATION_ADOPT,
      ANNOTATION_RECONCILE_REQUESTED_AT,
      ANNOTATION_FORCE_ORPHAN,
      ...Object.values(OWNER_LABELS),
    ];
    expect(names.filter((name) => !index.includes(`\`${name}`))).toEqual([]);
  });
});

describe.each(PAGES)('the $kind.resource.kind page', (page) => {
  it('gives every spec and status field a VVP counterpart and a description', () => {
    const rows = [...fieldRows(page, 'spec'), ...fieldRows(page, 'status')];
    expect(rows.filter((row) => row.counterpart === '' || row.description === '')).toEqual([]);
  });

  it('maps the VVP metadata and spec by the layout', () => {
    const counterparts = new Map(
      fieldRows(page, 'spec').map((row) => [row.field, row.counterpart]),
    );
    if (page.kind.resource.kind === 'VpNamespace') {
      expect(counterparts.get('spec.roleBindings[].members')).toBe(
        'Namespace `roleBindings[].members`',
      );
      return;
    }
    expect(counterparts.get('spec.metadata.namespace')).toMatch(/ `metadata\.namespace`$/);
    expect(counterparts.get('spec.deletionPolicy')).toMatch(/^operator only/);
  });
});

describe('rule descriptions', () => {
  it('turn a message expression into text, fields of self as <field>', () => {
    expect(celMessageText(`'metadata.name "' + self.metadata.name + '" is not valid'`)).toBe(
      'metadata.name "<metadata.name>" is not valid',
    );
    expect(celMessageText(`'it is "' + (has(self.a) ? self.a : self.b) + '"'`)).toBe('it is "<…>"');
    expect(celMessageText(`'don\\'t'`)).toBe("don't");
    expect(celMessageText(`'unterminated`)).toBeUndefined();
  });

  it('show a pattern rule as its pattern, a rule without a message as CEL', () => {
    expect(describeRule({ rule: "self.matches('^[a-z]+$')" })).toBe('matches `^[a-z]+$`');
    expect(describeRule({ rule: 'self.a || self.b' })).toBe('CEL `self.a \\|\\| self.b`');
    expect(describeRule({ rule: 'self > 0', message: 'must be <positive>' })).toBe(
      'must be &lt;positive>',
    );
  });
});

describe('the README', () => {
  // Formats and CEL rules are the API server's to check; the structure, types, enums and
  // bounds are checked here.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });

  function openApiSchema(crd: JsonSchema): JsonSchema {
    const [version] = (crd.spec as { versions: { schema: { openAPIV3Schema: JsonSchema } }[] })
      .versions;
    if (version === undefined) throw new Error('no version');
    return version.schema.openAPIV3Schema;
  }

  it.each(KINDS.map((kind) => ({ kind: kind.resource.kind, definition: kind })))(
    'shows examples/ for $kind, which fits the CRD schema',
    async ({ definition }) => {
      const file = `examples/${definition.singular}.yaml`;
      const example = await readFile(path.join(REPOSITORY_ROOT, file), 'utf8');
      const readme = await readFile(path.join(REPOSITORY_ROOT, 'README.md'), 'utf8');
      expect(readme).toContain(`\`\`\`yaml\n${example.trimEnd()}\n\`\`\``);

      const validate = ajv.compile(openApiSchema(customResourceDefinition(definition)));
      const object: unknown = parse(example);
      validate(object);
      expect(validate.errors ?? []).toEqual([]);
      expect(object).toMatchObject({ kind: definition.resource.kind });
    },
  );
});
