import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiException } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { SecretClient } from '../controller';
import { ConflictError as KubernetesConflictError } from '../controller/errors';
import { createLogger, knownSecrets } from '../logging';
import { startSimulator, type RunningSimulator } from '../simulator';
import { NotFoundError, UnavailableError, VvpClient, type VvpCallOptions } from '../vvp';
import {
  ANNOTATION_API_TOKEN_NAME,
  ANNOTATION_VVP_NAMESPACE,
  OWNER_TOKEN_SECRET_LABELS,
  TokenUnavailableError,
  createTokenResolver,
  ownerTokenName,
  platformCredentials,
  type SecretStore,
  type StoredSecret,
  type TokenResolver,
} from './index';

const ADMIN = 'resolver-test-admin-token';
const OPERATOR_NS = 'vp-operator';
const VVP_NS = 'default';
const OWNER_SECRET = `vp-operator-default.${VVP_NS}`;
const quiet = createLogger({ destination: { write: () => undefined } });

/** Secrets in memory, with resourceVersions and the conflicts the API server would answer. */
class FakeSecretStore implements SecretStore {
  readonly secrets = new Map<string, StoredSecret>();
  readonly forbiddenNamespaces = new Set<string>();
  #version = 0;

  get(namespace: string, name: string): Promise<StoredSecret | undefined> {
    if (this.forbiddenNamespaces.has(namespace)) {
      return Promise.reject(new ApiException(403, 'forbidden', {}, {}));
    }
    return Promise.resolve(structuredClone(this.secrets.get(`${namespace}/${name}`)));
  }

  create(secret: StoredSecret): Promise<StoredSecret> {
    const key = this.#key(secret);
    if (this.secrets.has(key)) {
      return Promise.reject(new KubernetesConflictError(`Secret ${key} already exists`));
    }
    return Promise.resolve(this.#store(key, secret));
  }

  update(secret: StoredSecret): Promise<StoredSecret> {
    const key = this.#key(secret);
    if (this.secrets.get(key)?.metadata?.resourceVersion !== secret.metadata?.resourceVersion) {
      return Promise.reject(new KubernetesConflictError(`Secret ${key} changed`));
    }
    return Promise.resolve(this.#store(key, secret));
  }

  delete(namespace: string, name: string): Promise<void> {
    this.secrets.delete(`${namespace}/${name}`);
    return Promise.resolve();
  }

  put(namespace: string, name: string, data: Record<string, string>, labels = {}): void {
    this.#store(`${namespace}/${name}`, {
      metadata: { name, namespace, labels },
      data: Object.fromEntries(
        Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
      ),
    });
  }

  tokenIn(namespace: string, name: string): string | undefined {
    const encoded = this.secrets.get(`${namespace}/${name}`)?.data?.token;
    return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString();
  }

  #key(secret: StoredSecret): string {
    return `${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`;
  }

  #store(key: string, secret: StoredSecret): StoredSecret {
    const stored = structuredClone(secret);
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.#version) };
    this.secrets.set(key, stored);
    return structuredClone(stored);
  }
}

let simulator: RunningSimulator;

function vvpClient(platformToken: string | undefined): VvpClient {
  return new VvpClient({
    appManagerApiUrl: `${simulator.url}/api`,
    platformApiUrl: simulator.url,
    tokens: { tokenFor: () => Promise.resolve(undefined) },
    platformTokens: { platformToken: () => Promise.resolve(platformToken) },
    logger: quiet,
    registry: new Registry(),
    retry: { maxAttempts: 1 },
  });
}

/** Counts the API-token creations a resolver asks for. */
function counting(vvp: VvpClient): {
  vvp: Pick<VvpClient, 'apiTokens' | 'namespaces'>;
  creates: () => number;
} {
  let creates = 0;
  return {
    creates: () => creates,
    vvp: {
      namespaces: (options?: VvpCallOptions) => vvp.namespaces(options),
      apiTokens: (namespace: string, options?: VvpCallOptions) => {
        const api = vvp.apiTokens(namespace, options);
        return {
          ...api,
          create: (token) => {
            creates++;
            return api.create(token);
          },
        };
      },
    },
  };
}

function resolverFor(
  secrets: SecretStore,
  options: {
    env?: NodeJS.ProcessEnv;
    vvp?: Pick<VvpClient, 'apiTokens' | 'namespaces'>;
    instanceId?: string;
    now?: () => number;
  } = {},
): TokenResolver {
  return createTokenResolver({
    secrets,
    env: options.env ?? {},
    ownerTokens: {
      vvp: options.vvp ?? vvpClient(ADMIN),
      operatorNamespace: OPERATOR_NS,
      instanceId: options.instanceId,
      logger: quiet,
      ...(options.now === undefined ? {} : { now: options.now }),
    },
  });
}

