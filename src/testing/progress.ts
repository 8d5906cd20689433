import type { Logger } from '../logging';
import { formatDuration } from './cache';

/**
 * Progress of something that takes long (a cold Go build, a wait for a process or an object),
 * so nobody stares at minutes of silence. On a terminal a bar is redrawn in place every second;
 * anywhere else (CI logs, Jest) one plain line is written every `intervalMs`, never carriage
 * returns.
 */

const DEFAULT_INTERVAL_MS = 15_000;
const TERMINAL_REDRAW_MS = 1_000;
const TERMINAL_QUIET_MS = 2_000;
const BAR_WIDTH = 24;

export interface ProgressOptions {
  /** What is going on, e.g. `building promtool 3.14.0` or `waiting for the manager`. */
  activity: string;
  /** How far it is, e.g. `412 of 1334 packages compiled (31 %)`; nothing when undefined. */
  detail?: () => string | undefined;
  /** Done share in [0, 1] when known, drawn as a bar and a percentage on a terminal. */
  fraction?: () => number | undefined;
  /** The time limit, reported with the time elapsed (`45 s of 2 min 0 s`). */
  timeoutMs?: number;
  /** Where plain lines go; standard error when omitted. */
  logger?: Logger;
  /** Between plain lines; 15 s by default. */
  intervalMs?: number;
  /**
   * Nothing is reported before this much time has passed: `intervalMs` for plain lines, 2 s
   * for a bar by default.
   */
  quietForMs?: number;
  /**
   * A terminal to draw the live bar on instead of writing plain lines; ignored unless it is a
   * TTY. Only for callers that own the terminal while they run (a build, the demo).
   */
  terminal?: NodeJS.WriteStream;
}

/** `[=========>              ]  38 %`. */
export function progressBar(fraction: number, width = BAR_WIDTH): string {
  const clamped = Math.min(1, Math.max(0, fraction));
  const done = Math.floor(clamped * width);
  const head = done < width ? '>' : '';
  const bar = `${'='.repeat(done)}${head}`.padEnd(width, ' ');
  return `[${bar}] ${String(Math.floor(clamped * 100)).padStart(3, ' ')} %`;
}

/** `1 min 20 s` or, with a limit, `1 min 20 s of 3 min 0 s`. */
function elapsedText(elapsedMs: number, timeoutMs: number | undefined): string {
  const elapsed = formatDuration(elapsedMs);
  return timeoutMs === undefined ? elapsed : `${elapsed} of ${formatDuration(timeoutMs)}`;
}

/**
 * A plain progress line: `still building promtool 3.14.0: 2 min 15 s, 797 of 1100 packages
 * compiled (72 %)`, `still waiting for the manager: 45 s of 2 min 0 s`.
 */
export function progressLine(
  options: Pick<ProgressOptions, 'activity' | 'timeoutMs'>,
  elapsedMs: number,
  detail?: string,
): string {
  const elapsed = elapsedText(elapsedMs, options.timeoutMs);
  return `still ${options.activity}: ${elapsed}${detail === undefined ? '' : `, ${detail}`}`;
}

/**
 * The bar's line, most telling first because a narrow terminal cuts the end: `[====>   ]  45 %
 * 1 min 20 s · 797 of 1100 packages compiled (72 %) · building the test control plane`.
 */
function terminalLine(options: ProgressOptions, elapsedMs: number): string {
  const fraction = options.fraction?.();
  const detail = options.detail?.();
  return [
    `${fraction === undefined ? '' : `${progressBar(fraction)} `}${elapsedText(elapsedMs, options.timeoutMs)}`,
    ...(detail === undefined ? [] : [detail]),
    options.activity,
  ].join(' · ');
}

/** Starts reporting; call the returned function when the work is done (it is idempotent). */
export function startProgress(options: ProgressOptions): () => void {
  const started = Date.now();
  const interval = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const terminal = options.terminal?.isTTY === true ? options.terminal : undefined;
  const quietFor = options.quietForMs ?? (terminal === undefined ? interval : TERMINAL_QUIET_MS);
  let drawn = false;
  let nextLineAt = started + quietFor;

  const tick = (): void => {
    const now = Date.now();
    if (now < started + quietFor) return;
    if (terminal !== undefined) {
      // Cut to the terminal's width: a wrapped line cannot be redrawn in place.
      const width = Math.max(20, (terminal.columns || 80) - 1);
      terminal.write(`\r\x1b[2K${terminalLine(options, now - started).slice(0, width)}`);
      drawn = true;
    } else if (now >= nextLineAt) {
      const line = progressLine(options, now - started, options.detail?.());
      if (options.logger === undefined) process.stderr.write(`${line}\n`);
      else options.logger.info(line);
      nextLineAt = now + interval;
    }
  };
  const timer = setInterval(
    tick,
    terminal === undefined ? Math.min(interval, 1_000) : TERMINAL_REDRAW_MS,
  );
  // A progress report never keeps a process (or a Jest worker) alive.
  timer.unref();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    if (drawn) terminal?.write('\r\x1b[2K');
  };
}
