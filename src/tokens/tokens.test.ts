import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from '../logging';
import { TokenResolverChain, envTokenResolver, tokenEnvNames, type TokenSource } from './index';

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

describe('TokenResolverChain', () => {
  const fixed = (token: string | undefined): TokenSource => ({
    tokenFor: () => Promise.resolve(token),
  });

  it('uses the first source that knows a token', async () => {
    const chain = new TokenResolverChain([fixed(undefined), fixed('second-token'), fixed('third')]);
    expect(await chain.tokenFor('default')).toBe('second-token');
  });

  it('passes the namespace to every source', async () => {
    const asked: string[] = [];
    const recording: TokenSource = {
      tokenFor: (namespace) => {
        asked.push(namespace);
        return Promise.resolve(undefined);
      },
    };
    await new TokenResolverChain([recording, recording]).tokenFor('team-a');
    expect(asked).toEqual(['team-a', 'team-a']);
  });

  it('registers resolved tokens so that log lines never show them', async () => {
    const token = 'resolved-token-value-123';
    await new TokenResolverChain([fixed(token)]).tokenFor('default');
    let written = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    createLogger({ destination }).info(`token is ${token}`);
    expect(written).toContain('token is [REDACTED]');
    expect(written).not.toContain(token);
  });
});
