import {
  FINALIZER,
  LABEL_INSTANCE,
  VP_DEPLOYMENT,
  VP_DEPLOYMENT_TARGET,
  VP_NAMESPACE,
  VP_SAVEPOINT,
  type VpDeployment,
  type VpDeploymentTarget,
  type VpNamespace,
  type VpSavepoint,
} from '../api';
import {
  SECRET,
  type ControllerRegistration,
  type KubeObject,
  type Manager,
  type SecondaryWatch,
} from '../controller';
import type { TokenResolver } from '../tokens';
import { DependencyIndex, secretDependency, vvpNamespaceDependency } from './managed/dependencies';
import { ManagedReconciler } from './managed/reconciler';
import { heldBackSavepointRecords, type SavepointRecords } from './savepoint-records';
import { VpDeploymentKind, targetDependency, type DeploymentVvp } from './vp-deployment';
import { VpDeploymentTargetKind, type DeploymentTargetVvp } from './vp-deployment-target';
import { VpNamespaceKind, type NamespaceVvp } from './vp-namespace';
import { VpSavepointReconciler, vpDeploymentDependency, type SavepointVvp } from './vp-savepoint';

export { ManagedReconciler, type ManagedReconcilerOptions } from './managed/reconciler';
export type * from './managed/types';
export { KubernetesSavepointRecords, type SavepointRecords } from './savepoint-records';
export { VpDeploymentKind } from './vp-deployment';
export { VpDeploymentTargetKind } from './vp-deployment-target';
export { VpNamespaceKind } from './vp-namespace';
export { VpSavepointReconciler } from './vp-savepoint';
export {
  mirrorDeploymentEvents,
  type EventCursor,
  type MirrorDeploymentEventsRequest,
  type MirrorResult,
} from './event-mirror';

/** Every annotation under our prefix (paused, adopt, reconcile-requested-at) triggers a reconcile. */
const CONTROL_ANNOTATIONS = ['vpoperator.dev/'];

export interface ResourceControllersOptions {
  /** The VVP client (src/vvp); every call carries the reconcile's signal and the CR's token. */
  vvp: NamespaceVvp & DeploymentTargetVvp & DeploymentVvp & SavepointVvp;
  tokens: TokenResolver;
  /** Creates the VpSavepoints a VpDeployment records (savepointNonce, SavepointThenDelete). */
  savepointRecords: SavepointRecords;
  /** `--instance-id`: reconcile only CRs labelled with it; without one, only unlabelled CRs. */
  instanceId?: string | undefined;
  /** `--operator-namespace`: where the Secrets named by cluster-scoped VpNamespaces live. */
  operatorNamespace: string;
  /**
   * Requeue CRs when the token Secret their `spec.apiTokenSecretRef` names changes. Needs
   * list/watch on Secrets in the watched namespaces (an opt-in permission), so off by default.
   */
  watchTokenSecrets?: boolean;
  /** Per-controller resync (ms); the manager's by default. */
  resyncPeriod?: number;
  /**
   * `--dry-run`: `vvp` holds back every write (it must be built with `dryRun` too); the
   * reconcilers report each held-back write as a WouldCreate/WouldUpdate/WouldDelete Event.
   */
  dryRun?: boolean;
}

/** The informer label selector for an operator instance. */
export function instanceLabelSelector(instanceId: string | undefined): string {
  return instanceId === undefined || instanceId === ''
    ? `!${LABEL_INSTANCE}`
    : `${LABEL_INSTANCE}=${instanceId}`;
}

/**
 * Registers the resource controllers on `manager` (before `manager.start()`). All run on the
 * shared {@link ManagedReconciler}; VpDeploymentTargets are requeued when the VpNamespace of
 * their VVP namespace changes (e.g. becomes Ready), VpDeployments when the VpDeploymentTarget
 * they reference changes, and, with `watchTokenSecrets`, CRs when their token Secret changes.
 */
