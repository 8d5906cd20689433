import { cloneJson, isJsonObject, type Json } from './json';

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
