import { knownSecrets } from '../logging';
import { apiStatusCode } from '../controller/errors';
import type { SecretStore, StoredSecret } from './secret-store';
import { TokenUnavailableError } from './types';

/** The key a token Secret holds its token under unless told otherwise. */
export const DEFAULT_TOKEN_KEY = 'token';

/** A Secret's value for `key` as text (`data` is base64), trimmed; undefined when absent or blank. */
export function secretValue(secret: StoredSecret, key: string): string | undefined {
  const encoded = secret.data?.[key];
  const value =
    encoded === undefined ? secret.stringData?.[key] : Buffer.from(encoded, 'base64').toString();
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** `data` for a Secret holding `value` under `key`. */
export function secretData(key: string, value: string): Record<string, string> {
  return { [key]: Buffer.from(value, 'utf8').toString('base64') };
}

/**
 * Reads the token a person put in a Secret for the operator (a per-object token Secret, the
 * Platform API token Secret). Every failure is a TokenUnavailableError saying what to fix;
 * `purpose` names what the Secret is for (e.g. `named by spec.apiTokenSecretRef`).
 */
export async function readTokenSecret(
  secrets: SecretStore,
  ref: { namespace: string; name: string; key?: string },
  purpose: string,
): Promise<string> {
  const key = ref.key ?? DEFAULT_TOKEN_KEY;
  const described = `Secret ${ref.namespace}/${ref.name}`;
  let secret: StoredSecret | undefined;
  try {
    secret = await secrets.get(ref.namespace, ref.name);
  } catch (error) {
    const status = apiStatusCode(error);
    if (status === 403) {
      throw new TokenUnavailableError(
        `the operator may not read ${described} (${purpose}; HTTP 403): reading token Secrets outside the operator's namespace is an opt-in permission; enable the chart's value for per-object token Secrets (a Role granting get on secrets in namespace ${ref.namespace} to the operator's service account)`,
        { cause: error },
      );
    }
    const reason = status === undefined ? (error as Error).message : `HTTP ${status}`;
    throw new TokenUnavailableError(`${described} (${purpose}) could not be read: ${reason}`, {
      cause: error,
    });
  }
  if (secret === undefined) {
    throw new TokenUnavailableError(
      `${described} (${purpose}) does not exist: create it with key "${key}" holding the VVP API token`,
    );
  }
  const token = secretValue(secret, key);
  if (token === undefined) {
    const keys = Object.keys({ ...secret.data, ...secret.stringData });
    const present = keys.length === 0 ? 'it has no keys' : `its keys are ${keys.join(', ')}`;
    throw new TokenUnavailableError(
      `${described} (${purpose}) has no non-empty key "${key}" (${present}): put the VVP API token under "${key}", or name the right key`,
    );
  }
  knownSecrets.register(token);
  return token;
}
