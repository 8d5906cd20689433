import { describe, expect, it } from '@jest/globals';
import { AdvanceableClock } from './clock';
import { SimulatorError } from './errors';
import { createSeededRandom } from './random';
import { SimulatedInstallation } from './installation';

function installation(seed = 1): SimulatedInstallation {
  return new SimulatedInstallation({
    clock: new AdvanceableClock(() => Date.UTC(2024, 0, 1)),
    random: createSeededRandom(seed),
    version: '2.4',
    settings: () => ({
      transitionMs: 0,
      savepointFailureRate: 0,
      jobStartFailureRate: 0,
      namespaceTerminationMs: 0,
    }),
  });
}

function refusal(action: () => unknown): SimulatorError {
  try {
    action();
  } catch (error) {
    if (error instanceof SimulatorError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('Platform API rules', () => {
  it('starts with the default namespace, owned by every signed-in user', () => {
    expect(installation().platform.listNamespaces().namespaces).toEqual([
      {
        name: 'namespaces/default',
        roleBindings: [{ role: 'owner', members: ['system:authenticated'] }],
        createTime: '2024-01-01T00:00:00.000Z',
        lifecyclePhase: 'LIFECYCLE_PHASE_ACTIVE',
      },
    ]);
  });

  it('wants qualified, valid and unique namespace names and known roles', () => {
    const { platform } = installation();
    expect(refusal(() => platform.createNamespace({ name: 'team' })).message).toBe(
      "name must be the qualified namespace name 'namespaces/<namespace>'",
    );
    expect(refusal(() => platform.createNamespace({ name: 'namespaces/Team_A' })).status).toBe(400);
    expect(
      refusal(() =>
        platform.createNamespace({
          name: 'namespaces/team',
          roleBindings: [{ role: 'boss', members: [] }],
        }),
      ).message,
    ).toBe('roleBindings[0].role must be one of viewer, editor, owner, got "boss"');
    platform.createNamespace({ name: 'namespaces/team' });
    expect(refusal(() => platform.createNamespace({ name: 'namespaces/team' })).status).toBe(409);
    expect(
      refusal(() => platform.updateNamespace('team', { name: 'namespaces/other' })).status,
    ).toBe(400);
  });

  it('creates tokens under qualified names, shows the secret once and refuses duplicates', () => {
    const { platform } = installation();
    const bad = refusal(() => platform.createApiToken('default', { name: 'ci', role: 'owner' }));
    expect(bad.message).toBe(
      "name must be the qualified token name 'namespaces/default/apitokens/<token>'",
    );
    expect(
      refusal(() =>
        platform.createApiToken('default', {
          name: 'namespaces/default/apitokens/ci',
          role: 'admin',
        }),
      ).message,
    ).toBe('role must be one of viewer, editor, owner, got "admin"');
    const created = platform.createApiToken('default', {
      name: 'namespaces/default/apitokens/ci',
      role: 'owner',
    });
    expect(created.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(platform.getApiToken('default', 'ci')).toEqual({ apiToken: created.token });
    expect('secret' in created.token).toBe(false);
    expect(
      refusal(() =>
        platform.createApiToken('default', {
          name: 'namespaces/default/apitokens/ci',
          role: 'viewer',
        }),
      ).status,
    ).toBe(409);
    platform.deleteApiToken('default', 'ci');
    expect(refusal(() => platform.getApiToken('default', 'ci')).status).toBe(404);
  });

  it('gives the same ids and secrets for the same seed', () => {
    const secrets = (seed: number): string[] => {
      const { platform, appManager } = installation(seed);
      const token = platform.createApiToken('default', {
        name: 'namespaces/default/apitokens/ci',
        role: 'owner',
      });
      const target = appManager.createDeploymentTarget('default', {
        metadata: { name: 'prod' },
        spec: { kubernetes: {} },
      });
      return [token.secret, target.metadata.id];
    };
    expect(secrets(9)).toEqual(secrets(9));
    expect(secrets(9)).not.toEqual(secrets(10));
  });
});
