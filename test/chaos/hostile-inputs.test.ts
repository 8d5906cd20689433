// The hostile-input corpus against the real API server and bin/manager (the unprivileged
// operator identity, at debug level): every case is rejected at admission with a message naming
// the field, or admitted and reported in a condition; meanwhile the operator never crashes,
// never loops, never touches VVP objects it does not own, and never logs a secret.
import { describe, expect, it } from '@jest/globals';
import { readClusterState } from '../support/cluster-state';
import {
  conditionOf,
  readCustomObject,
  waitForCustomObject,
  type CustomResource,
} from '../support/custom-resources';
import { E2E_ADMIN_TOKEN, useOperatorTestbed } from '../support/operator-testbed';
import { field } from '../support/simulator';
import {
  API_VERSION,
  HOSTILE_CASES,
  type CorpusContext,
  type ForeignObjects,
  type HostileCase,
  type Manifest,
} from './hostile/corpus';
import {
  applyAsAdmin,
  expectNoSecretsLogged,
  expectQuiet,
  expectSameHealthyManager,
  inBatches,
  managerIdentity,
  removeCustomResources,
  printFigures,
  unrelatedObjects,
  type WatchedObject,
} from './hostile/harness';

const PLURALS: Record<string, string> = {
  VpNamespace: 'vpnamespaces',
  VpDeploymentTarget: 'vpdeploymenttargets',
  VpDeployment: 'vpdeployments',
  VpSavepoint: 'vpsavepoints',
};

const GOOD_TARGET = 'hostile-good-target';
const FOREIGN_NAMESPACE = 'foreign';
const DEFAULT_NS = '/api/v1/namespaces/default';

const watched = (manifest: Manifest): WatchedObject => ({
  plural: PLURALS[manifest.kind] ?? manifest.kind,
  name: manifest.metadata.name,
  ...(manifest.metadata.namespace === undefined ? {} : { namespace: manifest.metadata.namespace }),
});

const cancelledDeployment = (name: string, namespace: string, deploymentTargetId: string) => ({
  kind: 'Deployment',
  apiVersion: 'v1',
  metadata: { name, namespace, labels: { owner: 'another-team' } },
  spec: {
    state: 'CANCELLED',
    deploymentTargetId,
    template: {
      spec: { artifact: { kind: 'JAR', jarUri: 'https://repo.example.com/theirs.jar' } },
    },
  },
});

