// Secrets stay secret: at debug level, with failing, refused and reset VVP requests, no token and
// no Secret value reaches a log line of the manager (the Platform token, owner tokens the
// operator created through the Platform API, a token from a referenced Secret, a rejected one,
// other data of that Secret). And the RBAC of config/rbac (what the chart grants) cannot read
// Secrets outside the namespaces it was granted.
import { describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  adminKubeConfig,
  operatorKubeConfig,
  testCluster,
  uniqueNamespace,
} from '../support/cluster';
import { conditionOf, waitForCustomObject, type CustomResource } from '../support/custom-resources';
import { kubectl } from '../support/kube-cli';
import { grantOperatorRbac } from '../support/operator';
import { E2E_ADMIN_TOKEN, useOperatorTestbed } from '../support/operator-testbed';
import { field } from '../support/simulator';
import { API_VERSION } from './hostile/corpus';
import {
  applyAsAdmin,
  expectNoSecretsLogged,
  printFigures,
  removeCustomResources,
} from './hostile/harness';

const TARGET_PATH = '/api/v1/namespaces/{namespace}/deployment-targets/{deploymentTargetName}';
const TEAM = 'secure-team';
/** Distinctive values: any of them in a log line is a leak. */
const OTHER_SECRET_DATA = 'unrelated-secret-data-7f3e9a1c5b2d4e6f';
const REJECTED_TOKEN = 'rejected-token-4b8d2f6a0c1e3a5b7d9f';

const core = () => adminKubeConfig().makeApiClient(CoreV1Api);

function target(name: string, namespace: string, vvpNamespace: string, secret?: string) {
  return {
    apiVersion: API_VERSION,
    kind: 'VpDeploymentTarget',
    metadata: { name, namespace },
    spec: {
      ...(secret === undefined ? {} : { apiTokenSecretRef: { name: secret } }),
      metadata: { namespace: vvpNamespace },
      spec: { kubernetes: { namespace: 'flink-secure' } },
    },
  };
}

const synced = (status: string, reason?: string) => (object: CustomResource) =>
  conditionOf(object, 'Synced')?.status === status &&
  (reason === undefined || conditionOf(object, 'Synced')?.reason === reason);

/** Every value of every Secret in `namespace`, decoded. */
async function secretValues(namespace: string): Promise<string[]> {
  const secrets = await core().listNamespacedSecret({ namespace });
  return secrets.items.flatMap((secret) =>
    Object.values(secret.data ?? {}).map((value) => Buffer.from(value, 'base64').toString('utf8')),
  );
}

