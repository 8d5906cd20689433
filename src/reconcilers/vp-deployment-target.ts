import {
  OWNER_LABELS,
  VP_DEPLOYMENT_TARGET,
  type VpDeploymentTarget,
  type VpDeploymentTargetSpec,
} from '../api';
import {
  StateConflictError,
  NotFoundError,
  type DeploymentTarget,
  type VvpClient,
  type VvpError,
} from '../vvp';
import { diffManaged } from './managed/diff';
import { locateInSpecMetadata } from './managed/location';
import { isOwnerLabelKey } from './managed/ownership';
import type {
  Connection,
  DeleteOutcome,
  ExternalClient,
  ExternalIdentity,
  ExternalReport,
  ManagedKind,
  UpdateOutcome,
  VvpLocation,
} from './managed/types';

/** The VVP calls a VpDeploymentTarget needs. */
export type DeploymentTargetVvp = Pick<VvpClient, 'deploymentTargets' | 'deployments' | 'status'>;

/** A VVP deployment target as observed. */
export interface ObservedTarget {
  target: DeploymentTarget;
  /**
   * Whether VVP can change the target's labels in place (PUT, 2.4+); asked only when our owner
   * labels are missing (an adopted target), so a steady state costs one GET.
   */
  relabelable: boolean | undefined;
}

const TARGET_NAME = /^[0-9a-zA-Z_-]{1,250}$/;
const SPEC_PREFIX = 'spec.spec';
const METADATA_PREFIX = 'spec.metadata';

/**
 * VpDeploymentTarget ↔ VVP deployment target (AppManager API). VVP keeps a target's spec
 * immutable, so a spec change is reported (RecreateRequired) and never acted on by deleting
 * the target; labels and annotations change in place with PUT on VVP 2.4+. A delete VVP
 * refuses with 409 because deployments use the target keeps the finalizer and names them.
 */
export class VpDeploymentTargetKind implements ManagedKind<VpDeploymentTarget, ObservedTarget> {
  readonly resource = VP_DEPLOYMENT_TARGET;
  readonly ownership = 'labels';

  constructor(private readonly vvp: DeploymentTargetVvp) {}

  locate(object: VpDeploymentTarget): VvpLocation {
    return locateInSpecMetadata(object);
  }

  validate(object: VpDeploymentTarget): readonly string[] {
    const problems: string[] = [];
    const { name } = this.locate(object);
    if (!TARGET_NAME.test(name)) {
      problems.push(
        `The VVP name "${name}" (spec.metadata.name, else metadata.name) is not a valid deployment target name: 1 to 250 letters, digits, "-" or "_".`,
      );
    }
    // Read as possibly absent: the CRD requires it, but a malformed object must not crash us.
    const vvpSpec: Partial<VpDeploymentTargetSpec['spec']> | undefined = object.spec?.spec;
    if (vvpSpec?.kubernetes === undefined) {
      problems.push('spec.spec.kubernetes is required.');
    }
    if ((vvpSpec?.deploymentPatchSet ?? []).length > 0) {
      problems.push(
        'spec.spec.deploymentPatchSet was removed in VVP 2.1 and is not supported; use pod templates in the deployments instead.',
      );
    }
    for (const key of Object.keys(object.spec?.metadata?.labels ?? {})) {
      if (isOwnerLabelKey(key)) {
        problems.push(
          `spec.metadata.labels must not set "${key}": the operator sets it to mark the targets it owns.`,
        );
      }
    }
    return problems;
  }

  connect(object: VpDeploymentTarget, connection: Connection): ExternalClient<ObservedTarget> {
    return new TargetClient(this.vvp, object, this.locate(object), connection);
  }
}

class TargetClient implements ExternalClient<ObservedTarget> {
  constructor(
    private readonly vvp: DeploymentTargetVvp,
    private readonly object: VpDeploymentTarget,
    private readonly location: VvpLocation,
    private readonly connection: Connection,
  ) {}

