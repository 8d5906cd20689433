import { describe, expect, it } from '@jest/globals';
import { isAllowed, type Access, type Principal, type ResourceKind, type Verb } from './auth';
import { newDeploymentDefaults } from './appmanager';
import type { Role, RoleBinding } from './model';
import { NamespaceState } from './store';

function namespace(name: string, roleBindings: RoleBinding[] = []): NamespaceState {
  return new NamespaceState(
    name,
    {
      name: `namespaces/${name}`,
      roleBindings,
      createTime: '',
      lifecyclePhase: 'LIFECYCLE_PHASE_ACTIVE',
    },
    newDeploymentDefaults(name, '00000000-0000-4000-8000-000000000000', 0),
  );
}

const token = (role: Role, ns = 'team'): Principal => ({
  kind: 'token',
  name: `namespaces/${ns}/apitokens/${role}`,
  namespace: ns,
  role,
});

const VERBS: Verb[] = ['list', 'get', 'create', 'update', 'delete'];

/** The permission matrix of vvp-api.md §2, one row per resource: verbs allowed per role. */
const MATRIX: [ResourceKind, Record<Role | 'admin', Verb[]>][] = [
  ['ApiToken', { viewer: [], editor: [], owner: VERBS, admin: [] }],
  ['Namespace', { viewer: [], editor: [], owner: ['get', 'update'], admin: VERBS }],
  [
    'DeploymentTarget',
    { viewer: ['list', 'get'], editor: ['list', 'get'], owner: VERBS, admin: [] },
  ],
  ['DeploymentDefaults', { viewer: ['get'], editor: ['get'], owner: VERBS, admin: [] }],
  ['Deployment', { viewer: ['list', 'get'], editor: VERBS, owner: VERBS, admin: [] }],
  ['Savepoint', { viewer: ['list', 'get'], editor: VERBS, owner: VERBS, admin: [] }],
  ['Job', { viewer: ['list', 'get'], editor: VERBS, owner: VERBS, admin: [] }],
  ['Event', { viewer: ['list', 'get'], editor: VERBS, owner: VERBS, admin: [] }],
];

describe('permission matrix', () => {
  const team = namespace('team');

  describe.each(MATRIX)('%s', (resource, allowed) => {
    it.each(['viewer', 'editor', 'owner'] as const)(
      'grants a %s token exactly its verbs',
      (role) => {
        const granted = VERBS.filter((verb) => isAllowed(token(role), { resource, verb }, team));
        expect(granted).toEqual(allowed[role]);
      },
    );

    it('grants the admin token exactly its verbs in a namespace without bindings', () => {
      const granted = VERBS.filter((verb) =>
        isAllowed({ kind: 'admin' }, { resource, verb }, team),
      );
      expect(granted).toEqual(allowed.admin);
    });
  });

  it('confines a token to its own namespace', () => {
    const access: Access = { resource: 'Deployment', verb: 'get' };
    expect(isAllowed(token('owner', 'team'), access, namespace('other'))).toBe(false);
  });

  it('gives the admin the roles its namespace bindings grant', () => {
    const bound = namespace('bound', [{ role: 'owner', members: ['user:admin'] }]);
    const everyone = namespace('everyone', [{ role: 'viewer', members: ['system:authenticated'] }]);
    const others = namespace('others', [{ role: 'owner', members: ['group:flink'] }]);
    const create: Access = { resource: 'ApiToken', verb: 'create' };
    expect(isAllowed({ kind: 'admin' }, create, bound)).toBe(true);
    expect(isAllowed({ kind: 'admin' }, create, everyone)).toBe(false);
    expect(isAllowed({ kind: 'admin' }, { resource: 'Deployment', verb: 'list' }, everyone)).toBe(
      true,
    );
    expect(isAllowed({ kind: 'admin' }, { resource: 'Deployment', verb: 'list' }, others)).toBe(
      false,
    );
  });

  it('lets every authenticated caller read the status, and anyone do anything when open', () => {
    expect(isAllowed(token('viewer'), { resource: 'Status', verb: 'get' }, undefined)).toBe(true);
    expect(isAllowed({ kind: 'anonymous' }, { resource: 'Namespace', verb: 'delete' }, team)).toBe(
      true,
    );
  });
});
