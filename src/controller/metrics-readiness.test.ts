import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { ControllerMetrics, readiness } from './metrics';

const NOW = Date.parse('2026-01-01T01:00:00Z');

const object = (ready?: { status: string; lastTransitionTime: string }) => ({
  metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z' },
  status: { conditions: ready === undefined ? [] : [{ type: 'Ready', ...ready }] },
});

describe('readiness gauges', () => {
  it('reads the Ready condition, and the creation time without one', () => {
    expect(
      readiness(object({ status: 'True', lastTransitionTime: '2026-01-01T00:30:00Z' })),
    ).toEqual({ status: 'True' });
    expect(
      readiness(object({ status: 'False', lastTransitionTime: '2026-01-01T00:30:00Z' })),
    ).toEqual({ status: 'False', notReadySince: Date.parse('2026-01-01T00:30:00Z') });
    expect(readiness(object())).toEqual({
      status: 'Unknown',
      notReadySince: Date.parse('2026-01-01T00:00:00Z'),
    });
    expect(readiness({})).toEqual({ status: 'Unknown' });
  });

  it('counts objects by Ready status and give the longest not-Ready time, at scrape time', async () => {
    const registry = new Registry();
    const objects = [
      object({ status: 'True', lastTransitionTime: '2026-01-01T00:10:00Z' }),
      object({ status: 'False', lastTransitionTime: '2026-01-01T00:50:00Z' }),
      object(),
    ];
    ControllerMetrics.for(registry).forObjects('vpnamespace', {
      objects: () => objects,
      now: () => NOW,
    });
    const text = await registry.metrics();
    expect(text).toContain('vp_operator_objects{controller="vpnamespace",ready="True"} 1');
    expect(text).toContain('vp_operator_objects{controller="vpnamespace",ready="False"} 1');
    expect(text).toContain('vp_operator_objects{controller="vpnamespace",ready="Unknown"} 1');
    expect(text).toContain(
      'vp_operator_object_not_ready_seconds_max{controller="vpnamespace"} 3600',
    );

    objects.splice(1);
    const settled = await registry.metrics();
    expect(settled).toContain('vp_operator_objects{controller="vpnamespace",ready="False"} 0');
    expect(settled).toContain(
      'vp_operator_object_not_ready_seconds_max{controller="vpnamespace"} 0',
    );
  });
});
