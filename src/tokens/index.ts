import { TokenResolverChain } from './chain';
import { defaultEnvToken, namespaceEnvTokens } from './env';

export { TokenUnavailableError } from './types';
export type { ResolvedToken, TokenRequest, TokenResolver } from './types';
export type { SecretStore, StoredSecret } from './secret-store';
export { TokenResolverChain } from './chain';
export type { TokenSource } from './chain';
export {
  TOKEN_ENV_PREFIX,
  defaultEnvToken,
  namespaceEnvTokens,
  registerEnvTokensAsSecrets,
  tokenEnvNames,
} from './env';

/**
 * Token resolution from the environment alone: the namespace's own variable, then
 * `APPMANAGER_API_TOKEN`, else anonymous. Secret-backed sources join the chain in front.
 */
export function envTokenResolver(env: NodeJS.ProcessEnv = process.env): TokenResolverChain {
  return new TokenResolverChain([namespaceEnvTokens(env), defaultEnvToken(env)]);
}
