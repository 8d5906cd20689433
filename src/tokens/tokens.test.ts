import { describe, expect, it } from '@jest/globals';
import { envTokenFor, envTokenResolver, registerEnvTokensAsSecrets, tokenEnvNames } from './index';

describe('tokenEnvNames', () => {
  it('upper-cases the namespace and turns dashes and dots into underscores', () => {
    expect(tokenEnvNames('team-a.prod')).toEqual([
      'APPMANAGER_API_TOKEN_TEAM_A_PROD',
      'APPMANAGER_API_TOKEN_TEAM-A.PROD',
    ]);
  });

  it('has a single name when normalising changes nothing', () => {
    expect(tokenEnvNames('default')).toEqual(['APPMANAGER_API_TOKEN_DEFAULT']);
  });
});

describe('envTokenResolver', () => {
  it('prefers the namespace variable over the fallback', async () => {
    const tokens = envTokenResolver({
      APPMANAGER_API_TOKEN_TEAM_A: 'team-a-token',
      APPMANAGER_API_TOKEN: 'fallback-token',
    });
    expect(await tokens.tokenFor('team-a')).toBe('team-a-token');
    expect(await tokens.tokenFor('team-b')).toBe('fallback-token');
  });

  it('accepts the dashed variable name the earlier Go operator read', async () => {
    const tokens = envTokenResolver({ 'APPMANAGER_API_TOKEN_TEAM-A': 'legacy-token' });
    expect(await tokens.tokenFor('team-a')).toBe('legacy-token');
  });

  it('prefers the normalised name when both spellings are set', async () => {
    const tokens = envTokenResolver({
      'APPMANAGER_API_TOKEN_TEAM-A': 'legacy-token',
      APPMANAGER_API_TOKEN_TEAM_A: 'normalised-token',
    });
    expect(await tokens.tokenFor('team-a')).toBe('normalised-token');
  });

  it('is anonymous when nothing is set, and treats blank values as unset', async () => {
    expect(await envTokenResolver({}).tokenFor('default')).toBeUndefined();
    const blank = envTokenResolver({
      APPMANAGER_API_TOKEN_DEFAULT: '  ',
      APPMANAGER_API_TOKEN: '',
    });
    expect(await blank.tokenFor('default')).toBeUndefined();
  });

  it('trims surrounding whitespace such as a trailing newline', async () => {
    const tokens = envTokenResolver({ APPMANAGER_API_TOKEN: 'fallback-token\n' });
    expect(await tokens.tokenFor('default')).toBe('fallback-token');
  });

  it('reads the environment at call time', async () => {
    const env: NodeJS.ProcessEnv = {};
    const tokens = envTokenResolver(env);
    env.APPMANAGER_API_TOKEN = 'late-token';
    expect(await tokens.tokenFor('default')).toBe('late-token');
  });
});

describe('registerEnvTokensAsSecrets', () => {
  it('registers the AppManager and Platform token variables, and nothing else', () => {
    const registered: string[] = [];
    registerEnvTokensAsSecrets(
      {
        APPMANAGER_API_TOKEN: 'fallback-token\n',
        APPMANAGER_API_TOKEN_TEAM_A: 'team-a-token',
        PLATFORM_API_TOKEN: 'platform-token',
        APPMANAGER_API_TOKEN_EMPTY: ' ',
        HOME: '/root',
      },
      (value) => registered.push(value),
    );
    expect(registered.sort()).toEqual(['fallback-token', 'platform-token', 'team-a-token']);
  });
});

describe('envTokenFor', () => {
  it('names the variable the token came from', () => {
    expect(envTokenFor({ APPMANAGER_API_TOKEN: 'x' }, 'team-a')).toEqual({
      token: 'x',
      variable: 'APPMANAGER_API_TOKEN',
    });
  });
});
