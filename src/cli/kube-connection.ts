import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { ConfigError } from '../config/load';
import { describeError } from '../controller/errors';

const REACHABILITY_TIMEOUT_MS = 10_000;

/** Credentials from --kubeconfig / KUBECONFIG, else the in-cluster service account. */
export function loadKubeConfig(kubeconfigPath: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (kubeconfigPath !== undefined) {
    try {
      kubeConfig.loadFromFile(kubeconfigPath);
    } catch (error) {
      throw new ConfigError(
        `kubeconfig ${JSON.stringify(kubeconfigPath)} cannot be loaded (${describeError(error)}): give a readable kubeconfig with --kubeconfig or KUBECONFIG`,
      );
    }
    if (kubeConfig.getCurrentCluster() === null) {
      throw new ConfigError(
        `kubeconfig ${JSON.stringify(kubeconfigPath)} has no current context with a cluster: set current-context or give another file`,
      );
    }
    return kubeConfig;
  }
  if (process.env.KUBERNETES_SERVICE_HOST === undefined) {
    throw new ConfigError(
      'no Kubernetes cluster configured: pass --kubeconfig=<file>, set KUBECONFIG, or run inside a cluster',
    );
  }
  kubeConfig.loadFromCluster();
  return kubeConfig;
}

/** Fails fast, at start, when the API server cannot be reached or rejects the credentials. */
export async function checkApiServer(kubeConfig: KubeConfig): Promise<string> {
  const server = kubeConfig.getCurrentCluster()?.server ?? 'the API server';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${REACHABILITY_TIMEOUT_MS / 1000}s`));
    }, REACHABILITY_TIMEOUT_MS);
  });
  try {
    const version = await Promise.race([kubeConfig.makeApiClient(VersionApi).getCode(), timeout]);
    return version.gitVersion;
  } catch (error) {
    throw new ConfigError(
      `cannot reach the Kubernetes API server at ${server} (${describeError(error)}): check --kubeconfig, KUBECONFIG or the in-cluster service account`,
    );
  } finally {
    clearTimeout(timer);
  }
}
