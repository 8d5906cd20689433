import { describe, expect, it } from '@jest/globals';
import { healthHandler, listen } from './servers';

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