describe('hostile custom resources', () => {
  const foreign: ForeignObjects = {
    vvpNamespace: FOREIGN_NAMESPACE,
    deploymentId: '',
    defaultDeployments: ['foreign-app', 'foreign-app-two'],
    defaultTarget: 'foreign-target',
  };
  const bed = useOperatorTestbed({
    appNamespacePrefix: 'hostile',
    operator: { extraArgs: ['--debug'] },
    watchNamespaces: (bed) => [bed.appNamespace],
    beforeStart: async (testbed) => {
      const created = async (path: string, body: unknown): Promise<string> => {
        const answer = await testbed.vvp('POST', path, body);
        if (answer.status >= 300) throw new Error(`seeding ${path}: ${answer.text}`);
        return String(field(answer.body, 'metadata', 'id'));
      };
      await created('/namespaces/v1/namespaces', {
        name: `namespaces/${FOREIGN_NAMESPACE}`,
        roleBindings: [{ role: 'owner', members: ['user:admin'] }],
      });
      for (const namespace of ['default', FOREIGN_NAMESPACE]) {
        const targetId = await created(`/api/v1/namespaces/${namespace}/deployment-targets`, {
          kind: 'DeploymentTarget',
          apiVersion: 'v1',
          metadata: { name: foreign.defaultTarget, namespace },
          spec: { kubernetes: { namespace: 'their-flink' } },
        });
        const names = namespace === 'default' ? foreign.defaultDeployments : ['foreign-job'];
        for (const name of names) {
          const id = await created(
            `/api/v1/namespaces/${namespace}/deployments`,
            cancelledDeployment(name, namespace, targetId),
          );
          if (namespace === FOREIGN_NAMESPACE) foreign.deploymentId = id;
        }
      }
    },
  });

  it(`rejects or reports each of ${HOSTILE_CASES.length} hostile inputs, without crash, loop or collateral damage`, async () => {
    const identity = await managerIdentity(bed.operator);
    const unrelated = unrelatedObjects(bed, [
      `/namespaces/v1/namespaces/${FOREIGN_NAMESPACE}`,
      `${DEFAULT_NS}/deployment-targets/${foreign.defaultTarget}`,
      `/api/v1/namespaces/${FOREIGN_NAMESPACE}/deployment-targets/${foreign.defaultTarget}`,
      ...foreign.defaultDeployments.map((name) => `${DEFAULT_NS}/deployments/${name}`),
      `/api/v1/namespaces/${FOREIGN_NAMESPACE}/deployments/${foreign.deploymentId}`,
    ]);
    const untouched = await unrelated.snapshot();

    // The target the corpus's deployments use.
    const good = await applyAsAdmin({
      apiVersion: API_VERSION,
      kind: 'VpDeploymentTarget',
      metadata: { name: GOOD_TARGET, namespace: bed.appNamespace },
      spec: { spec: { kubernetes: { namespace: 'flink-hostile' } } },
    });
    expect(good.accepted).toBe(true);
    const context: CorpusContext = {
      namespace: bed.appNamespace,
      runId: readClusterState()
        .runId.toLowerCase()
        .replace(/[^a-z0-9-]/g, '')
        .slice(0, 12),
      goodTarget: GOOD_TARGET,
      foreign,
    };
    await waitForCustomObject(
      'Ready',
      { plural: 'vpdeploymenttargets', name: GOOD_TARGET, namespace: bed.appNamespace },
      (object) => conditionOf(object, 'Ready')?.status === 'True',
    );

    // Accepted cases first: a later case claims the VVP name of one of them.
    const ordered = [
      ...HOSTILE_CASES.filter((c) => c.expect.outcome === 'accepted'),
      ...HOSTILE_CASES.filter((c) => c.expect.outcome !== 'accepted'),
    ];
    const problems: string[] = [];
    const admitted: { hostile: HostileCase; object: WatchedObject }[] = [];
    const applied = await inBatches(ordered, 4, async (hostile) => {
      const manifest = hostile.manifest(context);
      const outcome = await applyAsAdmin(manifest, hostile.rawCreate?.(context));
      return { hostile, manifest, outcome };
    });
    for (const { hostile, manifest, outcome } of applied) {
      const expected = hostile.expect;
      if (expected.outcome === 'rejected') {
        if (outcome.accepted) problems.push(`${hostile.title}: admitted, expected a rejection`);
        else if (!expected.message.test(outcome.output)) {
          problems.push(
            `${hostile.title}: rejected with an unexpected message: ${outcome.output.slice(0, 600)}`,
          );
        }
      } else if (!outcome.accepted) {
        problems.push(
          `${hostile.title}: rejected, expected admission: ${outcome.output.slice(0, 600)}`,
        );
      } else {
        const object = typeof manifest === 'string' ? hostile.watch?.(context) : watched(manifest);
        if (object === undefined) throw new Error(`${hostile.title}: say which object to watch`);
        admitted.push({ hostile, object });
      }
    }

    for (const { hostile, object } of admitted) {
      const expected = hostile.expect;
      const settled = (candidate: CustomResource): boolean => {
        if (expected.outcome === 'accepted')
          return conditionOf(candidate, 'Synced')?.status === 'True';
        if (expected.outcome !== 'reported') return false;
        return (
          conditionOf(candidate, expected.condition)?.status === 'False' &&
          conditionOf(candidate, expected.condition)?.reason === expected.reason
        );
      };
      try {
        const reached = await waitForCustomObject(hostile.title, object, settled, 30_000);
        if (expected.outcome === 'reported') {
          const message = conditionOf(reached, expected.condition)?.message ?? '';
          if (!expected.message.test(message)) {
            problems.push(
              `${hostile.title}: ${expected.reason} with an unclear message: ${message}`,
            );
          }
        }
      } catch {
        const seen = await readCustomObject(object.plural, object.name, object.namespace);
        problems.push(
          `${hostile.title}: never reached the expected condition; conditions: ${JSON.stringify(seen?.status?.conditions)}`,
        );
      }
    }
    expect(problems).toEqual([]);

    // Reported means done: over three resync periods no CR is written again and no VVP path is
    // asked more than the periodic reads (and backed-off retries) need.
    const quiet = await expectQuiet(
      bed,
      admitted
        .filter(({ hostile }) => hostile.expect.outcome !== 'reported' || !hostile.expect.retried)
        .map(({ object }) => object),
      { windowMs: 7_000, maxPerPath: 8 },
    );
    await expectSameHealthyManager(bed, identity);
    expect(await unrelated.snapshot()).toEqual(untouched);
    const logLines = expectNoSecretsLogged(bed.operator, [E2E_ADMIN_TOKEN]);

    const count = (outcome: string) =>
      HOSTILE_CASES.filter((c) => c.expect.outcome === outcome).length;
    printFigures('hostile inputs', {
      'hostile inputs tried': HOSTILE_CASES.length,
      'rejected at admission': count('rejected'),
      'reported in a condition': count('reported'),
      'accepted as valid': count('accepted'),
      'manager restarts': 0,
      'VVP requests in 7 s after reporting': quiet.requests,
      'busiest VVP path': `${quiet.busiestPath} (${quiet.busiestCount})`,
      'unrelated VVP objects unchanged': unrelated.paths.length,
      'log lines checked for secrets': logLines,
    });
    await removeCustomResources(bed.appNamespace);
  });
});
