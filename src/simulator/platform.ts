import { knownSecrets } from '../logging';
import type { Agenda } from './agenda';
import { newDeploymentDefaults } from './appmanager';
import type { SimulatedTime } from './clock';
import { badRequest, conflict, notFound } from './errors';
import { isJsonObject, stringAt, type JsonObject } from '../json';
import { namespacePrefix } from './lifecycle';
import { ROLES, type ApiToken, type PlatformNamespace, type Role, type RoleBinding } from './model';
import { checkDnsLabel } from './names';
import type { RandomSource } from './random';
import { isoTime, NamespaceState, type SimulatorStore } from './store';

/** The namespace every installation starts with; its binding lets every signed-in user own it. */
export const DEFAULT_NAMESPACE = 'default';
const DEFAULT_ROLE_BINDINGS: RoleBinding[] = [{ role: 'owner', members: ['system:authenticated'] }];

const NAMESPACE_PREFIX = 'namespaces/';

/** Undocumented Platform behaviour the simulator reads strictly unless told otherwise. */
export interface PlatformSettings {
  /** Let `default` be deleted like any namespace (strict: refused with 409). */
  allowDefaultNamespaceDeletion?: boolean;
}

export interface CreatedApiToken {
  token: ApiToken;
  secret: string;
}

/**
 * The Platform API: namespaces (ACTIVE → TERMINATING → gone) and their API tokens. Bodies carry
 * fully qualified names (`namespaces/<ns>`, `namespaces/<ns>/apitokens/<t>`), URLs short ones.
 */
export class Platform {
  readonly #store: SimulatorStore;
  readonly #agenda: Agenda;
  readonly #clock: SimulatedTime;
  readonly #random: RandomSource;
  readonly #terminationMs: () => number;
  readonly #settings: () => PlatformSettings;
  readonly #teardown: (namespace: NamespaceState, at: number) => void;

  constructor(deps: {
    store: SimulatorStore;
    agenda: Agenda;
    clock: SimulatedTime;
    random: RandomSource;
    /** How long a deleted namespace stays TERMINATING before it is gone. */
    terminationMs: () => number;
    settings?: () => PlatformSettings;
    /** Stops the jobs of a namespace being deleted and removes its content as they end. */
    teardown?: (namespace: NamespaceState, at: number) => void;
  }) {
    this.#store = deps.store;
    this.#agenda = deps.agenda;
    this.#clock = deps.clock;
    this.#random = deps.random;
    this.#terminationMs = deps.terminationMs;
    this.#settings = deps.settings ?? (() => ({}));
    this.#teardown =
      deps.teardown ??
      ((namespace) => {
        namespace.clearContent();
      });
  }

  /** Puts a fresh installation's `default` namespace in place. */
  bootstrap(): void {
    this.#insert(DEFAULT_NAMESPACE, structuredClone(DEFAULT_ROLE_BINDINGS));
  }

