// The operator's custom resources as a user sees them: kubectl apply as the cluster
// administrator, reads through the API server, and waits for what the operator reports.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { eventually } from '../../src/testing/eventually';
import { adminKubeConfig, testCluster } from './cluster';
import { readClusterState } from './cluster-state';
import { kubectl } from './kube-cli';

export const GROUP = 'vpoperator.dev';
export const VERSION = 'v1alpha1';

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}

/** What every kind has; tests widen `status` with what they read. */
export interface CustomResource {
  metadata: {
    name: string;
    resourceVersion: string;
    finalizers?: string[];
    ownerReferences?: { kind: string; name: string }[];
  };
  spec?: Record<string, unknown>;
  status?: { conditions?: Condition[]; id?: string };
}

let manifestCount = 0;

/** `kubectl apply` as the cluster administrator (a user of the operator would). */
export async function applyManifest(manifest: Record<string, unknown>): Promise<string> {
  const file = join(readClusterState().scratchDir, `cr-${process.pid}-${manifestCount++}.json`);
  writeFileSync(file, JSON.stringify(manifest));
  return kubectl(testCluster().adminKubeconfigPath, ['apply', '-f', file]);
}

/** The object, or undefined once it is gone; cluster-scoped without `namespace`. */
export async function readCustomObject<T extends CustomResource>(
  plural: string,
  name: string,
  namespace?: string,
): Promise<T | undefined> {
  const api = adminKubeConfig().makeApiClient(CustomObjectsApi);
  try {
    const object: unknown =
      namespace === undefined
        ? await api.getClusterCustomObject({ group: GROUP, version: VERSION, plural, name })
        : await api.getNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            plural,
            name,
            namespace,
          });
    return object as T;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

export function conditionOf(
  object: CustomResource | undefined,
  type: string,
): Condition | undefined {
  return object?.status?.conditions?.find((c) => c.type === type);
}

/** Waits until the object passes `test`, and returns it. */
export function waitForCustomObject<T extends CustomResource>(
  what: string,
  target: { plural: string; name: string; namespace?: string },
  test: (object: T) => boolean,
  timeoutMs = 45_000,
): Promise<T> {
  return eventually(
    `${target.plural} ${target.name}: ${what}`,
    async () => {
      const object = await readCustomObject<T>(target.plural, target.name, target.namespace);
      return object !== undefined && test(object) ? object : undefined;
    },
    { timeoutMs },
  );
}

/** Waits until the object is deleted; on a timeout, says why it is stuck (its status). */
export async function waitForCustomObjectGone(
  plural: string,
  name: string,
  namespace?: string,
): Promise<void> {
  try {
    await eventually(
      `${plural} ${name} to be deleted`,
      async () =>
        (await readCustomObject(plural, name, namespace)) === undefined ? true : undefined,
      { timeoutMs: 45_000 },
    );
  } catch (error) {
    const stuck = await readCustomObject(plural, name, namespace);
    throw new Error(`${String(error)}; its status: ${JSON.stringify(stuck?.status)}`, {
      cause: error,
    });
  }
}
