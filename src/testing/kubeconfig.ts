import { writeFile } from 'node:fs/promises';
import { KubeConfig, type Cluster } from '@kubernetes/client-node';
import { knownSecrets } from '../logging';

/** Writes a kubeconfig (mode 0600) that talks to `cluster` with a bearer token. */
export async function writeTokenKubeconfig(
  path: string,
  cluster: Cluster,
  userName: string,
  token: string,
): Promise<void> {
  knownSecrets.register(token);
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [cluster],
    users: [{ name: userName, token }],
    contexts: [{ name: userName, cluster: cluster.name, user: userName }],
    currentContext: userName,
  });
  await writeFile(path, config.exportConfig(), { mode: 0o600 });
}
