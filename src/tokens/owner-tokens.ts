import { createHash } from 'node:crypto';
import { isConflict } from '../controller/errors';
import { knownSecrets, type Logger } from '../logging';
import { abortable } from '../vvp/abort';
import {
  DryRunWriteError,
  StateConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  type ApiToken,
  type VvpClient,
} from '../vvp';
import { secretData, secretValue, DEFAULT_TOKEN_KEY } from './secret-data';
import type { SecretStore, StoredSecret } from './secret-store';
import { TokenUnavailableError } from './types';

/** Labels on every owner-token Secret: a Secret informer can select exactly these. */
export const OWNER_TOKEN_SECRET_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/managed-by': 'vp-operator',
  'vpoperator.dev/owner-token': 'true',
};
export const ANNOTATION_VVP_NAMESPACE = 'vpoperator.dev/vvp-namespace';
export const ANNOTATION_API_TOKEN_NAME = 'vpoperator.dev/api-token-name';

const TOKEN_NAME_PREFIX = 'vp-operator-';
const MAX_TOKEN_NAME = 63;

/**
 * The VVP API token name this operator instance uses in every namespace:
 * `vp-operator-<instance id or "default">`. VVP wants a DNS label, a label value may have
 * upper case, `_` and `.`: such ids are lower-cased and dashed, with a hash of the id so that
 * two ids never share a name.
 */
export function ownerTokenName(instanceId: string | undefined): string {
  const id = instanceId ?? 'default';
  const slug = id.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const name = `${TOKEN_NAME_PREFIX}${slug}`;
  if (slug === id && name.length <= MAX_TOKEN_NAME) return name;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
  const room = MAX_TOKEN_NAME - TOKEN_NAME_PREFIX.length - hash.length - 1;
  return `${TOKEN_NAME_PREFIX}${slug.slice(0, room).replace(/-+$/, '')}-${hash}`;
}

/**
 * The Secret that keeps the owner token of `vvpNamespace`: `<token name>.<vvp namespace>`. VVP
 * namespace names are DNS labels, so the dot makes the name unambiguous.
 */
export function ownerTokenSecretName(tokenName: string, vvpNamespace: string): string {
  return `${tokenName}.${vvpNamespace}`;
}

export interface OwnerTokensOptions {
  /** Platform API access (API tokens), with the operator's Platform credentials. */
  vvp: Pick<VvpClient, 'apiTokens' | 'namespaces'>;
  secrets: SecretStore;
  operatorNamespace: string;
  instanceId: string | undefined;
  logger: Logger;
  /** After VVP refused to create a token, calls go anonymous this long before asking again. */
  retryRefusedAfterMs?: number;
  now?: () => number;
}

export type OwnerTokenOutcome =
  | { kind: 'token'; token: string; secret: string }
  /** VVP will not give the operator a token here (open VVP, no Platform credentials, …). */
  | { kind: 'refused'; reason: string };

const DEFAULT_RETRY_REFUSED_AFTER_MS = 5 * 60_000;

/**
 * Owner tokens the operator creates through the Platform API, one per VVP namespace, each kept
 * in a Secret in the operator's namespace. Restarts and replicas read the Secret instead of
 * revoking each other's tokens (the earlier operator kept them in memory only); concurrent
 * requests for one namespace share one creation.
 */
export class OwnerTokens {
  readonly #options: OwnerTokensOptions;
  readonly #tokenName: string;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #known = new Map<string, string>();
  readonly #refused = new Map<string, { reason: string; until: number }>();
  readonly #pending = new Map<string, Promise<OwnerTokenOutcome>>();

  constructor(options: OwnerTokensOptions) {
    this.#options = options;
    this.#tokenName = ownerTokenName(options.instanceId);
    this.#log = options.logger.child({ component: 'owner-tokens' });
    this.#now = options.now ?? Date.now;
  }

  /** `namespace/name` of the Secret that keeps the token of `vvpNamespace`. */
  secretOf(vvpNamespace: string): string {
    return `${this.#options.operatorNamespace}/${this.#secretName(vvpNamespace)}`;
  }

  /**
   * The owner token of `vvpNamespace`: remembered, else from its Secret, else newly created.
   * The creation itself ignores `signal`: a create abandoned half-way would leave a token whose
   * secret nobody kept; the caller merely stops waiting.
   */
  get(vvpNamespace: string, signal?: AbortSignal): Promise<OwnerTokenOutcome> {
    const token = this.#known.get(vvpNamespace);
    if (token !== undefined) {
      return Promise.resolve({ kind: 'token', token, secret: this.secretOf(vvpNamespace) });
    }
    const refused = this.#refused.get(vvpNamespace);
    if (refused !== undefined && this.#now() < refused.until) {
      return Promise.resolve({ kind: 'refused', reason: refused.reason });
    }
    return abortable(
      this.#shared(vvpNamespace, () => this.#obtain(vvpNamespace)),
      signal,
      () => abortError(signal),
    );
  }

