import { isJsonObject, type Json } from '../json';

/** A field of an input object the converter did not carry over, and why. */
export interface DroppedField {
  /** Where it was in the input, e.g. `spec.spec.startFromSavepoint` or `metadata.annotations["x/id"]`. */
  path: string;
  why: string;
}

/** Metadata the API server fills in: never the user's intent, so never reported. */
const SERVER_METADATA = new Set([
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
]);
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** `metadata.annotations["a/b"]`: dotted where a key is a plain name, bracketed otherwise. */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return index === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}

/**
 * One input object, read field by field: every field the converter takes or drops (with a
 * reason) is marked, and {@link leftovers} names every other one, so that nothing is lost
 * without being reported.
 */
export class SourceFields {
  readonly #root: Json;
  readonly #handled = new Set<string>();
  readonly #dropped: DroppedField[] = [];

  constructor(root: Json) {
    this.#root = root;
    this.#handled.add(formatPath(['apiVersion']));
    this.#handled.add(formatPath(['kind']));
    for (const key of SERVER_METADATA) this.#handled.add(formatPath(['metadata', key]));
    this.#handled.add(formatPath(['metadata', 'annotations', LAST_APPLIED]));
  }

  /** The value at `path` (undefined when absent), marked as carried over. */
  take(...path: (string | number)[]): Json | undefined {
    this.#handled.add(formatPath(path));
    return this.peek(...path);
  }

  /** The value at `path`, without marking it. */
  peek(...path: (string | number)[]): Json | undefined {
    let current: Json | undefined = this.#root;
    for (const key of path) {
      if (typeof key === 'number') {
        current = Array.isArray(current) ? current[key] : undefined;
      } else {
        current = isJsonObject(current) ? current[key] : undefined;
      }
      if (current === undefined) return undefined;
    }
    return current;
  }

  /** A string at `path`, taken; undefined when absent or not a string. */
  takeString(...path: (string | number)[]): string | undefined {
    const value = this.take(...path);
    return typeof value === 'string' ? value : undefined;
  }

  /** Records `path` as not carried over, with `why`, when the input has it. */
  drop(path: readonly (string | number)[], why: string): void {
    const formatted = formatPath(path);
    this.#handled.add(formatted);
    if (this.peek(...path) !== undefined) this.#dropped.push({ path: formatted, why });
  }

  /** Every field dropped on purpose, then every field nobody took or dropped. */
  droppedFields(): DroppedField[] {
    const leftovers: DroppedField[] = [];
    this.#collectLeftovers(this.#root, [], leftovers);
    return [...this.#dropped, ...leftovers];
  }

  #collectLeftovers(value: Json, path: (string | number)[], into: DroppedField[]): void {
    if (path.length > 0 && this.#handled.has(formatPath(path))) return;
    const children: [string | number, Json][] = Array.isArray(value)
      ? value.map((item, index): [number, Json] => [index, item])
      : isJsonObject(value)
        ? Object.entries(value)
        : [];
    const here = formatPath(path);
    const handledBelow = [...this.#handled].some(
      (handled) =>
        path.length === 0 || handled.startsWith(`${here}.`) || handled.startsWith(`${here}[`),
    );
    if (path.length > 0 && (children.length === 0 || !handledBelow)) {
      into.push({ path: here, why: 'vp-operator has no counterpart for this field' });
      return;
    }
    for (const [key, child] of children) this.#collectLeftovers(child, [...path, key], into);
  }
}