  listNamespaces(): { namespaces: PlatformNamespace[] } {
    return { namespaces: [...this.#store.namespaces.values()].map((ns) => ns.platform) };
  }

  getNamespace(name: string): { namespace: PlatformNamespace } {
    return { namespace: this.#namespace(name).platform };
  }

  createNamespace(body: JsonObject): { namespace: PlatformNamespace } {
    const name = this.#shortName(body);
    const problem = checkDnsLabel('name', name);
    if (problem !== undefined) throw badRequest(problem);
    const existing = this.#store.namespaces.get(name);
    if (existing !== undefined) {
      const state = existing.terminating ? ' and is still being deleted' : '';
      throw conflict(`Namespace '${name}' already exists${state}`);
    }
    return { namespace: this.#insert(name, readRoleBindings(body)).platform };
  }

  updateNamespace(name: string, body: JsonObject): { namespace: PlatformNamespace } {
    const ns = this.#namespace(name);
    if (stringAt(body, 'name') !== undefined && this.#shortName(body) !== name) {
      throw badRequest(
        `name '${stringAt(body, 'name') ?? ''}' does not match '${NAMESPACE_PREFIX}${name}' in the path`,
      );
    }
    if (ns.terminating)
      throw conflict(`Namespace '${name}' is being deleted (TERMINATING) and cannot be updated`);
    const roleBindings = readRoleBindings(body);
    this.#store.journal.preserve(ns.platform);
    ns.platform.roleBindings = roleBindings;
    return { namespace: ns.platform };
  }

  /**
   * Starts deletion: the namespace goes TERMINATING, its running jobs are stopped (with their
   * events) and its content removed as they end; the namespace itself is gone once the
   * termination time has passed and nothing is left in it.
   */
  deleteNamespace(name: string): { namespace: PlatformNamespace } {
    const ns = this.#namespace(name);
    if (name === DEFAULT_NAMESPACE && this.#settings().allowDefaultNamespaceDeletion !== true) {
      throw conflict(
        `Namespace '${DEFAULT_NAMESPACE}' is the installation's default namespace and cannot be deleted`,
      );
    }
    if (!ns.terminating) {
      const at = this.#clock.now();
      this.#store.journal.preserve(ns.platform);
      ns.platform.lifecyclePhase = 'LIFECYCLE_PHASE_TERMINATING';
      this.#teardown(ns, at);
      this.#agenda.schedule(
        `${namespacePrefix(name)}termination`,
        at + this.#terminationMs(),
        () => {
          if (ns.deployments.size === 0) this.forget(ns);
          else ns.terminationDue = true;
        },
      );
    }
    return { namespace: ns.platform };
  }

  /** The end of a namespace's termination: it and whatever is left in it are gone (404). */
  forget(ns: NamespaceState): void {
    if (this.#store.namespaces.get(ns.name) !== ns) return;
    this.#agenda.cancelPrefix(namespacePrefix(ns.name));
    this.#store.namespaces.delete(ns.name);
  }

  listApiTokens(namespace: string): { apiTokens: ApiToken[] } {
    return {
      apiTokens: [...this.#namespace(namespace).tokens.values()].map((record) => record.token),
    };
  }

  getApiToken(namespace: string, name: string): { apiToken: ApiToken } {
    return { apiToken: this.#token(namespace, name) };
  }

  /** The only call whose answer carries the secret. */
  createApiToken(namespace: string, body: JsonObject): CreatedApiToken {
    const ns = this.#namespace(namespace);
    if (ns.terminating)
      throw conflict(
        `Namespace '${namespace}' is being deleted (TERMINATING); no tokens can be created in it`,
      );
    const qualified = stringAt(body, 'name');
    const prefix = `${NAMESPACE_PREFIX}${namespace}/apitokens/`;
    if (qualified === undefined || !qualified.startsWith(prefix)) {
      throw badRequest(`name must be the qualified token name '${prefix}<token>'`);
    }
    const shortName = qualified.slice(prefix.length);
    const problem = checkDnsLabel('name', shortName);
    if (problem !== undefined) throw badRequest(problem);
    const role = stringAt(body, 'role');
    if (!isRole(role))
      throw badRequest(
        `role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role ?? null)}`,
      );
    if (ns.tokens.has(shortName)) throw conflict(`API token '${qualified}' already exists`);
    const token: ApiToken = { name: qualified, role, createTime: isoTime(this.#clock.now()) };
    const secret = this.#random.secret();
    knownSecrets.register(secret);
    ns.tokens.set(shortName, { token, secret });
    return { token, secret };
  }

  /** Revocation is immediate: the next request with the secret is refused. */
  deleteApiToken(namespace: string, name: string): Record<string, never> {
    this.#token(namespace, name);
    this.#namespace(namespace).tokens.delete(name);
    return {};
  }

  #token(namespace: string, name: string): ApiToken {
    const record = this.#namespace(namespace).tokens.get(name);
    if (record === undefined)
      throw notFound(`API token '${name}' not found in namespace '${namespace}'`);
    return record.token;
  }

  #namespace(name: string): NamespaceState {
    const ns = this.#store.namespaces.get(name);
    if (ns === undefined) throw notFound(`Namespace '${name}' not found`);
    return ns;
  }

  #insert(name: string, roleBindings: RoleBinding[]): NamespaceState {
    const at = this.#clock.now();
    const platform: PlatformNamespace = {
      name: `${NAMESPACE_PREFIX}${name}`,
      roleBindings,
      createTime: isoTime(at),
      lifecyclePhase: 'LIFECYCLE_PHASE_ACTIVE',
    };
    const ns = new NamespaceState(
      name,
      platform,
      newDeploymentDefaults(name, this.#random.uuid(), at),
      this.#store.journal,
    );
    this.#store.namespaces.set(name, ns);
    return ns;
  }

  #shortName(body: JsonObject): string {
    const qualified = stringAt(body, 'name');
    if (qualified === undefined || !qualified.startsWith(NAMESPACE_PREFIX)) {
      throw badRequest(
        `name must be the qualified namespace name '${NAMESPACE_PREFIX}<namespace>'`,
      );
    }
    return qualified.slice(NAMESPACE_PREFIX.length);
  }
}

function isRole(value: string | undefined): value is Role {
  return ROLES.some((role) => role === value);
}

function readRoleBindings(body: JsonObject): RoleBinding[] {
  const given = body.roleBindings ?? [];
  if (!Array.isArray(given)) throw badRequest('roleBindings must be an array');
  return given.map((binding, i) => {
    const role = isJsonObject(binding) ? stringAt(binding, 'role') : undefined;
    if (!isRole(role)) {
      throw badRequest(
        `roleBindings[${i}].role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role ?? null)}`,
      );
    }
    const members = isJsonObject(binding) && Array.isArray(binding.members) ? binding.members : [];
    return { role, members: members.filter((m): m is string => typeof m === 'string') };
  });
}
