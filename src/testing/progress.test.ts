import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../logging';
import { eventually } from './eventually';
import { progressBar, progressLine, startProgress } from './progress';

function capturingLogger(): { logger: ReturnType<typeof createLogger>; messages: string[] } {
  const messages: string[] = [];
  const logger = createLogger({
    destination: {
      write: (line: string) => void messages.push((JSON.parse(line) as { msg: string }).msg),
    },
  });
  return { logger, messages };
}

/** A stand-in terminal that records what is drawn on it. */
function fakeTerminal(): { terminal: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const terminal = {
    isTTY: true,
    columns: 100,
    write: (text: string) => {
      written.push(text);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { terminal, written };
}

describe('progressBar and waitingLine', () => {
  it('draws the done share and its percentage, clamped to 0–100 %', () => {
    expect(progressBar(0, 10)).toBe('[>         ]   0 %');
    expect(progressBar(0.55, 10)).toBe('[=====>    ]  55 %');
    expect(progressBar(1, 10)).toBe('[==========] 100 %');
    expect(progressBar(3, 10)).toBe('[==========] 100 %');
  });

  it('says what is going on, for how long of how long, and how far it is', () => {
    expect(progressLine({ activity: 'waiting for the manager', timeoutMs: 180_000 }, 95_000)).toBe(
      'still waiting for the manager: 1 min 35 s of 3 min 0 s',
    );
    expect(
      progressLine({ activity: 'building promtool' }, 135_000, '797 of 1100 packages compiled'),
    ).toBe('still building promtool: 2 min 15 s, 797 of 1100 packages compiled');
  });
});

describe('startProgress', () => {
  it('writes plain lines at the interval once the quiet time is over, none after stop', async () => {
    const { logger, messages } = capturingLogger();
    const stop = startProgress({
      activity: 'busy',
      detail: () => 'half done',
      logger,
      intervalMs: 20,
      quietForMs: 0,
    });
    await sleep(150);
    stop();
    const count = messages.length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(messages.every((message) => /^still busy: \d+ s, half done$/.test(message))).toBe(true);
    await sleep(60);
    expect(messages).toHaveLength(count);
  });

  it('is silent for work that ends within the quiet time', async () => {
    const { logger, messages } = capturingLogger();
    const stop = startProgress({
      activity: 'busy',
      logger,
      intervalMs: 10,
      quietForMs: 5_000,
    });
    await sleep(50);
    stop();
    expect(messages).toEqual([]);
  });

  it('redraws a bar in place on a terminal and clears it when done, logging nothing', async () => {
    const { logger, messages } = capturingLogger();
    const { terminal, written } = fakeTerminal();
    const stop = startProgress({
      activity: 'building the tool',
      detail: () => '5 of 10 packages compiled',
      fraction: () => 0.5,
      logger,
      quietForMs: 0,
      terminal,
    });
    await sleep(1_100);
    stop();
    const clearLine = '\r\x1b[2K';
    expect(written[0]?.startsWith(clearLine)).toBe(true);
    expect(written[0]?.slice(clearLine.length)).toMatch(
      /^\[=+> +\] +50 % \d+ s · 5 of 10 packages compiled · building the tool$/,
    );
    expect(written.at(-1)).toBe(clearLine);
    expect(written.some((text) => text.includes('\n'))).toBe(false);
    expect(messages).toEqual([]);
  });
});

describe('eventually', () => {
  it('says what it still waits for, and for how long, while a wait lasts', async () => {
    const { logger, messages } = capturingLogger();
    let polls = 0;
    const value = await eventually(
      'the answer',
      () => Promise.resolve(++polls >= 20 ? 42 : undefined),
      { intervalMs: 10, timeoutMs: 60_000, logger, progressIntervalMs: 50 },
    );
    expect(value).toBe(42);
    expect(messages.length).toBeGreaterThanOrEqual(1);
    expect(messages[0]).toMatch(/^still waiting for the answer: \d+ s of 1 min 0 s$/);
  });

  it('says nothing about a short wait', async () => {
    const { logger, messages } = capturingLogger();
    let polls = 0;
    await eventually('the answer', () => Promise.resolve(++polls >= 3 ? 42 : undefined), {
      intervalMs: 10,
      logger,
    });
    expect(messages).toEqual([]);
  });
});
