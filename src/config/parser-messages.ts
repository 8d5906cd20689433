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
