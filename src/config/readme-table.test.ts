import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { OPTIONS, envVarFor } from './options';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function readmeRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readme.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const flag = /^`--([a-z-]+)`$/.exec(cells[1] ?? '')?.[1];
    if (flag !== undefined) rows.set(flag, cells.slice(2, 5));
  }
  return rows;
}

describe('README configuration table', () => {
  it('lists exactly the declared options, with their variables, defaults and help text', () => {
    const rows = readmeRows();
    expect([...rows.keys()]).toEqual(OPTIONS.map((option) => option.flag));
    for (const option of OPTIONS) {
      const expectedDefault =
        option.default === undefined || option.default === ''
          ? '—'
          : `\`${String(option.default)}\``;
      expect(rows.get(option.flag)).toEqual([
        `\`${envVarFor(option.flag)}\``,
        expectedDefault,
        option.description,
      ]);
    }
  });
});
