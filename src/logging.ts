import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

const REDACTED = '[REDACTED]';

/** Secret values shorter than this are not scrubbed: they would match ordinary text. */
const MIN_SECRET_LENGTH = 8;

/**
 * Every secret value the process learns (API tokens, Secret data) is registered here,
 * and every log line is scrubbed of all registered values before it is written. Path-based
 * redaction alone cannot promise this: a token can hide in an error message or a URL.
 */
class SecretRegistry {
  readonly #values = new Set<string>();

  register(value: string | undefined): void {
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH) this.#values.add(value);
  }

  scrub(text: string): string {
    let result = text;
    for (const value of this.#values) {
      if (result.includes(value)) result = result.split(value).join(REDACTED);
    }
    return result;
  }
}

export const knownSecrets = new SecretRegistry();

/** Field paths that may carry credentials in structured log objects. */
const REDACTED_PATHS = [
  'authorization',
  'Authorization',
  'token',
  'secret',
  '*.authorization',
  '*.Authorization',
  '*.token',
  '*.secret',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'config.headers.Authorization',
  '*.config.headers.Authorization',
  'stringData',
  '*.stringData',
];

export interface LoggerOptions {
  /** Raise the level to debug. */
  debug?: boolean;
  /** Human-readable output instead of JSON lines (only meant for terminals). */
  pretty?: boolean;
  /** Where lines go; standard output by default. */
  destination?: DestinationStream;
}

/** The operator's logger: JSON lines, credentials redacted by path and by value. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination =
    options.destination ??
    (options.pretty === true ? pretty({ colorize: true, sync: true }) : pino.destination(1));
  return pino(
    {
      level: options.debug === true ? 'debug' : 'info',
      base: { name: 'vp-operator' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
      hooks: { streamWrite: (line) => knownSecrets.scrub(line) },
    },
    destination,
  );
}
