import { knownSecrets, type Logger } from '../logging';
import type { TokenProvider, VvpClient } from '../vvp';
import { envTokenFor } from './env';
import { OwnerTokens } from './owner-tokens';
import { DEFAULT_TOKEN_KEY, readTokenSecret } from './secret-data';
import type { SecretStore } from './secret-store';
import type { TokenRequest, TokenResolver } from './types';

/** The source of an anonymous call; a reason may follow after a semicolon inside the brackets. */
export const ANONYMOUS_SOURCE = 'none (anonymous)';

export interface TokenResolverOptions {
  secrets: SecretStore;
  env?: NodeJS.ProcessEnv;
  /**
   * Create owner tokens through the Platform API when nothing else has a token; omit to call
   * anonymously instead.
   */
  ownerTokens?: {
    /** Platform API access with the operator's Platform credentials. */
    vvp: Pick<VvpClient, 'apiTokens' | 'namespaces'>;
    operatorNamespace: string;
    instanceId: string | undefined;
    logger: Logger;
    retryRefusedAfterMs?: number;
    now?: () => number;
  };
}

/**
 * The operator's TokenResolver: the Secret the object names, `APPMANAGER_API_TOKEN_<NS>`,
 * `APPMANAGER_API_TOKEN`, then an owner token the operator creates (see OwnerTokens), else
 * anonymous. A named Secret that cannot be used is an error, never a silent fallback.
 */
export function createTokenResolver(options: TokenResolverOptions): TokenResolver {
  const env = options.env ?? process.env;
  const owned =
    options.ownerTokens === undefined
      ? undefined
      : new OwnerTokens({ ...options.ownerTokens, secrets: options.secrets });

  /** Whether the operator's owner token would be the one used for `request`. */
  const ownerTokenApplies = (request: TokenRequest): boolean =>
    request.secretRef === undefined && envTokenFor(env, request.vvpNamespace) === undefined;

  return {
    async resolve(request, signal) {
      const { secretRef } = request;
      if (secretRef !== undefined) {
        const key = secretRef.key ?? DEFAULT_TOKEN_KEY;
        const token = await readTokenSecret(
          options.secrets,
          { ...secretRef, key },
          'named by spec.apiTokenSecretRef',
        );
        return { token, source: `Secret ${secretRef.namespace}/${secretRef.name} key "${key}"` };
      }
      const fromEnv = envTokenFor(env, request.vvpNamespace);
      if (fromEnv !== undefined) {
        knownSecrets.register(fromEnv.token);
        return { token: fromEnv.token, source: `environment variable ${fromEnv.variable}` };
      }
      if (owned === undefined) return { token: undefined, source: ANONYMOUS_SOURCE };
      const outcome = await owned.get(request.vvpNamespace, signal);
      return outcome.kind === 'token'
        ? {
            token: outcome.token,
            source: `owner token created by the operator (Secret ${outcome.secret})`,
          }
        : { token: undefined, source: `none (anonymous; ${outcome.reason})` };
    },

    async invalidate(request) {
      if (owned !== undefined && ownerTokenApplies(request)) {
        await owned.forget(request.vvpNamespace);
      }
    },

    async releaseOwnerToken(vvpNamespace, signal) {
      await owned?.release(vvpNamespace, signal);
    },
  };
}

/**
 * The resolver as the VVP client's default TokenProvider, for calls made without per-object
 * credentials (no `spec.apiTokenSecretRef` to consider).
 */
export function tokenProviderOf(resolver: TokenResolver): TokenProvider {
  return {
    tokenFor: async (vvpNamespace) => (await resolver.resolve({ vvpNamespace })).token,
  };
}
