import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { VP_DEPLOYMENT, VP_DEPLOYMENT_TARGET, VP_NAMESPACE, VP_SAVEPOINT } from '../api';

/** The repository's examples/: one object of each kind, the ones the README shows. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

/** Dependencies first: a target needs its VVP namespace, a savepoint its deployment. */
const APPLY_ORDER = [VP_NAMESPACE, VP_DEPLOYMENT_TARGET, VP_DEPLOYMENT, VP_SAVEPOINT];
const KINDS = APPLY_ORDER.map((descriptor) => descriptor.kind);

/** One object of an example file, as the demo applies and checks it. */
export interface ExampleObject {
  file: string;
  kind: string;
  name: string;
  /** Where kubectl puts it: the file's namespace, else `default` for namespaced kinds. */
  namespace: string | undefined;
}

interface ManifestHead {
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown };
}

/** The objects in `dir`'s YAML files, in the order they can be applied in. */
export async function readExamples(dir = EXAMPLES_DIR): Promise<ExampleObject[]> {
  const files = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  const objects: ExampleObject[] = [];
  for (const name of files) {
    const file = join(dir, name);
    for (const document of parseAllDocuments(await readFile(file, 'utf8'))) {
      const head = document.toJS() as ManifestHead | null;
      if (head === null) continue;
      const descriptor = APPLY_ORDER.find((candidate) => candidate.kind === head.kind);
      const objectName = head.metadata?.name;
      if (descriptor === undefined || typeof objectName !== 'string') {
        throw new Error(`${file}: expected one of ${KINDS.join(', ')} with a metadata.name`);
      }
      const namespace = head.metadata?.namespace;
      objects.push({
        file,
        kind: descriptor.kind,
        name: objectName,
        namespace: !descriptor.namespaced
          ? undefined
          : typeof namespace === 'string'
            ? namespace
            : 'default',
      });
    }
  }
  if (objects.length === 0) throw new Error(`${dir} holds no example objects`);
  return objects.sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
}

/** `VpDeployment default/top-speed-windowing`. */
export function describeExample(object: ExampleObject): string {
  const where = object.namespace === undefined ? '' : `${object.namespace}/`;
  return `${object.kind} ${where}${object.name}`;
}