/** Whether `token` is accepted by VVP in `VVP_NS`. */
async function works(token: string | undefined): Promise<boolean> {
  try {
    await vvpClient(undefined).deploymentTargets(VVP_NS, { auth: { token } }).list();
    return true;
  } catch {
    return false;
  }
}

async function vvpTokenNames(): Promise<string[]> {
  const tokens = await vvpClient(ADMIN).apiTokens(VVP_NS).list();
  return tokens.map((token) => token.name ?? '').sort();
}

beforeAll(async () => {
  simulator = await startSimulator({ auth: 'enforced', adminToken: ADMIN, logger: quiet });
});

afterAll(async () => {
  await simulator.close();
});

beforeEach(() => {
  simulator.admin.reset();
});

describe('TokenResolver order', () => {
  const env = {
    APPMANAGER_API_TOKEN_TEAM_A: 'env-team-a-token',
    APPMANAGER_API_TOKEN: 'env-default-token',
  };

  it('uses the Secret the object names first, then the namespace variable, then the fallback', async () => {
    const secrets = new FakeSecretStore();
    secrets.put('apps', 'vvp-token', { token: 'secret-token\n', other: 'x' });
    const resolver = resolverFor(secrets, { env });
    expect(
      await resolver.resolve({
        vvpNamespace: 'team-a',
        secretRef: { namespace: 'apps', name: 'vvp-token' },
      }),
    ).toEqual({ token: 'secret-token', source: 'Secret apps/vvp-token key "token"' });
    expect(
      await resolver.resolve({
        vvpNamespace: 'team-a',
        secretRef: { namespace: 'apps', name: 'vvp-token', key: 'other' },
      }),
    ).toEqual({ token: 'x', source: 'Secret apps/vvp-token key "other"' });
    expect(await resolver.resolve({ vvpNamespace: 'team-a' })).toEqual({
      token: 'env-team-a-token',
      source: 'environment variable APPMANAGER_API_TOKEN_TEAM_A',
    });
    expect(await resolver.resolve({ vvpNamespace: 'team-b' })).toEqual({
      token: 'env-default-token',
      source: 'environment variable APPMANAGER_API_TOKEN',
    });
    expect(secrets.secrets.size).toBe(1); // no owner token was created
  });

  it('never falls back when the named Secret is missing, lacks the key or may not be read', async () => {
    const secrets = new FakeSecretStore();
    secrets.put('apps', 'empty', { password: 'x' });
    secrets.forbiddenNamespaces.add('locked');
    const resolver = resolverFor(secrets, { env });
    const failure = (namespace: string, name: string) =>
      resolver.resolve({ vvpNamespace: 'team-a', secretRef: { namespace, name } });
    await expect(failure('apps', 'absent')).rejects.toThrow(
      new TokenUnavailableError(
        'Secret apps/absent (named by spec.apiTokenSecretRef) does not exist: create it with key "token" holding the VVP API token',
      ),
    );
    await expect(failure('apps', 'empty')).rejects.toThrow(
      'Secret apps/empty (named by spec.apiTokenSecretRef) has no non-empty key "token" (its keys are password)',
    );
    const forbidden = failure('locked', 'vvp-token');
    await expect(forbidden).rejects.toBeInstanceOf(TokenUnavailableError);
    await expect(forbidden).rejects.toThrow(
      /may not read Secret locked\/vvp-token .*HTTP 403.*enable the chart's value for per-object token Secrets/,
    );
  });

  it('calls anonymously when owner tokens are off and nothing else has a token', async () => {
    const resolver = createTokenResolver({ secrets: new FakeSecretStore(), env: {} });
    expect(await resolver.resolve({ vvpNamespace: VVP_NS })).toEqual({
      token: undefined,
      source: 'none (anonymous)',
    });
    await expect(resolver.releaseOwnerToken(VVP_NS)).resolves.toBeUndefined();
  });

  it('registers every token it finds with the log scrubber', async () => {
    const secrets = new FakeSecretStore();
    secrets.put('apps', 'vvp-token', { token: 'scrub-me-from-a-secret' });
    const resolver = resolverFor(secrets, { env: { APPMANAGER_API_TOKEN: 'scrub-me-from-env' } });
    await resolver.resolve({
      vvpNamespace: 'x',
      secretRef: { namespace: 'apps', name: 'vvp-token' },
    });
    await resolver.resolve({ vvpNamespace: 'x' });
    expect(knownSecrets.scrub('a scrub-me-from-a-secret b scrub-me-from-env')).toBe(
      'a [REDACTED] b [REDACTED]',
    );
  });
});

