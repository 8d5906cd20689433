import { execFile } from 'node:child_process';

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Appended to the error when the command is not installed: how to get it. */
  installHint?: string;
}

const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * Runs a command to completion and returns its standard output. Failures name the command and
 * carry its standard error, so a missing or broken tool is obvious from the test output.
 */
export function execTool(command: string, args: string[], options: ExecOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        const commandLine = [command, ...args].join(' ');
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          const hint = options.installHint === undefined ? '' : ` ${options.installHint}`;
          reject(new Error(`'${command}' was not found.${hint}`));
          return;
        }
        const output = stderr.trim() || stdout.trim() || error.message;
        reject(new Error(`'${commandLine}' failed (exit code ${String(error.code)}): ${output}`));
      },
    );
  });
}
