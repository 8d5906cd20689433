import yargs, { type Argv } from 'yargs';
import { VERSION } from '../version';

/**
 * The yargs parser both command lines (the manager and the VVP simulator) start from, so they
 * behave alike: flags read by their dashed names, unknown flags refused, --help and --version,
 * no process exit from inside the parser, and every failure thrown as `toError(one line)`.
 */
export function strictCommandLine(
  argv: readonly string[],
  { name, usage, toError }: { name: string; usage: string; toError: (line: string) => Error },
): Argv {
  return (
    yargs([...argv])
      .scriptName(name)
      .usage(usage)
      // A `--no-` prefix is not a negation here, so a mistyped `--no-such-flag` is reported as
      // typed; a repeated flag keeps its last value instead of becoming an array.
      .parserConfiguration({
        'camel-case-expansion': false,
        'boolean-negation': false,
        'duplicate-arguments-array': false,
      })
      .strictOptions()
      .version(VERSION)
      .help()
      .alias('help', 'h')
      .wrap(Math.min(110, process.stdout.columns || 110))
      .exitProcess(false)
      .fail((message, error) => {
        throw toError(describeParserFailure(message || error.message));
      })
  );
}

/**
 * Rewrites a yargs failure message into the one-line, flag-naming form both command lines
 * (the manager and the VVP simulator) report with exit code 2.
 */
export function describeParserFailure(message: string): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (unknown?.[1] !== undefined) {
    const names = unknown[1]
      .split(', ')
      .map((name) => (name.length === 1 ? `-${name}` : `--${name}`))
      .join(', ');
    return `unknown flag ${names}; run with --help to list the flags`;
  }
  const missing = /^Not enough arguments following: (.*)$/.exec(message);
  if (missing?.[1] !== undefined) return `--${missing[1]} needs a value (--${missing[1]}=…)`;
  const choice = /^Invalid values?:\s*Argument: ([^,]+), Given: (.*), Choices: (.*)$/s.exec(
    message,
  );
  if (choice !== null) {
    return `--${choice[1]?.trim() ?? ''} must be one of ${choice[3]?.trim() ?? ''}, got ${choice[2]?.trim() ?? ''}`;
  }
  return message.replaceAll('\n', ' ');
}
