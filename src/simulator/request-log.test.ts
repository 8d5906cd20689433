import { describe, expect, it } from '@jest/globals';
import { RequestLog, type RequestLogEntry } from './request-log';

const entry = (n: number): RequestLogEntry => ({
  at: new Date(n).toISOString(),
  method: 'GET',
  url: `/api/v1/status?n=${n}`,
  operationId: 'getStatus',
  status: 200,
  durationMs: 1,
  fault: false,
});

describe('RequestLog', () => {
  it('keeps the last entries oldest first and counts the dropped ones', () => {
    const log = new RequestLog(3);
    for (let n = 1; n <= 5; n++) log.record(entry(n));
    const { entries, dropped } = log.snapshot();
    expect(entries.map((e) => e.url)).toEqual([
      '/api/v1/status?n=3',
      '/api/v1/status?n=4',
      '/api/v1/status?n=5',
    ]);
    expect(dropped).toBe(2);
    log.clear();
    log.record(entry(6));
    expect(log.snapshot()).toEqual({ entries: [entry(6)], dropped: 0 });
  });
});
