import { VP_NAMESPACE, type NamespaceRoleBinding, type VpNamespace } from '../api';
import type { TokenResolver } from '../tokens';
import { NotFoundError, type DeploymentDefaults, type Namespace, type VvpClient } from '../vvp';
import { jsonEqual } from '../json';
import { diffManaged } from './managed/diff';
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

/** The VVP calls a VpNamespace needs. */
export type NamespaceVvp = Pick<VvpClient, 'namespaces' | 'deploymentDefaults'>;

/** A VVP namespace as observed, with its deployment defaults when the CR manages them. */
export interface ObservedNamespace {
  namespace: Namespace;
  /** Read only when `spec.deploymentDefaults` is set and the namespace is active. */
  defaults: DeploymentDefaults | undefined;
}

const QUALIFIED_PREFIX = 'namespaces/';
const ACTIVE = 'LIFECYCLE_PHASE_ACTIVE';
const TERMINATING = 'LIFECYCLE_PHASE_TERMINATING';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ROLE_BINDINGS_PATH = 'spec.roleBindings';
const DEFAULTS_PATH = 'spec.deploymentDefaults';

/**
 * VpNamespace ↔ VVP namespace (Platform API) with its role bindings, and the namespace's
 * deployment defaults (AppManager API, written with a merge patch only where they differ).
 * VVP namespaces have no labels: ownership is proven by the create intent and `status.id`
 * (the qualified name). Deletion waits while VVP reports the namespace TERMINATING, then
 * releases the owner token the operator created there.
 */
export class VpNamespaceKind implements ManagedKind<VpNamespace, ObservedNamespace> {
  readonly resource = VP_NAMESPACE;
  readonly ownership = 'intent';

  constructor(
    private readonly vvp: NamespaceVvp,
    private readonly tokens: TokenResolver,
  ) {}

  locate(object: VpNamespace): VvpLocation {
    const name = object.metadata?.name ?? '';
    return { vvpNamespace: name, name };
  }

  validate(object: VpNamespace): readonly string[] {
    const problems: string[] = [];
    const name = object.metadata?.name ?? '';
    if (name.length > 63 || !DNS_LABEL.test(name)) {
      problems.push(
        `metadata.name "${name}" is not a valid VVP namespace name: at most 63 characters of lower-case letters, digits and "-", starting and ending with a letter or digit.`,
      );
    }
    const bindings: readonly Partial<NamespaceRoleBinding>[] = object.spec?.roleBindings ?? [];
    for (const [index, binding] of bindings.entries()) {
      if (binding.role === undefined)
        problems.push(`spec.roleBindings[${index}].role is required.`);
      if ((binding.members ?? []).some((member) => member.trim() === '')) {
        problems.push(`spec.roleBindings[${index}].members must not contain empty names.`);
      }
    }
    return problems;
  }

  connect(object: VpNamespace, connection: Connection): ExternalClient<ObservedNamespace> {
    return new NamespaceClient(this.vvp, this.tokens, object, connection);
  }
}

class NamespaceClient implements ExternalClient<ObservedNamespace> {
  readonly #name: string;

  constructor(
    private readonly vvp: NamespaceVvp,
    private readonly tokens: TokenResolver,
    private readonly object: VpNamespace,
    private readonly connection: Connection,
  ) {
    this.#name = object.metadata?.name ?? '';
  }

