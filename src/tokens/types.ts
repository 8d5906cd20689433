/** Which VVP namespace a call goes to, and the Secret the object names for it, if any. */
export interface TokenRequest {
  vvpNamespace: string;
  /**
   * `spec.apiTokenSecretRef` of the object, with the object's own Kubernetes namespace (a
   * cluster-scoped VpNamespace names the operator's namespace). `key` defaults to `token`.
   */
  secretRef?: { namespace: string; name: string; key?: string };
}

export interface ResolvedToken {
  /** The API token secret, or undefined to call anonymously. */
  token: string | undefined;
  /**
   * Where the token came from, for conditions and logs, never the token itself: e.g.
   * `Secret team-a/vvp-token key "token"`, `environment variable APPMANAGER_API_TOKEN`,
   * `owner token created by the operator (Secret vp-operator/vp-operator-token-team-a)`,
   * `none (anonymous)`.
   */
  source: string;
}

/**
 * The API token for calls into one VVP namespace, per object. Order: the Secret the object
 * names, `APPMANAGER_API_TOKEN_<NS>`, `APPMANAGER_API_TOKEN`, an owner token the operator
 * created through the Platform API (kept in a Secret in the operator's namespace), else none.
 */
export interface TokenResolver {
  /** Rejects with TokenUnavailableError when the named Secret cannot be read or lacks the key. */
  resolve(request: TokenRequest, signal?: AbortSignal): Promise<ResolvedToken>;
  /** After a 401 with an operator-created token: forget it so the next resolve creates a fresh one. */
  invalidate(request: TokenRequest): Promise<void>;
  /** VpNamespace deleted: delete the owner token the operator created there (VVP + Secret); never others. */
  releaseOwnerToken(vvpNamespace: string, signal?: AbortSignal): Promise<void>;
}

/**
 * A token source the object relies on is missing or unreadable (the named Secret, its key, or
 * the permission to read it). The message names the Secret and key and says what to do.
 */
export class TokenUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TokenUnavailableError';
  }
}
