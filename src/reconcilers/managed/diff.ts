import { isJsonObject, jsonEqual, type Json, type JsonObject } from '../../json';

/** Where the CR differs from VVP on the fields it manages, and the merge patch that repairs it. */
export interface ManagedDifference {
  /** Dotted paths of the differing fields, prefixed as the caller asked (e.g. `spec.spec`). */
  paths: string[];
  /** An RFC 7386 merge patch carrying only the differing members; undefined when none differ. */
  patch: JsonObject | undefined;
}

/**
 * Compares `desired` with `observed` on the members `desired` sets, PATCH-style: a member the
 * CR leaves out is not managed (VVP's value and defaults stand), objects are compared member by
 * member, arrays and scalars as a whole (as a merge patch replaces them). `null` and
 * `undefined` in `desired` mean "not managed", never "remove".
 */
export function diffManaged(
  desired: Readonly<Record<string, unknown>>,
  observed: unknown,
  prefix = '',
): ManagedDifference {
  const paths: string[] = [];
  const patch = differingMembers(desired, isJsonObject(observed) ? observed : {}, prefix, paths);
  return { paths, patch };
}

function differingMembers(
  desired: Readonly<Record<string, unknown>>,
  observed: Readonly<Record<string, unknown>>,
  prefix: string,
  paths: string[],
): JsonObject | undefined {
  const patch: JsonObject = {};
  for (const [key, want] of Object.entries(desired)) {
    if (want === undefined || want === null) continue;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const have = observed[key];
    if (isJsonObject(want)) {
      const nested = differingMembers(want, isJsonObject(have) ? have : {}, path, paths);
      if (nested !== undefined) patch[key] = nested;
      continue;
    }
    if (jsonEqual(want, have)) continue;
    paths.push(path);
    // CR specs arrive as parsed JSON from the API server, so every value is JSON already.
    patch[key] = want as Json;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}