  /**
   * VVP refused the remembered token (401): forget it, and delete its Secret if it still holds
   * that same token, so the next `get` creates a fresh one. A Secret another replica already
   * refreshed is kept and read again.
   */
  async forget(vvpNamespace: string): Promise<void> {
    await this.#settled(vvpNamespace);
    const failed = this.#known.get(vvpNamespace);
    this.#known.delete(vvpNamespace);
    if (failed === undefined) return;
    const stored = await this.#readOwn(vvpNamespace);
    if (stored !== undefined && secretValue(stored, DEFAULT_TOKEN_KEY) === failed) {
      await this.#options.secrets.delete(
        this.#options.operatorNamespace,
        this.#secretName(vvpNamespace),
      );
      this.#log.info(
        { vvpNamespace, secret: this.secretOf(vvpNamespace) },
        'VVP refused the owner token; a new one will be created',
      );
    }
  }

  /**
   * Deletes the owner token of `vvpNamespace` and its Secret, when the Secret shows the operator
   * created it. Tokens it did not create are never touched.
   */
  async release(vvpNamespace: string, signal?: AbortSignal): Promise<void> {
    await this.#settled(vvpNamespace);
    this.#known.delete(vvpNamespace);
    this.#refused.delete(vvpNamespace);
    const stored = await this.#readOwn(vvpNamespace);
    if (stored === undefined) return;
    const tokenName = stored.metadata?.annotations?.[ANNOTATION_API_TOKEN_NAME];
    if (tokenName !== undefined) {
      try {
        await this.#options.vvp.apiTokens(vvpNamespace, { signal }).delete(tokenName);
      } catch (error) {
        // Already gone, or the whole VVP namespace is: its tokens went with it, and a namespace
        // that no longer exists may answer 403 (no role binding left) rather than 404.
        const gone =
          error instanceof NotFoundError ||
          (error instanceof ForbiddenError && (await this.#namespaceGone(vvpNamespace, signal)));
        if (!gone) throw error;
      }
    }
    await this.#options.secrets.delete(
      this.#options.operatorNamespace,
      this.#secretName(vvpNamespace),
    );
    this.#log.info(
      { vvpNamespace, token: tokenName, secret: this.secretOf(vvpNamespace) },
      'deleted the owner token',
    );
  }

  /** Like {@link #namespaceGone}, but a failure to find out counts as "not missing". */
  async #namespaceMissing(vvpNamespace: string): Promise<boolean> {
    try {
      // Part of a creation shared by every waiting caller, so no one caller's signal.
      return await this.#namespaceGone(vvpNamespace, undefined);
    } catch {
      return false;
    }
  }

  async #namespaceGone(vvpNamespace: string, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await this.#options.vvp.namespaces({ signal }).get(vvpNamespace);
      return false;
    } catch (error) {
      if (error instanceof NotFoundError) return true;
      throw error;
    }
  }

  #shared(
    vvpNamespace: string,
    start: () => Promise<OwnerTokenOutcome>,
  ): Promise<OwnerTokenOutcome> {
    let pending = this.#pending.get(vvpNamespace);
    if (pending === undefined) {
      pending = start().finally(() => {
        this.#pending.delete(vvpNamespace);
      });
      this.#pending.set(vvpNamespace, pending);
    }
    return pending;
  }

  async #settled(vvpNamespace: string): Promise<void> {
    await this.#pending.get(vvpNamespace)?.catch(() => undefined);
  }

  async #obtain(vvpNamespace: string): Promise<OwnerTokenOutcome> {
    const stored = await this.#readOwn(vvpNamespace);
    const kept = stored === undefined ? undefined : secretValue(stored, DEFAULT_TOKEN_KEY);
    if (kept !== undefined) return this.#remember(vvpNamespace, kept);

    const created = await this.#createVvpToken(vvpNamespace);
    if (created.kind === 'refused') {
      this.#refused.set(vvpNamespace, {
        reason: created.reason,
        until: this.#now() + (this.#options.retryRefusedAfterMs ?? DEFAULT_RETRY_REFUSED_AFTER_MS),
      });
      this.#log.warn({ vvpNamespace, reason: created.reason }, 'calling VVP without a token');
      return created;
    }
    const token = created.secret;
    knownSecrets.register(token);
    const secret = this.#secretFor(vvpNamespace, token, stored);
    try {
      if (stored === undefined) await this.#options.secrets.create(secret);
      else await this.#options.secrets.update(secret);
    } catch (error) {
      if (!isConflict(error)) throw error;
      // Another replica stored its token first: use that one.
      const winner = await this.#readOwn(vvpNamespace);
      const theirs = winner === undefined ? undefined : secretValue(winner, DEFAULT_TOKEN_KEY);
      if (theirs === undefined) throw error;
      return this.#remember(vvpNamespace, theirs);
    }
    this.#log.info(
      { vvpNamespace, token: this.#tokenName, secret: this.secretOf(vvpNamespace) },
      'created an owner token',
    );
    return this.#remember(vvpNamespace, token);
  }

  /**
   * Creates the operator's token in VVP. One that exists already lost its secret (no Secret
   * holds it), so it is replaced: only this operator-named token, never another.
   */
  async #createVvpToken(
    vvpNamespace: string,
  ): Promise<{ kind: 'created'; secret: string } | { kind: 'refused'; reason: string }> {
    const api = this.#options.vvp.apiTokens(vvpNamespace);
    const body: ApiToken = {
      name: `namespaces/${vvpNamespace}/apitokens/${this.#tokenName}`,
      role: 'owner',
    };
    let created: ApiToken;
    try {
      try {
        created = await api.create(body);
      } catch (error) {
        if (!(error instanceof StateConflictError)) throw error;
        this.#log.warn(
          { vvpNamespace, token: this.#tokenName },
          'the owner token exists in VVP but no Secret holds its secret; replacing it',
        );
        try {
          await api.delete(this.#tokenName);
        } catch (deleteError) {
          if (!(deleteError instanceof NotFoundError)) throw deleteError;
        }
        created = await api.create(body);
      }
    } catch (error) {
      // A 403 in a namespace that does not exist yet (its VpNamespace is still being created)
      // is no refusal to remember: the next attempt, once it exists, may well succeed.
      if (error instanceof ForbiddenError && (await this.#namespaceMissing(vvpNamespace))) {
        throw new TokenUnavailableError(
          `VVP namespace ${vvpNamespace} does not exist (yet), so the operator cannot create its owner token there; create it with a VpNamespace (or in VVP); retrying until it exists`,
          { cause: error },
        );
      }
      const reason = refusalReason(error, vvpNamespace);
      if (reason === undefined) throw error;
      return { kind: 'refused', reason };
    }
    if (created.secret === undefined || created.secret === '') {
      throw new TokenUnavailableError(
        `VVP created API token ${body.name ?? ''} but answered without its secret`,
      );
    }
    return { kind: 'created', secret: created.secret };
  }

  /** The operator's Secret for `vvpNamespace`; a foreign Secret of that name is an error. */
  async #readOwn(vvpNamespace: string): Promise<StoredSecret | undefined> {
    const name = this.#secretName(vvpNamespace);
    const stored = await this.#options.secrets.get(this.#options.operatorNamespace, name);
    if (stored === undefined) return undefined;
    const labels = stored.metadata?.labels ?? {};
    const ours = Object.entries(OWNER_TOKEN_SECRET_LABELS).every(
      ([key, value]) => labels[key] === value,
    );
    if (!ours) {
      throw new TokenUnavailableError(
        `Secret ${this.secretOf(vvpNamespace)} exists but was not created by the operator (it lacks the label vpoperator.dev/owner-token=true): rename or delete it, or give the object a token through spec.apiTokenSecretRef or APPMANAGER_API_TOKEN_*`,
      );
    }
    return stored;
  }

  #secretFor(
    vvpNamespace: string,
    token: string,
    previous: StoredSecret | undefined,
  ): StoredSecret {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: this.#secretName(vvpNamespace),
        namespace: this.#options.operatorNamespace,
        ...(previous?.metadata?.resourceVersion === undefined
          ? {}
          : { resourceVersion: previous.metadata.resourceVersion }),
        labels: { ...OWNER_TOKEN_SECRET_LABELS },
        annotations: {
          [ANNOTATION_VVP_NAMESPACE]: vvpNamespace,
          [ANNOTATION_API_TOKEN_NAME]: this.#tokenName,
        },
      },
      data: secretData(DEFAULT_TOKEN_KEY, token),
    };
  }

  #remember(vvpNamespace: string, token: string): OwnerTokenOutcome {
    knownSecrets.register(token);
    this.#known.set(vvpNamespace, token);
    this.#refused.delete(vvpNamespace);
    return { kind: 'token', token, secret: this.secretOf(vvpNamespace) };
  }

  #secretName(vvpNamespace: string): string {
    return ownerTokenSecretName(this.#tokenName, vvpNamespace);
  }
}

/** Why VVP will not give the operator a token, when that is the answer; else undefined. */
function refusalReason(error: unknown, vvpNamespace: string): string | undefined {
  if (error instanceof DryRunWriteError) {
    return `the operator runs with --dry-run, so it does not create its owner token in namespace ${vvpNamespace} (it would: no Secret or APPMANAGER_API_TOKEN_* variable has a token for it); give it one through spec.apiTokenSecretRef or APPMANAGER_API_TOKEN_* to dry-run with credentials`;
  }
  if (error instanceof UnauthorizedError || error instanceof ForbiddenError) {
    return `VVP did not let the operator create an owner token in namespace ${vvpNamespace} (HTTP ${error.status ?? ''}); give it Platform API credentials with the owner role there (--platform-api-token-secret or PLATFORM_API_TOKEN), or a token per namespace (spec.apiTokenSecretRef, APPMANAGER_API_TOKEN_*)`;
  }
  if (error instanceof NotFoundError) {
    return `VVP has no API tokens for namespace ${vvpNamespace} (HTTP 404: the namespace does not exist, or this is the Community Edition)`;
  }
  return undefined;
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}
