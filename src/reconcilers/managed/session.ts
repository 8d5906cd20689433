import type { ResolvedToken, TokenRequest, TokenResolver } from '../../tokens';
import type { VvpCallOptions } from '../../vvp';
import type { ManagedResource } from './types';

/** How Platform API calls authenticate: the operator's own credentials, not a namespace token. */
export const PLATFORM_CREDENTIALS =
  'the platform credentials (--platform-api-token-secret or PLATFORM_API_TOKEN; anonymous without them)';

/**
 * The token a CR's calls into `vvpNamespace` need: the Secret its `spec.apiTokenSecretRef`
 * names (in the CR's namespace; for cluster-scoped CRs in `clusterScopedNamespace`), else
 * whatever the resolver finds for the VVP namespace.
 */
export function tokenRequestFor(
  object: ManagedResource,
  vvpNamespace: string,
  clusterScopedNamespace: string,
): TokenRequest {
  const ref = object.spec?.apiTokenSecretRef;
  const request: TokenRequest = { vvpNamespace };
  if (ref === undefined) return request;
  const namespace = object.metadata?.namespace ?? clusterScopedNamespace;
  return {
    ...request,
    secretRef: { namespace, name: ref.name, ...(ref.key === undefined ? {} : { key: ref.key }) },
  };
}

/**
 * VVP call options for one CR during one reconcile: the reconcile's abort signal on every
 * call, and the CR's credentials. The namespace token is resolved on first use only (a
 * VpNamespace needs it only for its deployment defaults, after the namespace exists) and then
 * reused for the rest of the reconcile. Remembers which credentials the latest call used, so
 * a 401/403 can say which source was refused (never the token itself).
 */
export class VvpSession {
  readonly #resolver: TokenResolver;
  #token: Promise<ResolvedToken> | undefined;
  #lastCredentials: 'namespace' | 'platform' | undefined;

  constructor(
    resolver: TokenResolver,
    readonly tokenRequest: TokenRequest,
    readonly signal: AbortSignal,
  ) {
    this.#resolver = resolver;
  }

  /** Options for AppManager calls into the CR's VVP namespace. */
  async appManager(): Promise<VvpCallOptions> {
    this.#token ??= this.#resolver.resolve(this.tokenRequest, this.signal);
    const { token } = await this.#token;
    this.#lastCredentials = 'namespace';
    return { signal: this.signal, auth: { token } };
  }

  /** Options for Platform API calls (namespaces): the operator's platform credentials. */
  platform(): VvpCallOptions {
    this.#lastCredentials = 'platform';
    return { signal: this.signal };
  }

  /** Which credentials the latest call was sent with, for messages. */
  async credentialsUsed(): Promise<string> {
    if (this.#lastCredentials === 'platform') return PLATFORM_CREDENTIALS;
    if (this.#token === undefined) return 'no credentials (no call was made)';
    try {
      return `the API token from ${(await this.#token).source}`;
    } catch {
      return 'the API token (its source could not be resolved)';
    }
  }

  /**
   * After a 401: forget an operator-created namespace token so the next reconcile gets a fresh
   * one. Platform credentials are the operator's configuration and are left alone.
   */
  async invalidate(): Promise<void> {
    if (this.#lastCredentials !== 'namespace') return;
    await this.#resolver.invalidate(this.tokenRequest);
  }
}
