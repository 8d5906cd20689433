// The custom resources the resilience scenarios drive, written through the API server directly
// (hundreds of kubectl processes would cost minutes on a 2-core machine), as the cluster
// administrator.
import { CustomObjectsApi, EventsV1Api, type EventsV1Event } from '@kubernetes/client-node';
import { ADMIN_MEMBER } from '../../../src/simulator';
import { MERGE_PATCH } from '../../../src/controller/patch-media-types';
import { adminKubeConfig } from '../../support/cluster';
import { GROUP, VERSION, type CustomResource } from '../../support/custom-resources';
import type { OperatorTestbed } from '../../support/operator-testbed';
import type { HttpAnswer } from '../../support/simulator';
import { eventually } from '../../../src/testing/eventually';

export const PLURALS = {
  target: 'vpdeploymenttargets',
  deployment: 'vpdeployments',
  savepoint: 'vpsavepoints',
} as const;

export interface ChaosObject extends CustomResource {
  kind?: string;
  metadata: CustomResource['metadata'] & {
    namespace?: string;
    uid: string;
    generation?: number;
    deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string; uid?: string }[];
  };
  status?: CustomResource['status'] & {
    state?: string;
    jobId?: string;
    location?: string;
    origin?: string;
    attempts?: number;
    pendingOperation?: unknown;
    handledSavepointNonce?: number;
  };
}

export interface Kube {
  create(plural: string, namespace: string, body: Record<string, unknown>): Promise<void>;
  /** A JSON merge patch of the object. */
  patch(plural: string, namespace: string, name: string, patch: object): Promise<void>;
  /** Deletes without waiting; an object already gone is fine. */
  remove(plural: string, namespace: string, name: string): Promise<void>;
  list(plural: string, namespace: string): Promise<ChaosObject[]>;
  /** The namespace's events.k8s.io Events. */
  events(namespace: string): Promise<EventsV1Event[]>;
}

const isNotFound = (error: unknown): boolean => (error as { code?: number }).code === 404;

/** Clients for the cluster administrator, made once per scenario. */
export function adminKube(): Kube {
  const config = adminKubeConfig();
  const objects = config.makeApiClient(CustomObjectsApi);
  const events = config.makeApiClient(EventsV1Api);
  const at = (plural: string, namespace: string) => ({
    group: GROUP,
    version: VERSION,
    plural,
    namespace,
  });
  return {
    create: async (plural, namespace, body) => {
      await objects.createNamespacedCustomObject({ ...at(plural, namespace), body });
    },
    patch: async (plural, namespace, name, patch) => {
      await objects.patchNamespacedCustomObject(
        { ...at(plural, namespace), name, body: patch },
        MERGE_PATCH,
      );
    },
    remove: async (plural, namespace, name) => {
      try {
        await objects.deleteNamespacedCustomObject({ ...at(plural, namespace), name });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    list: async (plural, namespace) => {
      const listed = (await objects.listNamespacedCustomObject(at(plural, namespace))) as {
        items: ChaosObject[];
      };
      return listed.items;
    },
    events: async (namespace) => (await events.listNamespacedEvent({ namespace })).items,
  };
}

export interface DeploymentShape {
  name: string;
  namespace: string;
  target: string;
  vvpNamespace: string;
  parallelism?: number;
  state?: 'RUNNING' | 'SUSPENDED' | 'CANCELLED';
  deletionPolicy?: 'Delete' | 'Orphan' | 'SavepointThenDelete';
  savepointNonce?: number;
}

export function targetManifest(
  name: string,
  namespace: string,
  vvpNamespace: string,
): Record<string, unknown> {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'VpDeploymentTarget',
    metadata: { name, namespace },
    spec: {
      metadata: { namespace: vvpNamespace },
      spec: { kubernetes: { namespace: `flink-${name}` } },
    },
  };
}

/** A small JAR job; `spec.spec` is what the operator must make VVP hold. */
export function deploymentManifest(shape: DeploymentShape): Record<string, unknown> {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'VpDeployment',
    metadata: { name: shape.name, namespace: shape.namespace },
    spec: {
      deletionPolicy: shape.deletionPolicy ?? 'Delete',
      deploymentTargetRef: { name: shape.target },
      ...(shape.savepointNonce === undefined ? {} : { savepointNonce: shape.savepointNonce }),
      metadata: { namespace: shape.vvpNamespace, labels: { app: shape.name } },
      spec: deploymentSpec(shape),
    },
  };
}

