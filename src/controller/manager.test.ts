import { describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { testLogger } from '../testing/test-logger';
import { WIDGET } from '../testing/widget';
import { Manager, type ManagerOptions } from './manager';
import { SECRET } from './secrets';

const reconciler = { reconcile: () => Promise.resolve(undefined) };

/** A kubeconfig pointing at a port nothing listens on: every request fails fast. */
function unreachableCluster(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:9', skipTLSVerify: true }],
    users: [{ name: 'u', token: 'not-a-real-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kubeConfig;
}

function manager(overrides: Partial<ManagerOptions> = {}): Manager {
  return new Manager({
    kubeConfig: unreachableCluster(),
    logger: testLogger,
    registry: new Registry(),
    metricsAddr: '127.0.0.1:0',
    healthProbeAddr: '127.0.0.1:0',
    ...overrides,
  });
}

describe('Manager', () => {
  it('rejects bad configuration with the field to fix', () => {
    expect(() => manager({ metricsAddr: '8080' })).toThrow(/"8080" is not a listen address/);
    expect(() => manager({ resyncPeriod: -1 })).toThrow(
      /resyncPeriod must be a duration in milliseconds \(0 or more\), got -1/,
    );
    expect(() => manager({ maxConcurrentReconciles: 0 })).toThrow(
      /maxConcurrentReconciles must be a positive integer, got 0/,
    );
    expect(() =>
      manager({ leaderElection: { enabled: true, namespace: '', name: 'lease' } }),
    ).toThrow(/leader election is enabled but the Lease namespace or name is empty/);
    const m = manager();
    expect(() => {
      m.addController({ name: 'w', resource: { ...WIDGET, group: '' }, reconciler });
    }).toThrow(/controller w: invalid resource: group "" is not a DNS subdomain/);
    expect(() => {
      m.addController({
        name: 'w',
        resource: { ...WIDGET, plural: 'Widgets', kind: 'widget' },
        reconciler,
      });
    }).toThrow(
      /plural "Widgets" must be lower-case letters and digits; kind "widget" must be CamelCase/,
    );
    m.addController({ name: 'w', resource: WIDGET, reconciler });
    expect(() => {
      m.addController({ name: 'w', resource: WIDGET, reconciler });
    }).toThrow(/registered twice/);
  });

  it('rejects bad per-controller settings and watches, naming the controller', () => {
    const m = manager();
    expect(() => {
      m.addController({ name: 'w', resource: WIDGET, reconciler, maxConcurrentReconciles: 1.5 });
    }).toThrow(/controller w: maxConcurrentReconciles must be a positive integer, got 1.5/);
    expect(() => {
      m.addController({ name: 'w', resource: WIDGET, reconciler, resyncPeriod: -5 });
    }).toThrow(/controller w: resyncPeriod must be a duration in milliseconds/);
    expect(() => {
      m.addController({
        name: 'w',
        resource: WIDGET,
        reconciler,
        watches: [{ resource: { ...SECRET, plural: 'Secrets' }, map: () => [] }],
      });
    }).toThrow(/controller w: watched resource plural "Secrets" must be lower-case/);
  });

  it('gives stop() room above the shutdown timeout for releasing the lease', () => {
    expect(manager().stopBudget).toBe(15_000);
    expect(manager({ shutdownTimeout: 30_000 }).stopBudget).toBe(35_000);
  });

  it('reports every informer, secondary watches included, until synced', async () => {
    const m = manager({ namespaces: ['ns'] });
    m.addController({
      name: 'widget',
      resource: WIDGET,
      reconciler,
      labelSelector: 'vpoperator.dev/instance=a',
      watches: [
        { resource: SECRET, labelSelector: 'owned', namespaces: ['operator'], map: () => [] },
      ],
    });
    await m.start();
    try {
      const readyz = await fetch(`http://127.0.0.1:${m.healthProbePort ?? 0}/readyz`);
      expect(await readyz.text()).toContain(
        'caches not synced yet: widgets.test.vpoperator.dev (labels vpoperator.dev/instance=a) in ns, secrets (labels owned) in operator',
      );
    } finally {
      await m.stop();
    }
  });

  it('serves probes and metrics while the API server is unreachable: live, not ready', async () => {
    const m = manager();
    m.addController({ name: 'widget', resource: WIDGET, reconciler });
    await m.start();
    try {
      expect(() => {
        m.addController({ name: 'late', resource: WIDGET, reconciler });
      }).toThrow(/before Manager.start\(\)/);
      const probes = `http://127.0.0.1:${m.healthProbePort ?? 0}`;
      expect((await fetch(`${probes}/healthz`)).status).toBe(200);
      const readyz = await fetch(`${probes}/readyz`);
      expect(readyz.status).toBe(500);
      expect(await readyz.text()).toContain(
        '[-]informers-synced failed: caches not synced yet: widget',
      );
      const metrics = await fetch(`http://127.0.0.1:${m.metricsPort ?? 0}/metrics`);
      expect(await metrics.text()).toContain(
        'controller_runtime_reconcile_total{controller="widget",result="success"} 0',
      );
      expect((await fetch(`http://127.0.0.1:${m.metricsPort ?? 0}/other`)).status).toBe(404);
    } finally {
      await m.stop();
    }
    expect(await m.done()).toEqual({ kind: 'manager' });
  });

  it('disables an endpoint given address 0', async () => {
    const m = manager({ metricsAddr: '0', healthProbeAddr: '0' });
    await m.start();
    expect(m.metricsPort).toBeUndefined();
    expect(m.healthProbePort).toBeUndefined();
    await m.stop();
  });

  it('fails start() clearly when a port is taken, and reports it through done()', async () => {
    const first = manager();
    await first.start();
    try {
      const second = manager({ healthProbeAddr: `127.0.0.1:${first.metricsPort ?? 0}` });
      await expect(second.start()).rejects.toThrow(
        /health probe server cannot listen on 127.0.0.1:\d+: EADDRINUSE/,
      );
      expect((await second.done()).error?.message).toMatch(/EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });
});
