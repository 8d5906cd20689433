import { appendFileSync } from 'node:fs';
import { createLogger, type Logger } from '../logging';

/**
 * The logger tests hand to the code under test: silent, so test output shows only test
 * results, unless CONTROLLER_TEST_LOG names a file to append every log line (debug level
 * included) to when a failure needs the code's own account.
 */
export const testLogger: Logger = createLogger({
  debug: true,
  destination:
    process.env.CONTROLLER_TEST_LOG === undefined
      ? { write: () => undefined }
      : {
          write: (line: string) => {
            appendFileSync(process.env.CONTROLLER_TEST_LOG ?? '', line);
          },
        },
});
