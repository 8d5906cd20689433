// The Prometheus text exposition format, read just far enough for the benchmark: samples with
// their labels, summed over the label values a figure does not care about.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of a scrape; comments and malformed lines are skipped. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(LABEL_PAIR)) {
      labels[pair[1] ?? ''] = (pair[2] ?? '').replace(/\\(.)/g, (_all, char: string) =>
        char === 'n' ? '\n' : char,
      );
    }
    const value = Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ name: match[1] ?? '', labels, value });
  }
  return samples;
}

/** A parsed scrape, queried by metric name and a label filter. */
export class Scrape {
  readonly #byName = new Map<string, Sample[]>();

  constructor(text: string) {
    for (const sample of parseExposition(text)) {
      const list = this.#byName.get(sample.name) ?? [];
      list.push(sample);
      this.#byName.set(sample.name, list);
    }
  }

  /** The samples of `name` whose labels include `filter` (a value may be a predicate). */
  samples(name: string, filter: LabelFilter = {}): Sample[] {
    return (this.#byName.get(name) ?? []).filter((sample) => matches(sample.labels, filter));
  }

  /** Sum of the matching samples' values (0 when none). */
  sum(name: string, filter: LabelFilter = {}): number {
    return this.samples(name, filter).reduce((total, sample) => total + sample.value, 0);
  }

  /** Sums of the matching samples grouped by one label's value. */
  sumBy(name: string, label: string, filter: LabelFilter = {}): Map<string, number> {
    const totals = new Map<string, number>();
    for (const sample of this.samples(name, filter)) {
      const key = sample.labels[label] ?? '';
      totals.set(key, (totals.get(key) ?? 0) + sample.value);
    }
    return totals;
  }
}

export type LabelFilter = Record<string, string | ((value: string) => boolean)>;

function matches(labels: Record<string, string>, filter: LabelFilter): boolean {
  return Object.entries(filter).every(([key, wanted]) => {
    const value = labels[key] ?? '';
    return typeof wanted === 'string' ? value === wanted : wanted(value);
  });
}

/** What changed between two scrapes of counters: `after - before` per grouped value. */
export function delta(
  before: Map<string, number>,
  after: Map<string, number>,
): Map<string, number> {
  const result = new Map<string, number>();
  for (const [key, value] of after) {
    const change = value - (before.get(key) ?? 0);
    if (change !== 0) result.set(key, change);
  }
  return result;
}
