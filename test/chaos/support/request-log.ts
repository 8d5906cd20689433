// Queries over the simulator's request log: how hard the operator drove VVP, when, and about
// which object.
import type { RequestLogEntry, RunningSimulator } from '../../../src/simulator';

/** The log's entries, refusing a log that dropped some (the counts would be too low). */
export function requestLog(simulator: RunningSimulator): RequestLogEntry[] {
  const { entries, dropped } = simulator.admin.requests();
  if (dropped > 0) throw new Error(`the simulator's request log dropped ${dropped} entries`);
  return entries;
}

/** Entries that arrived in [from, to) (epoch milliseconds). */
export function requestsBetween(
  entries: readonly RequestLogEntry[],
  from: number,
  to: number,
): RequestLogEntry[] {
  return entries.filter((entry) => {
    const at = Date.parse(entry.at);
    return at >= from && at < to;
  });
}

/** Entries whose path names `id` (a deployment or savepoint id, a name). */
export function requestsAbout(entries: readonly RequestLogEntry[], id: string): RequestLogEntry[] {
  return entries.filter((entry) => entry.url.includes(id));
}

/** Requests counted per key (e.g. the object each is about), highest first. */
export function countBy(
  entries: readonly RequestLogEntry[],
  keyOf: (entry: RequestLogEntry) => string | undefined,
): [string, number][] {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const key = keyOf(entry);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/**
 * The most requests that arrived in any window of `windowMs` (sliding over the arrivals): what
 * a token bucket of rate r and burst b bounds by r × window + b.
 */
export function peakRequestsInWindow(
  entries: readonly RequestLogEntry[],
  windowMs: number,
): number {
  const times = entries.map((entry) => Date.parse(entry.at)).sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start += 1;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

/** The VVP object id in a request path, e.g. a deployment's in `/deployments/<id>`. */
export function idInPath(
  url: string,
  collection: 'deployments' | 'savepoints',
): string | undefined {
  return new RegExp(`/${collection}/([0-9a-f-]{36})`).exec(url)?.[1];
}
