/**
 * Credentials for calls inside one VVP namespace (AppManager API). Implementations decide where
 * tokens come from (environment, Kubernetes Secrets, …); see src/tokens.
 */
export interface TokenProvider {
  /**
   * The API token secret for `vvpNamespace`, or undefined to call anonymously. A rejection
   * fails the VVP call with that same error, before anything is sent.
   */
  tokenFor(vvpNamespace: string): Promise<string | undefined>;
}

/**
 * Credentials for Platform API calls (namespaces, API tokens) and for the AppManager calls that
 * belong to no namespace (status, system info).
 */
export interface PlatformTokenProvider {
  /** The API token secret for platform-level calls, or undefined to call anonymously. */
  platformToken(): Promise<string | undefined>;
}

/** No credentials: VVP Community Edition, or a platform without authentication. */
export const anonymousPlatform: PlatformTokenProvider = {
  platformToken: () => Promise.resolve(undefined),
};
