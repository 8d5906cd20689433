import { describe, expect, it } from '@jest/globals';
import { healthHandler, listen, parseListenAddress } from './servers';

describe('parseListenAddress', () => {
  it('parses host:port forms and 0 as disabled', () => {
    expect(parseListenAddress(':8080')).toEqual({ host: undefined, port: 8080 });
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('[::1]:8081')).toEqual({ host: '::1', port: 8081 });
    expect(parseListenAddress('0')).toBeUndefined();
  });

  it('rejects anything else with an example of the expected form', () => {
    for (const bad of ['8080', 'localhost', ':99999', '::1:80', 'host:port']) {
      expect(() => parseListenAddress(bad)).toThrow(/is not a listen address: use \[host\]:port/);
    }
  });
});

describe('health endpoints', () => {
  it('serve ok, failing checks with reasons, and 404 elsewhere', async () => {
    let synced = false;
    const endpoint = await listen(
      'health',
      { host: '127.0.0.1', port: 0 },
      healthHandler(
        [{ name: 'informers', check: () => undefined }],
        [
          {
            name: 'informers-synced',
            check: () => (synced ? undefined : 'caches not synced yet: widget'),
          },
        ],
      ),
    );
    try {
      const base = `http://127.0.0.1:${endpoint.port}`;
      const healthz = await fetch(`${base}/healthz`);
      expect([healthz.status, await healthz.text()]).toEqual([200, 'ok']);
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(500);
      expect(await notReady.text()).toContain(
        '[-]informers-synced failed: caches not synced yet: widget',
      );
      synced = true;
      const ready = await fetch(`${base}/readyz?verbose`);
      expect(ready.status).toBe(200);
      expect(await ready.text()).toContain('[+]informers-synced ok');
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      await endpoint.close();
    }
  });

  it('reports a port already in use clearly', async () => {
    const first = await listen('metrics server', { host: '127.0.0.1', port: 0 }, () => undefined);
    try {
      await expect(
        listen('metrics server', { host: '127.0.0.1', port: first.port }, () => undefined),
      ).rejects.toThrow(`metrics server cannot listen on 127.0.0.1:${first.port}: EADDRINUSE`);
    } finally {
      await first.close();
    }
  });
});
