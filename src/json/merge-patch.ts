import { cloneJson, isJsonObject, jsonEqual, type Json, type JsonObject } from './json';

/**
 * JSON Merge Patch (RFC 7386): objects merge recursively, `null` removes a member, and every
 * other value (arrays included) replaces the target wholesale. Neither input is modified.
 */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result = new Map(Object.entries(isJsonObject(target) ? cloneJson(target) : {}));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) result.delete(key);
    else result.set(key, applyMergePatch(result.get(key), value));
  }
  return Object.fromEntries(result);
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
    if (isJsonObject(old) && isJsonObject(value)) {
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

function toJson(value: unknown): Json {
  // Round-trip drops undefined members and turns Dates into strings, exactly as the wire will.
  return JSON.parse(JSON.stringify(value)) as Json;
}
