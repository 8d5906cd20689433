import { describe, expect, it } from '@jest/globals';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, isRetryable, parseRetryAfterMs } from './retry';

describe('isRetryable', () => {
  it.each([
    ['GET', { kind: 'http', status: 503 }, true],
    ['DELETE', { kind: 'http', status: 429 }, true],
    ['PUT', { kind: 'timeout' }, true],
    ['GET', { kind: 'http', status: 500 }, false],
    ['GET', { kind: 'http', status: 404 }, false],
    ['POST', { kind: 'http', status: 503 }, false],
    ['POST', { kind: 'http', status: 429 }, false],
    ['POST', { kind: 'timeout' }, false],
    ['POST', { kind: 'network' }, false],
    ['POST', { kind: 'not-sent' }, true],
  ] as const)('%s after %j: %p', (method, failure, expected) => {
    expect(isRetryable(method, failure)).toBe(expected);
  });
});

describe('backoffDelayMs', () => {
  it('doubles up to the maximum and keeps at least half of it', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 100, maxDelayMs: 1000 };
    const floor = [1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(policy, retry, () => 0));
    expect(floor).toEqual([50, 100, 200, 400, 500, 500]);
    expect(backoffDelayMs(policy, 6, () => 0.99)).toBe(995);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
  });

  it('treats a date in the past as no wait and garbage as absent', () => {
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('-5', now)).toBeUndefined();
    expect(parseRetryAfterMs('', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});
