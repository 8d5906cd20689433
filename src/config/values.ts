import { parseListenAddress } from '../net/listen-address';

/**
 * Parsers for configuration values. Each throws an Error whose message says what was
 * expected; the caller adds which flag or variable the value came from.
 */

/** An absolute http(s) URL with no trailing slash, query or fragment. */
export function parseApiBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `${JSON.stringify(value)} is not a URL; expected an absolute http(s) URL such as http://vvp:8080/api`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${JSON.stringify(value)} must use http:// or https://`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new Error(`${JSON.stringify(value)} must not have a query or fragment`);
  }
  if (value.endsWith('/')) {
    throw new Error(
      `${JSON.stringify(value)} ends with a slash; give the base URL without it, e.g. ${JSON.stringify(value.replace(/\/+$/, ''))}`,
    );
  }
  return value;
}

/** `[host]:port`, or `0` to disable the endpoint; kept as written for the manager. */
export function parseAddress(value: string): string {
  parseListenAddress(value);
  return value;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A Kubernetes namespace name (an RFC 1123 label). */
export function parseNamespaceName(name: string): string {
  if (!DNS_LABEL.test(name)) {
    throw new Error(
      `${JSON.stringify(name)} is not a Kubernetes namespace name; expected lower-case letters, digits and '-' (at most 63)`,
    );
  }
  return name;
}

/** A comma-separated list of Kubernetes namespace names; empty = all namespaces. */
export function parseNamespaceList(value: string): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return [...new Set(names.map(parseNamespaceName))];
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/;

/** The name of a Kubernetes object of `kind` (Lease, Secret, …): an RFC 1123 subdomain. */
export function objectNameParser(kind: string): (value: string) => string {
  return (value) => {
    if (!DNS_SUBDOMAIN.test(value)) {
      throw new Error(
        `${JSON.stringify(value)} is not a valid ${kind} name; expected lower-case letters, digits, '-' and '.'`,
      );
    }
    return value;
  };
}

const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;

/** A non-empty Kubernetes label value. */
export function parseLabelValue(value: string): string {
  if (!LABEL_VALUE.test(value)) {
    throw new Error(
      `${JSON.stringify(value)} is not a Kubernetes label value; expected at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`,
    );
  }
  return value;
}

/** A finite number above zero; fractions allowed. */
export function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new Error(`${JSON.stringify(value)} is not a number above 0`);
  }
  return number;
}

/** A whole number of at least 1. */
export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new Error(`${JSON.stringify(value)} is not a whole number of at least 1`);
  }
  return number;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration such as `90s`, `5m` or `1h30m` (Go style), in milliseconds; at least one second. */
export function parseDuration(value: string): number {
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const consumed = parts.map((part) => part[0]).join('');
  if (parts.length === 0 || consumed !== value) {
    throw new Error(
      `${JSON.stringify(value)} is not a duration; expected a number with a unit (ms, s, m, h) such as 30s, 5m or 1h30m`,
    );
  }
  const total = parts.reduce(
    (sum, part) => sum + Number(part[1]) * (DURATION_UNITS_MS[part[2] ?? ''] ?? 0),
    0,
  );
  if (total < 1000) throw new Error(`${JSON.stringify(value)} is shorter than the minimum of 1s`);
  return total;
}
