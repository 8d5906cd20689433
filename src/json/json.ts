/** JSON values as they travel over the wire (to the API server, to VVP) and sit in stores. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy, so stored objects never share structure with request or response bodies. */
export function cloneJson<T extends Json>(value: T): T {
  return structuredClone(value);
}

/**
 * Structural equality of JSON-like values (object key order does not matter). `null` and
 * `undefined` members count as absent, as they do in a JSON merge patch.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, index) => jsonEqual(item, b[index]))
    );
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      if (!jsonEqual(a[key] ?? undefined, b[key] ?? undefined)) return false;
    }
    return true;
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `key`, or undefined when absent or not an object. */
export function objectAt(parent: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = parent?.[key];
  return isJsonObject(value) ? value : undefined;
}

/** The string at `key`, or undefined when absent or not a string. */
export function stringAt(parent: JsonObject | undefined, key: string): string | undefined {
  const value = parent?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** The number at `key`, or undefined when absent or not a number. */
export function numberAt(parent: JsonObject | undefined, key: string): number | undefined {
  const value = parent?.[key];
  return typeof value === 'number' ? value : undefined;
}

/** The string-valued entries of the map at `key` (labels, annotations). */
export function stringMapAt(parent: JsonObject | undefined, key: string): Record<string, string> {
  const map = objectAt(parent, key) ?? {};
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) if (typeof v === 'string') result[k] = v;
  return result;
}
