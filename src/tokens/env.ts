import type { TokenSource } from './chain';

export const TOKEN_ENV_PREFIX = 'APPMANAGER_API_TOKEN';

/**
 * The environment variables that may hold the token of one VVP namespace, most specific first:
 * `APPMANAGER_API_TOKEN_<NS>` with the name upper-cased and `-`/`.` turned into `_` (a valid
 * shell name), then the name only upper-cased, dashes kept, as the earlier Go operator read it.
 * Namespaces that differ only in `-`, `.` and `_` share a variable.
 */
export function tokenEnvNames(vvpNamespace: string): string[] {
  const upper = vvpNamespace.toUpperCase();
  const normalised = `${TOKEN_ENV_PREFIX}_${upper.replace(/[-.]/g, '_')}`;
  const legacy = `${TOKEN_ENV_PREFIX}_${upper}`;
  return normalised === legacy ? [normalised] : [normalised, legacy];
}

/** A variable's token; unset, empty and blank values count as absent. */
function tokenIn(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Per-namespace tokens from `APPMANAGER_API_TOKEN_<NS>` (see tokenEnvNames). Reads the
 * environment on every call, so values loaded later (e.g. from a .env file) count.
 */
export function namespaceEnvTokens(env: NodeJS.ProcessEnv = process.env): TokenSource {
  return {
    tokenFor: (vvpNamespace) => {
      for (const name of tokenEnvNames(vvpNamespace)) {
        const token = tokenIn(env, name);
        if (token !== undefined) return Promise.resolve(token);
      }
      return Promise.resolve(undefined);
    },
  };
}

/** The fallback token for every namespace, from `APPMANAGER_API_TOKEN`. */
export function defaultEnvToken(env: NodeJS.ProcessEnv = process.env): TokenSource {
  return { tokenFor: () => Promise.resolve(tokenIn(env, TOKEN_ENV_PREFIX)) };
}

/**
 * Registers every `APPMANAGER_API_TOKEN*` value with the log scrubber, at start, so that no log
 * line can carry one even before it is first used.
 */
export function registerEnvTokensAsSecrets(
  env: NodeJS.ProcessEnv,
  register: (value: string) => void,
): void {
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(TOKEN_ENV_PREFIX) && value !== undefined) register(value.trim());
  }
}
