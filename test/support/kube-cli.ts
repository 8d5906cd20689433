// Real kubectl and helm for tests, from the pinned npm package (never from PATH).
import { join } from 'node:path';
import { ensureKubeTools, type KubeTools } from '../../src/testing/kube-tools';
import { execTool } from '../../src/testing/exec';
import { readClusterState } from './cluster-state';

let tools: Promise<KubeTools> | undefined;

function kubeTools(): Promise<KubeTools> {
  tools ??= ensureKubeTools();
  return tools;
}

/** The environment both tools run with: only the given kubeconfig, never the developer's. */
function toolEnv(kubeconfigPath: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: kubeconfigPath, ...extra };
}

/** Runs kubectl with `kubeconfigPath` and returns its standard output. */
export async function kubectl(kubeconfigPath: string, args: string[]): Promise<string> {
  const { kubectl: binary } = await kubeTools();
  return execTool(binary, args, { env: toolEnv(kubeconfigPath) });
}

/** Runs helm with `kubeconfigPath` and a private helm home, returning its standard output. */
export async function helm(kubeconfigPath: string, args: string[]): Promise<string> {
  const { helm: binary } = await kubeTools();
  const home = join(readClusterState().scratchDir, 'helm');
  const env = toolEnv(kubeconfigPath, {
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  });
  return execTool(binary, args, { env });
}
