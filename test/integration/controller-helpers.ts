// Shared by the controller core's integration tests: the Widget test CRD, the operator's RBAC
// for it, and a recording reconciler.
import { readFileSync } from 'node:fs';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
  loadYaml,
  type KubeConfig,
  type V1ClusterRole,
  type V1ClusterRoleBinding,
  type V1Role,
  type V1RoleBinding,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { Manager, type ManagerOptions } from '../../src/controller';
import type {
  Reconciler,
  ReconcileContext,
  ReconcileResult,
} from '../../src/controller/controller';
import { isConflict } from '../../src/controller/errors';
import { setCondition } from '../../src/controller/conditions';
import { MERGE_PATCH } from '../../src/controller/patch-media-types';
import type { PlainObjectOf } from '../../src/controller/kube-object';
import { adminKubeConfig, operatorKubeConfig, testCluster } from '../support/cluster';
import { eventually } from '../../src/testing/eventually';
import { testLogger } from '../../src/testing/test-logger';
import { WIDGET, type Widget } from '../../src/testing/widget';

export { WIDGET, WIDGET_FINALIZER, type Widget } from '../../src/testing/widget';

const CRD_PATH = new URL('../fixtures/widget-crd.yaml', import.meta.url);
const CORE_ROLE = 'vp-operator-controller-core-test';

/** Installs the Widget CRD (idempotent across test files) and waits until it is served. */
export async function installWidgetCrd(): Promise<void> {
  const api = adminKubeConfig().makeApiClient(ApiextensionsV1Api);
  // loadYaml maps YAML keys such as x-kubernetes-preserve-unknown-fields onto the model's
  // field names; a plain YAML parse would have them silently dropped on serialisation.
  const crd = loadYaml<V1CustomResourceDefinition>(readFileSync(CRD_PATH, 'utf8'));
  // Retried: another test file may be restarting the API server right now.
  await eventually('the Widget CRD to be created', async () => {
    try {
      await api.createCustomResourceDefinition({ body: crd });
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    return true;
  });
  await eventually('the Widget CRD to be established', async () => {
    const current = await api.readCustomResourceDefinition({ name: 'widgets.test.vpoperator.dev' });
    return current.status?.conditions?.some(
      (c) => c.type === 'Established' && c.status === 'True',
    ) === true
      ? true
      : undefined;
  });
}

/**
 * Grants the unprivileged operator user exactly what the controller core needs: read and
 * watch the reconciled resource, patch it and its status, write events and leases.
 */
export async function grantCoreRbac(): Promise<void> {
  const rbac = adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
  await eventually('the core RBAC to be granted', async () => {
    await createRoleAndBinding(rbac);
    return true;
  });
}

async function createRoleAndBinding(rbac: RbacAuthorizationV1Api): Promise<void> {
  const role: PlainObjectOf<V1ClusterRole> = {
    metadata: { name: CORE_ROLE },
    rules: [
      {
        apiGroups: [WIDGET.group],
        resources: ['widgets'],
        verbs: ['get', 'list', 'watch', 'patch'],
      },
      { apiGroups: [WIDGET.group], resources: ['widgets/status'], verbs: ['patch'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'create', 'update'],
      },
    ],
  };
  const binding: PlainObjectOf<V1ClusterRoleBinding> = {
    metadata: { name: CORE_ROLE },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CORE_ROLE },
    subjects: [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: testCluster().operatorUser },
    ],
  };
  await rbac.createClusterRole({ body: role }).catch(ignoreExisting);
  await rbac.createClusterRoleBinding({ body: binding }).catch(ignoreExisting);
}

/**
 * Grants the operator user what the core needs for Secrets, in `namespace` only (the
 * operator's own): watch them through a secondary watch and read and write them through
 * `ReconcileContext.secrets`.
 */
export async function grantSecretRbac(namespace: string): Promise<void> {
  const rbac = adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
  const name = 'vp-operator-secrets';
  const role: PlainObjectOf<V1Role> = {
    metadata: { name, namespace },
    rules: [
      {
        apiGroups: [''],
        resources: ['secrets'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'],
      },
    ],
  };
  const binding: PlainObjectOf<V1RoleBinding> = {
    metadata: { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: testCluster().operatorUser },
    ],
  };
  await eventually('the Secret RBAC to be granted', async () => {
    await rbac.createNamespacedRole({ namespace, body: role }).catch(ignoreExisting);
    await rbac.createNamespacedRoleBinding({ namespace, body: binding }).catch(ignoreExisting);
    return true;
  });
}

function ignoreExisting(error: unknown): void {
  if (!isConflict(error)) throw error;
}

/** Admin-side access to Widgets, playing the user. */
export class Widgets {
  readonly #api: CustomObjectsApi;