/** The `spec.spec` of {@link deploymentManifest}, also the body of a spec change. */
export function deploymentSpec(
  shape: Pick<DeploymentShape, 'parallelism' | 'state'>,
): Record<string, unknown> {
  return {
    state: shape.state ?? 'RUNNING',
    upgradeStrategy: { kind: 'STATEFUL' },
    restoreStrategy: { kind: 'LATEST_STATE' },
    template: {
      spec: {
        artifact: { kind: 'JAR', jarUri: 's3://jobs/chaos.jar' },
        parallelism: shape.parallelism ?? 1,
      },
    },
  };
}

/** A savepoint of the VpDeployment `deployment` (same Kubernetes namespace). */
export function savepointManifest(
  name: string,
  namespace: string,
  deployment: string,
  vvpNamespace: string,
): Record<string, unknown> {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'VpSavepoint',
    metadata: { name, namespace },
    spec: { deploymentRef: { name: deployment }, metadata: { namespace: vvpNamespace } },
  };
}

/** A raw VVP call with admin rights (`OperatorTestbed.vvp`). */
export type VvpCall = (method: string, path: string, body?: unknown) => Promise<HttpAnswer>;

/** The test bed's admin VVP call as a free function. */
export function vvpOf(bed: Pick<OperatorTestbed, 'vvp'>): VvpCall {
  return (method, path, body) => bed.vvp(method, path, body);
}

/**
 * Creates a VVP namespace directly through the Platform API (no VpNamespace: those are
 * cluster-wide), owned by the admin whose token the operator uses for Platform calls.
 */
export async function createVvpNamespace(vvp: VvpCall, name: string): Promise<void> {
  const answer = await vvp('POST', '/namespaces/v1/namespaces', {
    name: `namespaces/${name}`,
    roleBindings: [{ role: 'owner', members: [ADMIN_MEMBER] }],
  });
  if (answer.status !== 200 && answer.status !== 201) {
    throw new Error(`creating VVP namespace ${name} answered ${answer.status}: ${answer.text}`);
  }
}

export interface TargetPlacement {
  name: string;
  namespace: string;
  vvpNamespace: string;
}

/** Creates the VpDeploymentTargets and waits until the operator reports each Ready. */
export async function createReadyTargets(
  kube: Kube,
  targets: readonly TargetPlacement[],
): Promise<void> {
  for (const target of targets) {
    await kube.create(
      PLURALS.target,
      target.namespace,
      targetManifest(target.name, target.namespace, target.vvpNamespace),
    );
  }
  await eventually('every VpDeploymentTarget Ready', async () => {
    for (const target of targets) {
      const listed = await kube.list(PLURALS.target, target.namespace);
      const found = listed.find((t) => t.metadata.name === target.name);
      const ready = found?.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status !== 'True') {
        throw new Error(
          `${target.namespace}/${target.name}: ${JSON.stringify(found?.status?.conditions ?? [])}`,
        );
      }
    }
    return true;
  });
}

/** Runs `work` over `items` with at most `limit` at a time; the first failure rejects. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Creates VpDeployments of the default shape, named `names`, on `target`. */
export async function createDeployments(
  kube: Kube,
  names: readonly string[],
  target: TargetPlacement,
): Promise<void> {
  await forEachConcurrently(names, 5, async (name) => {
    await kube.create(
      PLURALS.deployment,
      target.namespace,
      deploymentManifest({
        name,
        namespace: target.namespace,
        target: target.name,
        vvpNamespace: target.vvpNamespace,
      }),
    );
  });
}
