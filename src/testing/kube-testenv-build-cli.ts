// `npm run testenv:build`: builds (or finds cached) the test control plane binary. CI starts it
// early in the background so the integration tests find the binary ready.
import { createLogger } from '../logging';
import { ensureKubeTestenvBinary } from './kube-testenv-build';

const logger = createLogger({ pretty: true });
try {
  const binaryPath = await ensureKubeTestenvBinary({ logger });
  logger.info({ binaryPath }, 'the test control plane binary is ready');
} catch (error) {
  logger.error((error as Error).message);
  process.exitCode = 1;
}
