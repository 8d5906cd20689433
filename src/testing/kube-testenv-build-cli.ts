// `npm run testenv:build`: builds (or finds cached) the Go-built test tools, the test control
// plane binary and then promtool. CI starts it early in the background so the integration tests
// find both ready; a test run that gets there first shares the build (same key, same lock).
import { createLogger } from '../logging';
import { ensureKubeTestenvBinary } from './kube-testenv-build';
import { ensurePromtoolBinary } from './promtool-build';

const logger = createLogger({ pretty: true });
const terminal = process.stderr;
try {
  const binaryPath = await ensureKubeTestenvBinary({
    logger,
    terminal,
    step: { index: 1, count: 2 },
  });
  logger.info({ binaryPath }, 'the test control plane binary is ready');
  const promtoolPath = await ensurePromtoolBinary({
    logger,
    terminal,
    step: { index: 2, count: 2 },
  });
  logger.info({ binaryPath: promtoolPath }, 'promtool is ready');
} catch (error) {
  logger.error((error as Error).message);
  process.exitCode = 1;
}