  constructor(
    private readonly namespace: string,
    kubeConfig: KubeConfig = adminKubeConfig(),
  ) {
    this.#api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async create(
    name: string,
    spec: Widget['spec'] = {},
    labels: Record<string, string> = {},
  ): Promise<Widget> {
    return (await this.#api.createNamespacedCustomObject({
      ...this.#path(),
      body: {
        apiVersion: `${WIDGET.group}/${WIDGET.version}`,
        kind: WIDGET.kind,
        metadata: { name, labels },
        spec,
      },
    })) as Widget;
  }

  async get(name: string): Promise<Widget | undefined> {
    try {
      return (await this.#api.getNamespacedCustomObject({ ...this.#path(), name })) as Widget;
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 404) return undefined;
      throw error;
    }
  }

  async patch(name: string, body: Record<string, unknown>): Promise<Widget> {
    return (await this.#api.patchNamespacedCustomObject(
      { ...this.#path(), name, body },
      MERGE_PATCH,
    )) as Widget;
  }

  async patchStatus(name: string, status: Record<string, unknown>): Promise<Widget> {
    return (await this.#api.patchNamespacedCustomObjectStatus(
      { ...this.#path(), name, body: { status } },
      MERGE_PATCH,
    )) as Widget;
  }

  async delete(name: string): Promise<void> {
    await this.#api.deleteNamespacedCustomObject({ ...this.#path(), name });
  }

  #path() {
    return {
      group: WIDGET.group,
      version: WIDGET.version,
      namespace: this.namespace,
      plural: WIDGET.plural,
    };
  }
}

/** One reconcile (or finalize) as the reconciler saw it. */
export interface Observation {
  kind: 'reconcile' | 'finalize';
  name: string;
  generation: number | undefined;
  finalizers: string[];
  startedAt: number;
  endedAt?: number;
}

/**
 * Records every call, reports `Ready` with observedGeneration, fails while
 * `spec.failUntil` is above the attempt count, and can be slowed down.
 */
export class RecordingReconciler implements Reconciler<Widget> {
  readonly observations: Observation[] = [];
  readonly attempts = new Map<string, number>();
  active = new Map<string, number>();
  overlaps = 0;
  delayMs = 0;
  result: ReconcileResult | undefined;
  /** While false, finalize() reports cleanup still in progress. */
  cleanupDone = true;

  async reconcile(
    object: Widget,
    context: ReconcileContext<Widget>,
  ): Promise<ReconcileResult | undefined> {
    const name = object.metadata?.name ?? '';
    const observation = this.#begin('reconcile', object);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const attempt = (this.attempts.get(name) ?? 0) + 1;
      this.attempts.set(name, attempt);
      if (attempt <= (object.spec?.failUntil ?? 0)) {
        throw new Error(
          `attempt ${attempt} fails on purpose (spec.failUntil=${object.spec?.failUntil ?? 0})`,
        );
      }
      const generation = object.metadata?.generation;
      await context.client.patchStatus(object, {
        ...object.status,
        observedGeneration: generation,
        conditions: setCondition(
          object.status?.conditions,
          {
            type: 'Ready',
            status: 'True',
            reason: 'Available',
            message: `size ${object.spec?.size ?? 0}`,
          },
          {
            now: context.now(),
            ...(generation === undefined ? {} : { observedGeneration: generation }),
          },
        ),
      });
      return this.result;
    } finally {
      this.#end(observation);
    }
  }

  finalize(object: Widget): Promise<ReconcileResult | undefined> {
    this.#end(this.#begin('finalize', object));
    return Promise.resolve(this.cleanupDone ? undefined : { requeueAfter: 500 });
  }

  of(name: string, kind: Observation['kind'] = 'reconcile'): Observation[] {
    return this.observations.filter((o) => o.name === name && o.kind === kind);
  }

  #begin(kind: Observation['kind'], object: Widget): Observation {
    const name = object.metadata?.name ?? '';
    const running = this.active.get(name) ?? 0;
    if (running > 0) this.overlaps++;
    this.active.set(name, running + 1);
    const observation: Observation = {
      kind,
      name,
      generation: object.metadata?.generation,
      finalizers: [...(object.metadata?.finalizers ?? [])],
      startedAt: Date.now(),
    };
    this.observations.push(observation);
    return observation;
  }

  #end(observation: Observation): void {
    observation.endedAt = Date.now();
    this.active.set(observation.name, (this.active.get(observation.name) ?? 1) - 1);
  }
}

/** A manager for `namespace` running as the unprivileged operator user on free ports. */
export function testManager(namespace: string, overrides: Partial<ManagerOptions> = {}): Manager {
  return new Manager({
    kubeConfig: operatorKubeConfig(),
    logger: testLogger,
    registry: new Registry(),
    namespaces: [namespace],
    metricsAddr: '127.0.0.1:0',
    healthProbeAddr: '127.0.0.1:0',
    // Long enough that only watch events (not the resync) drive what the tests observe.
    resyncPeriod: 3_600_000,
    ...overrides,
  });
}
