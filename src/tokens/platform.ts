import { knownSecrets } from '../logging';
import type { PlatformTokenProvider } from '../vvp';
import { PLATFORM_TOKEN_ENV, tokenIn } from './env';
import { readTokenSecret } from './secret-data';
import type { SecretStore } from './secret-store';

export interface PlatformCredentialsOptions {
  /** `--platform-api-token-secret`: a Secret in the operator namespace, key `token`. */
  secretName: string | undefined;
  operatorNamespace: string;
  secrets: SecretStore;
  env?: NodeJS.ProcessEnv;
}

/**
 * The token for Platform API calls (VVP namespaces, API tokens): the Secret named by
 * `--platform-api-token-secret`, else `PLATFORM_API_TOKEN`, else none (an open Platform API).
 * The Secret is read on every call, so a rotated token counts at once; a configured Secret
 * that cannot be read fails the call (TokenUnavailableError) rather than going anonymous.
 */
export function platformCredentials(options: PlatformCredentialsOptions): PlatformTokenProvider {
  const env = options.env ?? process.env;
  const { secretName } = options;
  return {
    platformToken: async () => {
      if (secretName !== undefined) {
        return readTokenSecret(
          options.secrets,
          { namespace: options.operatorNamespace, name: secretName },
          'named by --platform-api-token-secret',
        );
      }
      const token = tokenIn(env, PLATFORM_TOKEN_ENV);
      if (token !== undefined) knownSecrets.register(token);
      return token;
    },
  };
}
