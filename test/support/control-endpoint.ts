import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestCluster } from '../../src/testing/control-plane';
import { knownSecrets } from '../../src/logging';

// Test files run in jest worker processes, but the control plane belongs to the global-setup
// process. This loopback endpoint lets a test ask that process to act on the cluster.
const RESTART_API_SERVER_PATH = '/restart-apiserver';
/** A restart includes waiting for /readyz, which may take a minute on a loaded machine. */
const RESTART_TIMEOUT_MS = 180_000;

export interface ControlEndpoint {
  url: string;
  token: string;
  close(): Promise<void>;
}

export async function serveClusterControl(cluster: TestCluster): Promise<ControlEndpoint> {
  const token = randomBytes(24).toString('base64url');
  knownSecrets.register(token);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401).end();
    } else if (req.method !== 'POST' || req.url !== RESTART_API_SERVER_PATH) {
      res.writeHead(404).end();
    } else {
      try {
        await cluster.restartApiServer();
        res.writeHead(204).end();
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end((error as Error).message);
      }
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Asks the global-setup process to restart the API server; resolves once it is ready again. */
export async function requestApiServerRestart(control: {
  url: string;
  token: string;
}): Promise<void> {
  const response = await fetch(`${control.url}${RESTART_API_SERVER_PATH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${control.token}` },
    signal: AbortSignal.timeout(RESTART_TIMEOUT_MS),
  });
  if (!response.ok) {
    throw new Error(`Restarting the API server failed: ${await response.text()}`);
  }
}
