import { ROLES, type Role } from './model';
import type { NamespaceState } from './store';

/** How the simulator authenticates: community edition (open) or Bearer API tokens. */
export type AuthMode = 'open' | 'enforced';
export const AUTH_MODES: readonly AuthMode[] = ['open', 'enforced'];

export type ResourceKind =
  | 'ApiToken'
  | 'Namespace'
  | 'DeploymentTarget'
  | 'DeploymentDefaults'
  | 'Deployment'
  | 'Savepoint'
  | 'Job'
  | 'Event'
  | 'Status';
export type Verb = 'list' | 'get' | 'create' | 'update' | 'delete';

/** What an operation does, for the permission check. */
export interface Access {
  resource: ResourceKind;
  verb: Verb;
}

export type Principal =
  | { kind: 'anonymous' }
  /** The bootstrap token given at start: the platform administrator. */
  | { kind: 'admin' }
  | { kind: 'token'; name: string; namespace: string; role: Role };

/** The member name the bootstrap admin token matches in namespace role bindings. */
export const ADMIN_MEMBER = 'user:admin';
const AUTHENTICATED_MEMBER = 'system:authenticated';

const ALL: readonly Verb[] = ['list', 'get', 'create', 'update', 'delete'];
const READ: readonly Verb[] = ['list', 'get'];
type Grant = Record<Role | 'admin', readonly Verb[]>;
const APPLICATION: Grant = { viewer: READ, editor: ALL, owner: ALL, admin: [] };

/** VVP's permission matrix (docs: platform operations, access control). */
const MATRIX: Record<Exclude<ResourceKind, 'Status'>, Grant> = {
  ApiToken: { viewer: [], editor: [], owner: ALL, admin: [] },
  Namespace: { viewer: [], editor: [], owner: ['get', 'update'], admin: ALL },
  DeploymentTarget: { viewer: READ, editor: READ, owner: ALL, admin: [] },
  DeploymentDefaults: { viewer: ['get'], editor: ['get'], owner: ALL, admin: [] },
  Deployment: APPLICATION,
  Savepoint: APPLICATION,
  Job: APPLICATION,
  Event: APPLICATION,
};

const RANK: Record<Role, number> = { viewer: 1, editor: 2, owner: 3 };

/**
 * The principal's role inside a namespace. API tokens hold their role in their own namespace
 * only; the admin holds whatever the namespace's role bindings grant `system:authenticated`
 * or `user:admin` (admin alone gives no access inside namespaces).
 */
export function roleIn(
  principal: Principal,
  namespace: NamespaceState | undefined,
): Role | undefined {
  if (namespace === undefined) return undefined;
  if (principal.kind === 'token')
    return principal.namespace === namespace.name ? principal.role : undefined;
  if (principal.kind !== 'admin') return undefined;
  let best: Role | undefined;
  for (const binding of namespace.platform.roleBindings) {
    const role = ROLES.find((candidate) => candidate === binding.role);
    if (role === undefined) continue;
    if (!binding.members.some((m) => m === AUTHENTICATED_MEMBER || m === ADMIN_MEMBER)) continue;
    if (best === undefined || RANK[role] > RANK[best]) best = role;
  }
  return best;
}

/** Whether an authenticated principal may perform `access` (in `namespace`, when scoped). */
export function isAllowed(
  principal: Principal,
  access: Access,
  namespace: NamespaceState | undefined,
): boolean {
  if (principal.kind === 'anonymous') return true; // open mode: no access control
  if (access.resource === 'Status') return true;
  const grant = MATRIX[access.resource];
  if (principal.kind === 'admin' && grant.admin.includes(access.verb)) return true;
  const role = roleIn(principal, namespace);
  return role !== undefined && grant[role].includes(access.verb);
}

export function describePrincipal(principal: Principal): string {
  switch (principal.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'admin':
      return 'the admin token';
    case 'token':
      return `API token '${principal.name}' (role ${principal.role})`;
  }
}
