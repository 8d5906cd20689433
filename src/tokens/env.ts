import type { TokenProvider } from '../vvp';

export const TOKEN_ENV_PREFIX = 'APPMANAGER_API_TOKEN';

/** The Platform API token (VVP namespaces, API tokens) when no Secret is configured for it. */
export const PLATFORM_TOKEN_ENV = 'PLATFORM_API_TOKEN';

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
export function tokenIn(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A token from the environment and the variable that held it. */
export interface EnvToken {
  token: string;
  variable: string;
}

/**
 * The namespace's own variable (see tokenEnvNames), else `APPMANAGER_API_TOKEN`. Reads the
 * environment on every call, so values loaded later (e.g. from a .env file) count.
 */
export function envTokenFor(env: NodeJS.ProcessEnv, vvpNamespace: string): EnvToken | undefined {
  for (const variable of [...tokenEnvNames(vvpNamespace), TOKEN_ENV_PREFIX]) {
    const token = tokenIn(env, variable);
    if (token !== undefined) return { token, variable };
  }
  return undefined;
}

/** Token resolution from the environment alone (see envTokenFor), else anonymous. */
export function envTokenResolver(env: NodeJS.ProcessEnv = process.env): TokenProvider {
  return { tokenFor: (vvpNamespace) => Promise.resolve(envTokenFor(env, vvpNamespace)?.token) };
}

/**
 * Registers every `APPMANAGER_API_TOKEN*` value and `PLATFORM_API_TOKEN` with the log scrubber,
 * at start, so that no log line can carry one even before it is first used.
 */
export function registerEnvTokensAsSecrets(
  env: NodeJS.ProcessEnv,
  register: (value: string) => void,
): void {
  for (const [name, value] of Object.entries(env)) {
    const isToken = name.startsWith(TOKEN_ENV_PREFIX) || name === PLATFORM_TOKEN_ENV;
    if (isToken && value !== undefined && value.trim() !== '') register(value.trim());
  }
}
