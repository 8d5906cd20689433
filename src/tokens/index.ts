export { TokenUnavailableError } from './types';
export type { ResolvedToken, TokenRequest, TokenResolver } from './types';
export type { SecretStore, StoredSecret } from './secret-store';
export {
  ANONYMOUS_SOURCE,
  createTokenResolver,
  tokenProviderOf,
  type TokenResolverOptions,
} from './resolver';
export {
  ANNOTATION_API_TOKEN_NAME,
  ANNOTATION_VVP_NAMESPACE,
  OWNER_TOKEN_SECRET_LABELS,
  ownerTokenName,
  ownerTokenSecretName,
} from './owner-tokens';
export { platformCredentials, type PlatformCredentialsOptions } from './platform';
export {
  PLATFORM_TOKEN_ENV,
  TOKEN_ENV_PREFIX,
  envTokenFor,
  envTokenResolver,
  registerEnvTokensAsSecrets,
  tokenEnvNames,
} from './env';
