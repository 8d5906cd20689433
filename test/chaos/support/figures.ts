// The suite's figures (kills survived, objects checked, duplicates, …), one line per scenario,
// written straight to standard error so they show in CI logs without Jest's console framing.

export type Figures = Readonly<Record<string, string | number | boolean>>;

export function printFigures(scenario: string, figures: Figures): void {
  const text = Object.entries(figures)
    .map(([name, value]) => `${name}: ${String(value)}`)
    .join(', ');
  process.stderr.write(`[chaos] ${scenario}: ${text}\n`);
}