describe('security', () => {
  const bed = useOperatorTestbed({
    appNamespacePrefix: 'secure',
    operator: { extraArgs: ['--debug'] },
    watchNamespaces: (bed) => [bed.appNamespace],
    beforeStart: async (testbed) => {
      const created = await testbed.vvp('POST', '/namespaces/v1/namespaces', {
        name: `namespaces/${TEAM}`,
        roleBindings: [{ role: 'owner', members: ['user:admin'] }],
      });
      expect(created.status).toBeLessThan(300);
    },
  });

  it('logs no token and no Secret value at debug level, also for failed requests', async () => {
    const namespace = bed.appNamespace;
    // A token of the default namespace, made through the Platform API, in a Secret next to
    // other data; the opt-in reader role lets the operator read it here.
    const token = await bed.vvp('POST', '/apitokens/v1/namespaces/default/apitokens', {
      name: 'namespaces/default/apitokens/secure-ci',
      role: 'owner',
    });
    expect(token.status).toBeLessThan(300);
    const referencedToken = String(field(token.body, 'apiToken', 'secret'));
    await core().createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'vvp-token' },
        stringData: { token: referencedToken, other: OTHER_SECRET_DATA },
      },
    });
    await core().createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'rejected-token' }, stringData: { token: REJECTED_TOKEN } },
    });
    await grantOperatorRbac(bed.operatorNamespace, { tokenSecretReaderIn: [namespace] });

    // An owner token the operator creates for TEAM, a referenced token, a token VVP rejects.
    for (const manifest of [
      target('owner-token-target', namespace, TEAM),
      target('referenced-token-target', namespace, 'default', 'vvp-token'),
      target('rejected-token-target', namespace, 'default', 'rejected-token'),
    ]) {
      expect((await applyAsAdmin(manifest)).accepted).toBe(true);
    }
    const at = (name: string) => ({ plural: 'vpdeploymenttargets', name, namespace });
    await waitForCustomObject('Synced', at('owner-token-target'), synced('True'));
    await waitForCustomObject('Synced', at('referenced-token-target'), synced('True'));
    const rejected = await waitForCustomObject(
      'Unauthorized',
      at('rejected-token-target'),
      synced('False', 'Unauthorized'),
    );
    expect(conditionOf(rejected, 'Synced')?.message).toMatch(/rejected-token/);

    // Failed requests of every kind, each logged at debug level with its request.
    for (const fault of [{ status: 500 }, { status: 401 }, { abort: true }]) {
      const rule = bed.simulator.admin.addFault({ method: 'GET', path: TARGET_PATH, ...fault });
      const reason =
        'abort' in fault
          ? 'PlatformUnavailable'
          : fault.status === 401
            ? 'Unauthorized'
            : 'PlatformUnavailable';
      await waitForCustomObject(reason, at('referenced-token-target'), synced('False', reason));
      bed.simulator.admin.removeFault(rule.id);
      await waitForCustomObject('Synced again', at('referenced-token-target'), synced('True'));
    }

    const ownerTokens = await secretValues(bed.operatorNamespace);
    expect(ownerTokens.length).toBeGreaterThanOrEqual(1);
    const secrets = [
      E2E_ADMIN_TOKEN,
      referencedToken,
      REJECTED_TOKEN,
      OTHER_SECRET_DATA,
      ...ownerTokens,
    ];
    const lines = expectNoSecretsLogged(bed.operator, secrets);
    // The failures were logged, so the check above looked at them.
    const failed = bed.operator.stdout.filter((line) =>
      /"code":"(500|401|network_error)"/.test(line),
    );
    expect(failed.length).toBeGreaterThanOrEqual(3);
    printFigures('security', {
      'secret values checked': secrets.length,
      'debug log lines checked': lines,
      'failed VVP requests logged': failed.length,
      leaks: 0,
    });
    await removeCustomResources(bed.appNamespace);
  });

  it("config/rbac's identity cannot read Secrets outside the namespaces it was granted", async () => {
    const elsewhere = await uniqueNamespace('secure-elsewhere');
    await core().createNamespacedSecret({
      namespace: elsewhere,
      body: { metadata: { name: 'not-yours' }, stringData: { token: OTHER_SECRET_DATA } },
    });
    const operator = operatorKubeConfig().makeApiClient(CoreV1Api);
    const status = async (request: Promise<unknown>): Promise<number> => {
      try {
        await request;
        return 200;
      } catch (error) {
        return (error as { code?: number }).code ?? 0;
      }
    };
    expect(
      await status(operator.readNamespacedSecret({ name: 'not-yours', namespace: elsewhere })),
    ).toBe(403);
    expect(await status(operator.listNamespacedSecret({ namespace: elsewhere }))).toBe(403);
    expect(await status(operator.listSecretForAllNamespaces())).toBe(403);
    const canI = async (verb: string, namespaceArgs: string[]): Promise<string> => {
      try {
        return (
          await kubectl(testCluster().operatorKubeconfigPath, [
            'auth',
            'can-i',
            verb,
            'secrets',
            ...namespaceArgs,
          ])
        ).trim();
      } catch (error) {
        // `can-i` exits 1 when the answer is no.
        return String(error).includes('no') ? 'no' : String(error);
      }
    };
    expect(await canI('get', ['-n', elsewhere])).toBe('no');
    expect(await canI('list', ['-n', elsewhere])).toBe('no');
    expect(await canI('get', ['-n', 'kube-system'])).toBe('no');
    expect(await canI('list', ['--all-namespaces'])).toBe('no');
    // Its own namespace is where it keeps owner tokens: there it may read them, one by one.
    expect(await canI('get', ['-n', bed.operatorNamespace])).toBe('yes');
    expect(await canI('list', ['-n', bed.operatorNamespace])).toBe('no');
  });
});