  async observe(): Promise<ObservedNamespace | undefined> {
    let namespace: Namespace;
    try {
      namespace = await this.#namespaces().get(this.#name);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    return { namespace, defaults: await this.#readDefaults(namespace) };
  }

  identify(observed: ObservedNamespace): ExternalIdentity {
    return {
      id: observed.namespace.name ?? `${QUALIFIED_PREFIX}${this.#name}`,
      createdAt: observed.namespace.createTime,
    };
  }

  diff(observed: ObservedNamespace): readonly string[] {
    if (observed.namespace.lifecyclePhase === TERMINATING) return [];
    const paths: string[] = [];
    const desired = this.object.spec?.roleBindings;
    if (
      desired !== undefined &&
      !sameRoleBindings(desired, observed.namespace.roleBindings ?? [])
    ) {
      paths.push(ROLE_BINDINGS_PATH);
    }
    paths.push(...this.#defaultsDifference(observed).paths);
    return paths;
  }

  async create(): Promise<ObservedNamespace> {
    const roleBindings = this.object.spec?.roleBindings;
    const namespace = await this.#namespaces().create({
      name: `${QUALIFIED_PREFIX}${this.#name}`,
      ...(roleBindings === undefined ? {} : { roleBindings: normalised(roleBindings) }),
    });
    return { namespace, defaults: await this.#readDefaults(namespace) };
  }

  async update(
    observed: ObservedNamespace,
    paths: readonly string[],
  ): Promise<UpdateOutcome<ObservedNamespace>> {
    let { namespace, defaults } = observed;
    const roleBindings = this.object.spec?.roleBindings;
    if (paths.includes(ROLE_BINDINGS_PATH) && roleBindings !== undefined) {
      namespace = await this.#namespaces().update(this.#name, {
        name: `${QUALIFIED_PREFIX}${this.#name}`,
        roleBindings: normalised(roleBindings),
      });
    }
    const { patch } = this.#defaultsDifference(observed);
    if (patch !== undefined) {
      const api = this.vvp.deploymentDefaults(
        this.#name,
        await this.connection.session.appManager(),
      );
      defaults = await api.patch({ spec: patch });
    }
    return {
      outcome: 'updated',
      observed: { namespace, defaults },
      note: `changed ${paths.join(', ')}.`,
    };
  }

  async delete(observed: ObservedNamespace): Promise<DeleteOutcome> {
    if (observed.namespace.lifecyclePhase !== TERMINATING) {
      let answer: Namespace | undefined;
      try {
        answer = await this.#namespaces().delete(this.#name);
      } catch (error) {
        if (error instanceof NotFoundError) return { outcome: 'deleted' };
        throw error;
      }
      if (answer === undefined) return { outcome: 'deleted' };
    }
    return {
      outcome: 'inProgress',
      ready: {
        type: 'Ready',
        status: 'False',
        reason: 'Terminating',
        message: `VVP is deleting namespace "${this.#name}" and everything in it (TERMINATING).`,
      },
    };
  }

  report(observed: ObservedNamespace): ExternalReport {
    const phase = observed.namespace.lifecyclePhase;
    const status = { lifecyclePhase: phase };
    if (phase === ACTIVE) {
      return {
        ready: { type: 'Ready', status: 'True', reason: 'Available', message: '' },
        transitioning: false,
        status,
      };
    }
    if (phase === TERMINATING) {
      return {
        ready: {
          type: 'Ready',
          status: 'False',
          reason: 'Terminating',
          message: `VVP namespace "${this.#name}" is being deleted (TERMINATING).`,
        },
        transitioning: true,
        status,
      };
    }
    return {
      ready: {
        type: 'Ready',
        status: 'False',
        reason: 'Unavailable',
        message: `VVP reports namespace "${this.#name}" in lifecycle phase ${phase ?? 'unknown'}.`,
      },
      transitioning: false,
      status,
    };
  }

  async afterDeletion(): Promise<void> {
    await this.tokens.releaseOwnerToken(this.#name, this.connection.session.signal);
  }

  #namespaces(): ReturnType<NamespaceVvp['namespaces']> {
    return this.vvp.namespaces(this.connection.session.platform());
  }

  async #readDefaults(namespace: Namespace): Promise<DeploymentDefaults | undefined> {
    if (this.object.spec?.deploymentDefaults === undefined) return undefined;
    if (namespace.lifecyclePhase !== ACTIVE) return undefined;
    const api = this.vvp.deploymentDefaults(this.#name, await this.connection.session.appManager());
    return api.get();
  }

  #defaultsDifference(observed: ObservedNamespace): ReturnType<typeof diffManaged> {
    const desired = this.object.spec?.deploymentDefaults;
    if (desired === undefined || observed.defaults === undefined) {
      return { paths: [], patch: undefined };
    }
    return diffManaged(desired, observed.defaults.spec, DEFAULTS_PATH);
  }
}

/** Role bindings in a canonical order (VVP need not keep ours), members sorted and unique. */
function normalised(
  bindings: readonly { role?: string; members?: readonly string[] }[],
): { role: string; members: string[] }[] {
  return bindings
    .map((binding) => ({
      role: binding.role ?? '',
      members: [...new Set(binding.members ?? [])].sort(),
    }))
    .sort(
      (a, b) =>
        a.role.localeCompare(b.role) || a.members.join(',').localeCompare(b.members.join(',')),
    );
}

function sameRoleBindings(
  desired: readonly NamespaceRoleBinding[],
  observed: readonly { role?: string; members?: string[] }[],
): boolean {
  return jsonEqual(normalised(desired), normalised(observed));
}
