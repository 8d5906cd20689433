import { parseAllDocuments } from 'yaml';
import { isJsonObject, type Json } from '../json';
import { InvalidInputError, type SourceObject } from './convert';

/**
 * The objects of one YAML file: every document, and every item of a `kind: List` document
 * (what `kubectl get -o yaml` writes), each with its 1-based position. Empty documents are
 * skipped; a document that is not a mapping, or YAML that does not parse, is an error naming
 * the file and the document.
 */
export function readYamlObjects(text: string, file: string): SourceObject[] {
  const objects: SourceObject[] = [];
  let index = 0;
  for (const document of parseAllDocuments(text)) {
    index += 1;
    const [error] = document.errors;
    if (error !== undefined) {
      throw new InvalidInputError({ file, index }, 'YAML', error.message.split('\n')[0] ?? '');
    }
    const value = document.toJS() as Json | null | undefined;
    if (value === null || value === undefined) continue;
    if (!isJsonObject(value)) {
      throw new InvalidInputError({ file, index }, '(document)', 'is not a mapping (an object)');
    }
    if (value.kind === 'List' || (typeof value.kind === 'string' && value.kind.endsWith('List'))) {
      const items = value.items;
      if (!Array.isArray(items)) {
        throw new InvalidInputError({ file, index }, 'items', 'a List needs an items array');
      }
      items.forEach((item, position) => {
        if (!isJsonObject(item)) {
          throw new InvalidInputError(
            { file, index, item: position + 1 },
            `items[${position}]`,
            'is not a mapping (an object)',
          );
        }
        objects.push({ file, index, item: position + 1, object: item });
      });
      continue;
    }
    objects.push({ file, index, object: value });
  }
  return objects;
}