describe('owner tokens', () => {
  it('creates one owner token, keeps it in a labelled Secret and uses it', async () => {
    const secrets = new FakeSecretStore();
    const { vvp, creates } = counting(vvpClient(ADMIN));
    const resolver = resolverFor(secrets, { vvp });
    const resolved = await Promise.all([
      resolver.resolve({ vvpNamespace: VVP_NS }),
      resolver.resolve({ vvpNamespace: VVP_NS }),
      resolver.resolve({ vvpNamespace: VVP_NS }),
    ]);
    expect(creates()).toBe(1);
    const [first] = resolved;
    expect(new Set(resolved.map((result) => result.token)).size).toBe(1);
    expect(first.source).toBe(
      `owner token created by the operator (Secret ${OPERATOR_NS}/${OWNER_SECRET})`,
    );
    expect(await works(first.token)).toBe(true);
    expect(await vvpTokenNames()).toEqual([`namespaces/${VVP_NS}/apitokens/vp-operator-default`]);
    const stored = secrets.secrets.get(`${OPERATOR_NS}/${OWNER_SECRET}`);
    expect(stored?.metadata?.labels).toEqual(OWNER_TOKEN_SECRET_LABELS);
    expect(stored?.metadata?.annotations).toEqual({
      [ANNOTATION_VVP_NAMESPACE]: VVP_NS,
      [ANNOTATION_API_TOKEN_NAME]: 'vp-operator-default',
    });
    expect(secrets.tokenIn(OPERATOR_NS, OWNER_SECRET)).toBe(first.token);
    expect(knownSecrets.scrub(`x ${first.token ?? ''}`)).toBe('x [REDACTED]');
    // Remembered: no further creation.
    await resolver.resolve({ vvpNamespace: VVP_NS });
    expect(creates()).toBe(1);
  });

  it('reuses the stored token after a restart instead of revoking it', async () => {
    const secrets = new FakeSecretStore();
    const before = await resolverFor(secrets).resolve({ vvpNamespace: VVP_NS });
    const { vvp, creates } = counting(vvpClient(ADMIN));
    const afterRestart = await resolverFor(secrets, { vvp }).resolve({ vvpNamespace: VVP_NS });
    expect(afterRestart.token).toBe(before.token);
    expect(creates()).toBe(0);
    expect(await works(before.token)).toBe(true);
  });

  it('replaces only its own token when the Secret holding it was lost', async () => {
    const secrets = new FakeSecretStore();
    const foreign = await vvpClient(ADMIN)
      .apiTokens(VVP_NS)
      .create({ name: `namespaces/${VVP_NS}/apitokens/ci-pipeline`, role: 'editor' });
    const lost = await resolverFor(secrets).resolve({ vvpNamespace: VVP_NS });
    secrets.secrets.clear();
    const recovered = await resolverFor(secrets).resolve({ vvpNamespace: VVP_NS });
    expect(recovered.token).not.toBe(lost.token);
    expect(await works(recovered.token)).toBe(true);
    expect(await works(lost.token)).toBe(false);
    expect(await works(foreign.secret)).toBe(true);
    expect(secrets.tokenIn(OPERATOR_NS, OWNER_SECRET)).toBe(recovered.token);
  });

  it('creates a fresh token after invalidate, once VVP refused the old one', async () => {
    const secrets = new FakeSecretStore();
    const resolver = resolverFor(secrets);
    const old = await resolver.resolve({ vvpNamespace: VVP_NS });
    await vvpClient(ADMIN).apiTokens(VVP_NS).delete('vp-operator-default'); // revoked by someone
    expect(await works(old.token)).toBe(false);
    await resolver.invalidate({ vvpNamespace: VVP_NS });
    const fresh = await resolver.resolve({ vvpNamespace: VVP_NS });
    expect(fresh.token).not.toBe(old.token);
    expect(await works(fresh.token)).toBe(true);
  });

  it('keeps a Secret another replica already refreshed when invalidated', async () => {
    const secrets = new FakeSecretStore();
    const stale = resolverFor(secrets);
    await stale.resolve({ vvpNamespace: VVP_NS });
    const other = resolverFor(secrets);
    await other.resolve({ vvpNamespace: VVP_NS });
    await other.invalidate({ vvpNamespace: VVP_NS });
    const refreshed = await other.resolve({ vvpNamespace: VVP_NS });
    await stale.invalidate({ vvpNamespace: VVP_NS });
    expect((await stale.resolve({ vvpNamespace: VVP_NS })).token).toBe(refreshed.token);
    expect(await works(refreshed.token)).toBe(true);
  });

  it('does not touch owner tokens when invalidating a token it did not create', async () => {
    const secrets = new FakeSecretStore();
    const owner = await resolverFor(secrets).resolve({ vvpNamespace: VVP_NS });
    const withEnv = resolverFor(secrets, { env: { APPMANAGER_API_TOKEN: 'env-token' } });
    await withEnv.invalidate({ vvpNamespace: VVP_NS });
    await withEnv.invalidate({
      vvpNamespace: VVP_NS,
      secretRef: { namespace: 'apps', name: 'vvp-token' },
    });
    expect(secrets.tokenIn(OPERATOR_NS, OWNER_SECRET)).toBe(owner.token);
  });

  it('releases only the token it created, with its Secret', async () => {
    const secrets = new FakeSecretStore();
    await vvpClient(ADMIN)
      .apiTokens(VVP_NS)
      .create({ name: `namespaces/${VVP_NS}/apitokens/ci-pipeline`, role: 'owner' });
    const resolver = resolverFor(secrets);
    const owner = await resolver.resolve({ vvpNamespace: VVP_NS });
    await resolver.releaseOwnerToken(VVP_NS);
    expect(await works(owner.token)).toBe(false);
    expect(secrets.secrets.size).toBe(0);
    expect(await vvpTokenNames()).toEqual([`namespaces/${VVP_NS}/apitokens/ci-pipeline`]);
    // Nothing of its own left: releasing again, or after a restart, is a no-op.
    await resolver.releaseOwnerToken(VVP_NS);
    await resolverFor(secrets).releaseOwnerToken(VVP_NS);
    expect(await vvpTokenNames()).toEqual([`namespaces/${VVP_NS}/apitokens/ci-pipeline`]);
  });

  it('waits for a VVP namespace that does not exist yet instead of remembering a refusal', async () => {
    const resolver = resolverFor(new FakeSecretStore());
    await expect(resolver.resolve({ vvpNamespace: 'not-yet' })).rejects.toThrow(
      'VVP namespace not-yet does not exist (yet)',
    );
    await vvpClient(ADMIN)
      .namespaces()
      .create({
        name: 'namespaces/not-yet',
        roleBindings: [{ role: 'owner', members: ['user:admin'] }],
      });
    const resolved = await resolver.resolve({ vvpNamespace: 'not-yet' });
    expect(resolved.token).toBeDefined();
    expect(resolved.source).toContain('owner token created by the operator');
  });

  it('releases the Secret of an owner token whose VVP namespace is already gone', async () => {
    const secrets = new FakeSecretStore();
    const admin = vvpClient(ADMIN);
    await admin.namespaces().create({
      name: 'namespaces/short-lived',
      roleBindings: [{ role: 'owner', members: ['user:admin'] }],
    });
    const resolver = resolverFor(secrets);
    await resolver.resolve({ vvpNamespace: 'short-lived' });
    expect(secrets.secrets.size).toBe(1);
    await admin.namespaces().delete('short-lived');
    simulator.admin.advanceClock(60_000);
    // Token calls in a namespace that no longer exists are refused (403): its tokens went with it.
    await resolver.releaseOwnerToken('short-lived');
    expect(secrets.secrets.size).toBe(0);
  });

  it('never adopts or deletes a Secret of its name that it did not create', async () => {
    const secrets = new FakeSecretStore();
    secrets.put(OPERATOR_NS, OWNER_SECRET, { token: 'someone-elses' });
    const resolver = resolverFor(secrets);
    await expect(resolver.resolve({ vvpNamespace: VVP_NS })).rejects.toThrow(
      `Secret ${OPERATOR_NS}/${OWNER_SECRET} exists but was not created by the operator`,
    );
    await expect(resolver.releaseOwnerToken(VVP_NS)).rejects.toBeInstanceOf(TokenUnavailableError);
    expect(secrets.tokenIn(OPERATOR_NS, OWNER_SECRET)).toBe('someone-elses');
  });

  it('goes anonymous, and says why, when VVP refuses to create a token; asks again later', async () => {
    let now = 0;
    const { vvp, creates } = counting(vvpClient(undefined));
    const resolver = resolverFor(new FakeSecretStore(), { vvp, now: () => now });
    const anonymous = await resolver.resolve({ vvpNamespace: VVP_NS });
    expect(anonymous.token).toBeUndefined();
    expect(anonymous.source).toMatch(
      /^none \(anonymous; VVP did not let the operator create an owner token in namespace default \(HTTP 401\); give it Platform API credentials/,
    );
    await resolver.resolve({ vvpNamespace: VVP_NS });
    expect(creates()).toBe(1);
    now += 5 * 60_000;
    await resolver.resolve({ vvpNamespace: VVP_NS });
    expect(creates()).toBe(2);
  });

  it('goes anonymous when VVP has no API tokens there (404), and fails on other errors', async () => {
    const failing = (error: Error): Pick<VvpClient, 'apiTokens' | 'namespaces'> => ({
      namespaces: (options) => vvpClient(ADMIN).namespaces(options),
      apiTokens: (namespace) => ({
        ...vvpClient(ADMIN).apiTokens(namespace),
        create: () => Promise.reject(error),
      }),
    });
    const details = {
      method: 'POST',
      route: '/apitokens',
      path: '/apitokens',
      vvpMessage: undefined,
    };
    const missing = resolverFor(new FakeSecretStore(), {
      vvp: failing(new NotFoundError('answered 404', { ...details, status: 404 })),
    });
    expect((await missing.resolve({ vvpNamespace: 'gone' })).source).toBe(
      'none (anonymous; VVP has no API tokens for namespace gone (HTTP 404: the namespace does not exist, or this is the Community Edition))',
    );
    const down = resolverFor(new FakeSecretStore(), {
      vvp: failing(new UnavailableError('answered 503', { ...details, status: 503 })),
    });
    await expect(down.resolve({ vvpNamespace: 'busy' })).rejects.toBeInstanceOf(UnavailableError);
  });

  it('lets a caller stop waiting without cancelling the creation others share', async () => {
    const secrets = new FakeSecretStore();
    const resolver = resolverFor(secrets);
    const controller = new AbortController();
    const gaveUp = resolver.resolve({ vvpNamespace: VVP_NS }, controller.signal);
    const patient = resolver.resolve({ vvpNamespace: VVP_NS });
    controller.abort(new Error('lease lost'));
    await expect(gaveUp).rejects.toThrow('lease lost');
    expect(await works((await patient).token)).toBe(true);
  });
});

describe('SecretStore', () => {
  it("is the controller core's SecretClient shape, so the core's client can be passed in", () => {
    const asStore = (client: SecretClient): SecretStore => client;
    expect(asStore).toBeInstanceOf(Function);
  });
});

describe('ownerTokenName', () => {
  it('is vp-operator-<instance>, a DNS label even for ids with upper case, _ or .', () => {
    expect(ownerTokenName(undefined)).toBe('vp-operator-default');
    expect(ownerTokenName('prod-eu')).toBe('vp-operator-prod-eu');
    const awkward = ownerTokenName('Prod_EU.1');
    expect(awkward).toMatch(/^vp-operator-prod-eu-1-[0-9a-f]{8}$/);
    expect(ownerTokenName('prod.eu.1')).not.toBe(awkward.replace(/-[0-9a-f]{8}$/, ''));
    const long = ownerTokenName('a'.repeat(63));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});

describe('platformCredentials', () => {
  it('reads the configured Secret, else PLATFORM_API_TOKEN, else none', async () => {
    const secrets = new FakeSecretStore();
    secrets.put(OPERATOR_NS, 'platform', { token: 'from-secret' });
    const env = { PLATFORM_API_TOKEN: 'from-env' };
    const common = { operatorNamespace: OPERATOR_NS, secrets, env };
    expect(await platformCredentials({ ...common, secretName: 'platform' }).platformToken()).toBe(
      'from-secret',
    );
    expect(await platformCredentials({ ...common, secretName: undefined }).platformToken()).toBe(
      'from-env',
    );
    expect(
      await platformCredentials({ ...common, env: {}, secretName: undefined }).platformToken(),
    ).toBeUndefined();
    await expect(
      platformCredentials({ ...common, secretName: 'missing' }).platformToken(),
    ).rejects.toThrow(
      'Secret vp-operator/missing (named by --platform-api-token-secret) does not exist',
    );
  });
});