  async observe(): Promise<ObservedTarget | undefined> {
    let target: DeploymentTarget;
    try {
      target = await (await this.#targets()).get(this.location.name);
    } catch (error) {
      // A 404 also answers for a missing VVP namespace; the create then says which it is.
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    const labelled =
      target.metadata?.labels?.[OWNER_LABELS.uid] === this.connection.ownerLabels[OWNER_LABELS.uid];
    return { target, relabelable: labelled ? undefined : await this.#canPut() };
  }

  identify(observed: ObservedTarget): ExternalIdentity {
    const metadata = observed.target.metadata;
    return {
      id: metadata?.id ?? '',
      resourceVersion: metadata?.resourceVersion,
      labels: metadata?.labels ?? {},
      createdAt: metadata?.createdAt,
    };
  }

  diff(observed: ObservedTarget): readonly string[] {
    return [...this.#metadataDifference(observed), ...this.#specDifference(observed)];
  }

  async create(): Promise<ObservedTarget> {
    const target = await (
      await this.#targets()
    ).create({
      apiVersion: 'v1',
      kind: 'DeploymentTarget',
      metadata: {
        name: this.location.name,
        namespace: this.location.vvpNamespace,
        labels: this.#desiredLabels(),
        annotations: { ...this.object.spec?.metadata?.annotations },
      },
      spec: { kubernetes: { ...this.object.spec?.spec.kubernetes } },
    });
    return { target, relabelable: undefined };
  }

  async update(
    observed: ObservedTarget,
    paths: readonly string[],
  ): Promise<UpdateOutcome<ObservedTarget>> {
    const specPaths = paths.filter((path) => path.startsWith(`${SPEC_PREFIX}.`));
    if (specPaths.length > 0) {
      return {
        outcome: 'refused',
        reason: 'RecreateRequired',
        message: `VVP does not change a deployment target's spec in place, and ${specPaths.join(', ')} differs from VVP's. To apply it, delete this VpDeploymentTarget and create it again (deployments that use the target must move to another one first); the operator never deletes the target on its own.`,
      };
    }
    if (!(observed.relabelable ?? (await this.#canPut()))) {
      return {
        outcome: 'refused',
        reason: 'RecreateRequired',
        message: `This VVP version cannot change a deployment target's labels or annotations (PUT needs VVP 2.4 or later), and ${paths.join(', ')} differs from VVP's. To apply it, delete this VpDeploymentTarget and create it again (deployments that use the target must move first); the operator never deletes the target on its own.`,
      };
    }
    const metadata = observed.target.metadata ?? {};
    const target = await (
      await this.#targets()
    ).upsert(this.location.name, {
      apiVersion: 'v1',
      kind: 'DeploymentTarget',
      metadata: {
        name: this.location.name,
        namespace: this.location.vvpNamespace,
        labels: { ...metadata.labels, ...this.#desiredLabels() },
        annotations: { ...metadata.annotations, ...this.object.spec?.metadata?.annotations },
      },
      spec: observed.target.spec ?? {},
    });
    return {
      outcome: 'updated',
      observed: { target, relabelable: undefined },
      note: `changed ${paths.join(', ')}.`,
    };
  }

  async delete(observed: ObservedTarget): Promise<DeleteOutcome> {
    try {
      await (await this.#targets()).delete(this.location.name);
      return { outcome: 'deleted' };
    } catch (error) {
      if (error instanceof NotFoundError) return { outcome: 'deleted' };
      if (error instanceof StateConflictError) return this.#blocked(observed, error);
      throw error;
    }
  }

  report(): ExternalReport {
    return {
      ready: { type: 'Ready', status: 'True', reason: 'Available', message: '' },
      transitioning: false,
      status: {},
    };
  }

  /** Names the deployments that still use the target, from one list of the namespace. */
  async #blocked(observed: ObservedTarget, error: VvpError): Promise<DeleteOutcome> {
    const id = observed.target.metadata?.id;
    const deployments = await this.vvp
      .deployments(this.location.vvpNamespace, await this.connection.session.appManager())
      .list();
    const users = deployments
      .filter((deployment) => id !== undefined && deployment.spec?.deploymentTargetId === id)
      .map((deployment) => `"${deployment.metadata?.name ?? deployment.metadata?.id ?? '?'}"`);
    const who =
      users.length > 0
        ? `deployment(s) ${users.join(', ')} still use it`
        : `VVP says it is still in use (${error.vvpMessage ?? error.message})`;
    return {
      outcome: 'blocked',
      reason: 'DeletionBlocked',
      message: `VVP refuses to delete deployment target "${this.location.vvpNamespace}/${this.location.name}": ${who}. Delete those deployments or point them at another target; the deletion completes once nothing uses it.`,
    };
  }

  #metadataDifference(observed: ObservedTarget): string[] {
    // Where VVP cannot write owner labels, status.id proves ownership instead.
    const labels = Object.fromEntries(
      Object.entries(this.#desiredLabels()).filter(
        ([key]) => observed.relabelable !== false || !isOwnerLabelKey(key),
      ),
    );
    const desired = { labels, annotations: this.object.spec?.metadata?.annotations };
    return diffManaged(desired, observed.target.metadata, METADATA_PREFIX).paths;
  }

  #specDifference(observed: ObservedTarget): string[] {
    const desired = { kubernetes: this.object.spec?.spec.kubernetes };
    return diffManaged(desired, observed.target.spec, SPEC_PREFIX).paths;
  }

  #desiredLabels(): Record<string, string> {
    return { ...this.object.spec?.metadata?.labels, ...this.connection.ownerLabels };
  }

  async #targets(): Promise<ReturnType<DeploymentTargetVvp['deploymentTargets']>> {
    return this.vvp.deploymentTargets(
      this.location.vvpNamespace,
      await this.connection.session.appManager(),
    );
  }

  async #canPut(): Promise<boolean> {
    return (await this.vvp.status(await this.connection.session.appManager()).capabilities())
      .upsert;
  }
}
