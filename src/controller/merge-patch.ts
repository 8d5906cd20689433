/** A JSON value as it travels to and from the API server. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = Record<string, JsonValue>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON-like values; `undefined` and `null` members count as absent. */
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
      const left = a[key] ?? undefined;
      const right = b[key] ?? undefined;
      if (!jsonEqual(left, right)) return false;
    }
    return true;
  }
  return false;
}

/**
 * The RFC 7386 JSON merge patch that turns `before` into `after`, or `undefined` when they
 * are equal. Removed members become `null`; arrays are replaced whole, as merge patch demands.
 */
export function createMergePatch(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): JsonObject | undefined {
  const patch: JsonObject = {};
  const previous = before ?? {};
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined || value === null) continue;
    const old = previous[key];
    if (jsonEqual(old, value)) continue;
    if (isPlainObject(old) && isPlainObject(value)) {
      const nested = createMergePatch(old, value);
      if (nested !== undefined) patch[key] = nested;
    } else {
      patch[key] = toJson(value);
    }
  }
  for (const [key, old] of Object.entries(previous)) {
    if (old !== undefined && old !== null && (after[key] === undefined || after[key] === null)) {
      patch[key] = null;
    }
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

function toJson(value: unknown): JsonValue {
  // Round-trip drops undefined members and turns Dates into strings, exactly as the wire will.
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}
