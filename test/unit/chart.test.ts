// The Helm chart's files, without Helm: its README documents every value with its default, its
// defaults pass its schema, its CRDs are config/crd's, and its dashboard and alerts use only
// metrics the manager exports. Rendering and installing are tested in test/integration.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHART = join(ROOT, 'charts/vp-operator');
const read = (...path: string[]) => readFileSync(join(...path), 'utf8');

const values = parse(read(CHART, 'values.yaml')) as Record<string, unknown>;

/** Every leaf of values.yaml (scalars, lists, empty maps) by its dotted path. */
function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const found = new Map<string, unknown>();
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (prefix === '' || Object.keys(value).length > 0)
  ) {
    for (const [key, child] of Object.entries(value)) {
      for (const [path, leaf] of leaves(child, prefix === '' ? key : `${prefix}.${key}`)) {
        found.set(path, leaf);
      }
    }
  } else {
    found.set(prefix, value);
  }
  return found;
}

/** The README's values table: value path to the default it shows. */
function documentedValues(): Map<string, string> {
  const rows = read(CHART, 'README.md')
    .split('\n')
    .map((line) => /^\| `([^`]+)` \| `([^`]*)` \|/.exec(line))
    .filter((match) => match !== null);
  return new Map(rows.map((match) => [match[1] ?? '', match[2] ?? '']));
}

/** Metric names the manager registers (`name: '...'` in its metrics modules). */
function exportedMetrics(): Set<string> {
  const sources = ['src/controller/metrics.ts', 'src/vvp/metrics.ts'].map((file) =>
    read(ROOT, file),
  );
  return new Set(
    sources.flatMap((text) => [...text.matchAll(/name: '([a-z_]+)'/g)].map((m) => m[1] ?? '')),
  );
}

/** Operator metric names a PromQL text uses, histogram suffixes removed. */
function usedMetrics(text: string): string[] {
  const names =
    text.match(/\b(controller_runtime|workqueue|vvp_api|vp_operator|leader_election)_[a-z_]+/g) ??
    [];
  return [...new Set(names.map((name) => name.replace(/_(bucket|sum|count)$/, '')))];
}

describe('the chart README', () => {
  it('documents every value of values.yaml with its default, and nothing else', () => {
    const documented = documentedValues();
    const expected = new Map([...leaves(values)].map(([path, v]) => [path, JSON.stringify(v)]));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(expected));
  });

  it('names every alert of the PrometheusRule', () => {
    const rule = read(CHART, 'templates/prometheusrule.yaml');
    const alerts = [...rule.matchAll(/- alert: (\w+)/g)].map((match) => match[1] ?? '');
    expect(alerts.length).toBeGreaterThanOrEqual(5);
    for (const alert of alerts) expect(read(CHART, 'README.md')).toContain(`\`${alert}\``);
  });
});

describe('the chart', () => {
  it('installs the version of the operator in package.json', () => {
    const chart = parse(read(CHART, 'Chart.yaml')) as Record<string, unknown>;
    const manifest = JSON.parse(read(ROOT, 'package.json')) as { version: string };
    expect(chart).toMatchObject({ apiVersion: 'v2', appVersion: manifest.version });
    expect(chart.kubeVersion).toMatch(/^>=1\.\d+/);
  });

  it('ships config/crd unchanged in crds/', () => {
    // config/crd also holds its kustomization (`Kustomization`, no extension).
    const files = readdirSync(join(ROOT, 'config/crd'))
      .filter((file) => file.endsWith('.yaml'))
      .sort();
    expect(readdirSync(join(CHART, 'crds')).sort()).toEqual(files);
    for (const file of files) {
      expect(read(CHART, 'crds', file)).toBe(read(ROOT, 'config/crd', file));
    }
  });

  it('has defaults that pass values.schema.json, which rejects unknown keys', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(read(CHART, 'values.schema.json')) as object);
    expect(validate(values) ? [] : validate.errors).toEqual([]);
    expect(validate({ ...values, replica: 2 })).toBe(false);
    expect(validate({ ...values, vvp: { ...(values.vvp as object), burst: 0 } })).toBe(false);
  });

  it('alerts and charts only metrics the manager exports', () => {
    const exported = exportedMetrics();
    const rule = read(CHART, 'templates/prometheusrule.yaml');
    const dashboard = read(CHART, 'dashboards/vp-operator.json');
    const dashboardJson = JSON.parse(dashboard) as { panels: { targets: { expr: string }[] }[] };
    expect(dashboardJson.panels.length).toBeGreaterThan(0);
    const used = [...usedMetrics(rule), ...usedMetrics(dashboard)];
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
  });
});