export function registerResourceControllers(
  manager: Pick<Manager, 'addController'>,
  options: ResourceControllersOptions,
): void {
  const labelSelector = instanceLabelSelector(options.instanceId);
  const dryRun = options.dryRun === true;
  const common = {
    tokens: options.tokens,
    instanceId: options.instanceId,
    operatorNamespace: options.operatorNamespace,
    dryRun,
  };

  const namespaceDependencies = new DependencyIndex();
  manager.addController<VpNamespace>({
    ...registrationBasics(options, labelSelector),
    name: 'vpnamespace',
    resource: VP_NAMESPACE,
    reconciler: new ManagedReconciler({
      ...common,
      kind: new VpNamespaceKind(options.vvp, options.tokens),
      dependencies: namespaceDependencies,
    }),
    watches: tokenSecretWatches(options, namespaceDependencies, [options.operatorNamespace]),
  });

  const targetDependencies = new DependencyIndex();
  manager.addController<VpDeploymentTarget>({
    ...registrationBasics(options, labelSelector),
    name: 'vpdeploymenttarget',
    resource: VP_DEPLOYMENT_TARGET,
    reconciler: new ManagedReconciler({
      ...common,
      kind: new VpDeploymentTargetKind(options.vvp),
      dependencies: targetDependencies,
    }),
    watches: [
      {
        resource: VP_NAMESPACE,
        labelSelector,
        map: (object: KubeObject) =>
          targetDependencies.dependantsOf(vvpNamespaceDependency(object.metadata?.name ?? '')),
      },
      ...tokenSecretWatches(options, targetDependencies, undefined),
    ],
  });

  const deploymentDependencies = new DependencyIndex();
  manager.addController<VpDeployment>({
    ...registrationBasics(options, labelSelector),
    name: 'vpdeployment',
    resource: VP_DEPLOYMENT,
    reconciler: new ManagedReconciler({
      ...common,
      kind: new VpDeploymentKind(
        options.vvp,
        dryRun ? heldBackSavepointRecords : options.savepointRecords,
      ),
      dependencies: deploymentDependencies,
    }),
    watches: [
      {
        // A deployment waits for its target: requeue it when the target changes (becomes Ready).
        resource: VP_DEPLOYMENT_TARGET,
        labelSelector,
        map: (object: KubeObject) =>
          deploymentDependencies.dependantsOf(
            targetDependency(object.metadata?.namespace ?? '', object.metadata?.name ?? ''),
          ),
      },
      ...tokenSecretWatches(options, deploymentDependencies, undefined),
    ],
  });

  // Savepoints are one-shot and nameless, so they run on their own reconciler (vp-savepoint.ts)
  // by the same rules; a VpSavepoint naming a VpDeployment is requeued when that changes (it
  // waits for the deployment's VVP id).
  const savepointDependencies = new DependencyIndex();
  manager.addController<VpSavepoint>({
    ...registrationBasics(options, labelSelector),
    name: 'vpsavepoint',
    resource: VP_SAVEPOINT,
    reconciler: new VpSavepointReconciler({
      vvp: options.vvp,
      tokens: options.tokens,
      dependencies: savepointDependencies,
      dryRun,
    }),
    watches: [
      {
        resource: VP_DEPLOYMENT,
        labelSelector,
        map: (object: KubeObject) =>
          savepointDependencies.dependantsOf(
            vpDeploymentDependency(object.metadata?.namespace ?? '', object.metadata?.name ?? ''),
          ),
      },
      ...tokenSecretWatches(options, savepointDependencies, undefined),
    ],
  });
}

function registrationBasics(
  options: ResourceControllersOptions,
  labelSelector: string,
): Pick<
  ControllerRegistration<KubeObject>,
  'reactToAnnotations' | 'finalizer' | 'labelSelector' | 'resyncPeriod'
> {
  return {
    reactToAnnotations: CONTROL_ANNOTATIONS,
    finalizer: FINALIZER,
    labelSelector,
    ...(options.resyncPeriod === undefined ? {} : { resyncPeriod: options.resyncPeriod }),
  };
}

/** Requeues the CRs naming a Secret when it changes; `namespaces` undefined = the manager's. */
function tokenSecretWatches(
  options: ResourceControllersOptions,
  dependencies: DependencyIndex,
  namespaces: readonly string[] | undefined,
): SecondaryWatch[] {
  if (options.watchTokenSecrets !== true) return [];
  return [
    {
      resource: SECRET,
      ...(namespaces === undefined ? {} : { namespaces }),
      map: (object: KubeObject) =>
        dependencies.dependantsOf(
          secretDependency(object.metadata?.namespace ?? '', object.metadata?.name ?? ''),
        ),
    },
  ];
}
