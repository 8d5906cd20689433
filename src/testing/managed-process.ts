import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logging';
import { startProgress } from './progress';

const LOG_TAIL_LINES = 30;
const POLL_INTERVAL_MS = 250;

/**
 * One long-running child process whose standard output and error go to `<logDir>/<name>.log`
 * (appended across restarts, so a restart's history stays readable).
 */
export class ManagedProcess {
  readonly logPath: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #exitDescription: string | undefined;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: readonly string[],
    logDir: string,
    /** The child's whole environment; this process's by default. */
    private readonly env?: NodeJS.ProcessEnv,
  ) {
    this.logPath = join(logDir, `${name}.log`);
  }

  start(): void {
    if (this.#child !== undefined) throw new Error(`${this.name} is already running`);
    const log = openSync(this.logPath, 'a');
    try {
      const child = spawn(this.command, this.args, {
        stdio: ['ignore', log, log],
        env: this.env ?? process.env,
      });
      this.#child = child;
      this.#exitDescription = undefined;
      this.#exited = new Promise((resolve) => {
        child.once('error', (error) => {
          this.#exitDescription = `could not be started: ${error.message}`;
          this.#child = undefined;
          resolve();
        });
        child.once('exit', (code, signal) => {
          this.#exitDescription =
            signal !== null ? `was killed by ${signal}` : `exited with code ${String(code)}`;
          this.#child = undefined;
          resolve();
        });
      });
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(log);
    }
  }

  /** Why the process is no longer running, or undefined while it runs. */
  get exitDescription(): string | undefined {
    return this.#child === undefined ? (this.#exitDescription ?? 'was never started') : undefined;
  }

  /** SIGTERM, then SIGKILL once `graceMs` has passed. Resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    child.kill('SIGTERM');
    const exited = this.#exited.then(() => true);
    if (!(await Promise.race([exited, sleep(graceMs).then(() => false)]))) {
      child.kill('SIGKILL');
      await this.#exited;
    }
  }

  async logTail(lines = LOG_TAIL_LINES): Promise<string> {
    const text = await readFile(this.logPath, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }

  /**
   * Polls `probe` until it returns true. Fails early, with the end of the log, if the process
   * exits, and with the log's path if `timeoutMs` passes. A long wait says so every 15 s (to
   * `logger`, else standard error).
   */
  async waitUntil(
    what: string,
    probe: () => Promise<boolean>,
    timeoutMs: number,
    logger?: Logger,
  ): Promise<void> {
    const stopProgress = startProgress({
      activity: `waiting for ${this.name} to be ${what}`,
      timeoutMs,
      logger,
    });
    try {
      await this.#poll(what, probe, timeoutMs);
    } finally {
      stopProgress();
    }
  }

  async #poll(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const exit = this.exitDescription;
      if (exit !== undefined) {
        throw new ProcessFailedError(
          `${this.name} ${exit} before ${what}. Log: ${this.logPath}\n${await this.logTail()}`,
          await this.logTail(Number.MAX_SAFE_INTEGER),
        );
      }
      if (await probe()) return;
      if (Date.now() > deadline) {
        throw new ProcessFailedError(
          `${this.name} did not reach '${what}' within ${Math.round(timeoutMs / 1000)} s. ` +
            `Log: ${this.logPath}\n${await this.logTail()}`,
          await this.logTail(Number.MAX_SAFE_INTEGER),
        );
      }
      await sleep(POLL_INTERVAL_MS);
    }
  }
}

/** A process failed to come up; `log` holds its whole log for callers that inspect it. */
export class ProcessFailedError extends Error {
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
    this.name = 'ProcessFailedError';
  }
}
