/**
 * How deeply a request body may nest objects and arrays. VVP reads JSON with Jackson, whose
 * `StreamReadConstraints` refuse documents nested deeper than 1,000 levels by default; the
 * simulator refuses them too, before anything recursive (merge patch, cloning, serialising)
 * can meet them.
 */
export const MAX_NESTING_DEPTH = 1000;

export function nestingProblem(limit: number = MAX_NESTING_DEPTH): string {
  return (
    `Request body nests objects and arrays deeper than ${limit} levels, the limit ` +
    `(as VVP's JSON parser, Jackson, allows by default)`
  );
}

/** Whether JSON text opens more than `limit` objects and arrays at once (no recursion, strings skipped). */
export function jsonTextTooDeep(text: string, limit: number = MAX_NESTING_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      depth++;
      if (depth > limit) return true;
    } else if (char === 0x7d || char === 0x5d) depth--;
  }
  return false;
}

/** Whether a parsed value nests more than `limit` objects and arrays (iterative). */
export function valueTooDeep(value: unknown, limit: number = MAX_NESTING_DEPTH): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth > limit) return true;
    for (const child of Object.values(next.value))
      stack.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}
