import { beforeEach, describe, expect, it } from '@jest/globals';
import { AdvanceableClock } from './clock';
import { SimulatorError } from './errors';
import type { JsonObject } from '../json';
import type { Deployment, VvpVersion } from './model';
import { createSeededRandom } from './random';
import { SimulatedInstallation, type InstallationSettings } from './installation';

const NS = 'default';
const STEP = 1000;

interface Harness {
  installation: SimulatedInstallation;
  clock: AdvanceableClock;
  settings: InstallationSettings;
  /** Moves simulated time and lets due transitions happen. */
  advance(ms: number): void;
  deployment(): Deployment;
  events(): string[];
}

function harness(version: VvpVersion = '2.4'): Harness {
  const clock = new AdvanceableClock(() => Date.UTC(2024, 0, 1));
  const settings: InstallationSettings = {
    transitionMs: STEP,
    savepointFailureRate: 0,
    jobStartFailureRate: 0,
    namespaceTerminationMs: STEP,
  };
  const installation = new SimulatedInstallation({
    clock,
    random: createSeededRandom(7),
    version,
    settings: () => settings,
  });
  return {
    installation,
    clock,
    settings,
    advance(ms) {
      clock.advance(ms);
      installation.catchUp();
    },
    deployment: () => installation.appManager.getDeployment(NS, 'orders'),
    events: () => installation.appManager.listEvents(NS, {}).items.map((e) => e.metadata.name),
  };
}

function deploymentBody(state: string, extra: JsonObject = {}): JsonObject {
  return {
    metadata: { name: 'orders' },
    spec: {
      state,
      deploymentTargetName: 'prod',
      template: { spec: { artifact: { kind: 'JAR', jarUri: 's3://jars/orders-1.jar' } } },
      ...extra,
    },
  };
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

describe('deployment lifecycle', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
    h.installation.appManager.createDeploymentTarget(NS, {
      metadata: { name: 'prod' },
      spec: { kubernetes: { namespace: 'flink' } },
    });
  });

  it('starts a job and reaches RUNNING one transition later', () => {
    const created = h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    expect(created.status.state).toBe('CANCELLED');

    h.advance(0);
    expect(h.deployment().status.state).toBe('TRANSITIONING');
    const [job] = h.installation.appManager.listJobs(NS, {}).items;
    expect(job?.status.state).toBe('STARTING');

    h.advance(STEP - 1);
    expect(h.deployment().status.state).toBe('TRANSITIONING');
    h.advance(1);
    const running = h.deployment();
    expect(running.status.state).toBe('RUNNING');
    expect(running.status.running?.jobId).toBe(job?.metadata.id);
    expect(h.installation.appManager.getJob(NS, job?.metadata.id ?? '').status.state).toBe(
      'STARTED',
    );
    expect(h.events()).toEqual([
      'STATE_TRANSITION_IS_NEEDED',
      'CREATING_A_NEW_JOB',
      'SPINNING_UP_A_CLUSTER_FOR_A_JOB',
      'AWAITING_A_JOB_TO_START',
      'JOB_SUCCESSFULLY_STARTED',
      'STATE_TRANSITION_IS_COMPLETED',
    ]);
  });

  it('suspends with a SUSPEND savepoint, then resumes from it', () => {
    h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    h.advance(STEP);
    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'SUSPENDED' } });
    h.advance(0);
    const [savepoint] = h.installation.appManager.listSavepoints(NS, {}).items;
    expect(savepoint?.metadata.origin).toBe('SUSPEND');
    expect(savepoint?.status.state).toBe('STARTED');

    h.advance(2 * STEP);
    expect(h.deployment().status.state).toBe('SUSPENDED');
    const completed = h.installation.appManager.getSavepoint(NS, savepoint?.metadata.id ?? '');
    expect(completed.status.state).toBe('COMPLETED');
    expect(completed.spec.savepointLocation).toMatch(/^s3:\/\/vvp\//);
    expect(h.installation.appManager.listJobs(NS, {}).items.map((j) => j.status.state)).toEqual([
      'TERMINATED',
    ]);

    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'RUNNING' } });
    h.advance(STEP);
    const jobs = h.installation.appManager.listJobs(NS, {}).items;
    expect(jobs).toHaveLength(2);
    expect(jobs[1]?.spec.savepointLocation).toBe(completed.spec.savepointLocation);
    expect(h.deployment().status.state).toBe('RUNNING');
  });

  it('cancels without a savepoint', () => {
    h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    h.advance(STEP);
    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'CANCELLED' } });
    h.advance(STEP);
    expect(h.deployment().status.state).toBe('CANCELLED');
    expect(h.installation.appManager.listSavepoints(NS, {}).items).toEqual([]);
    expect(h.events().slice(-4)).toEqual([
      'FOUND_A_JOB_TO_TERMINATE',
      'AWAITING_A_JOB_TO_TERMINATE',
      'AWAIT_FOR_A_CLUSTER_TO_TEARDOWN',
      'STATE_TRANSITION_IS_COMPLETED',
    ]);
  });

  it('upgrades a running deployment statefully when its template changes', () => {
    h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    h.advance(STEP);
    h.installation.appManager.patchDeployment(NS, 'orders', {
      spec: { template: { spec: { artifact: { jarUri: 's3://jars/orders-2.jar' } } } },
    });
    h.advance(3 * STEP); // savepoint, stop, start
    expect(h.deployment().status.state).toBe('RUNNING');
    const savepoints = h.installation.appManager.listSavepoints(NS, {}).items;
    expect(savepoints.map((s) => [s.metadata.origin, s.status.state])).toEqual([
      ['SUSPEND_AND_UPGRADE', 'COMPLETED'],
    ]);
    const jobs = h.installation.appManager.listJobs(NS, {}).items;
    expect(jobs.map((j) => j.status.state)).toEqual(['TERMINATED', 'STARTED']);
    expect(jobs[1]?.spec.savepointLocation).toBe(savepoints[0]?.spec.savepointLocation);
    expect(jobs[1]?.spec.artifact).toMatchObject({ jarUri: 's3://jars/orders-2.jar' });
    expect(h.events()).toContain('USING_AN_UPGRADE_STRATEGY');
  });

  it('upgrades statelessly without a savepoint, and not at all with strategy NONE', () => {
    h.installation.appManager.createDeployment(
      NS,
      deploymentBody('RUNNING', { upgradeStrategy: { kind: 'STATELESS' } }),
    );
    h.advance(STEP);
    h.installation.appManager.patchDeployment(NS, 'orders', {
      spec: { template: { spec: { parallelism: 4 } } },
    });
    h.advance(2 * STEP);
    expect(h.installation.appManager.listJobs(NS, {}).items.map((j) => j.status.state)).toEqual([
      'TERMINATED',
      'STARTED',
    ]);
    expect(h.installation.appManager.listSavepoints(NS, {}).items).toEqual([]);

    h.installation.appManager.patchDeployment(NS, 'orders', {
      spec: { upgradeStrategy: { kind: 'NONE' }, template: { spec: { parallelism: 8 } } },
    });
    h.advance(5 * STEP);
    expect(h.installation.appManager.listJobs(NS, {}).items).toHaveLength(2);
    expect(h.deployment().status.state).toBe('RUNNING');
  });

  it('counts every write in resourceVersion, but a no-op patch starts no transition', () => {
    h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    h.advance(STEP);
    const before = h.deployment().metadata.resourceVersion;
    const eventCount = h.events().length;
    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'RUNNING' } });
    expect(h.deployment().metadata.resourceVersion).toBe(before + 1);
    h.advance(STEP);
    expect(h.events()).toHaveLength(eventCount);
    expect(
      h.deployment().metadata.annotations[
        'com.dataartisans.appmanager.controller.deployment.spec.version'
      ],
    ).toBe('1');
  });

  it('fails after maxSavepointCreationAttempts failed suspension savepoints and recovers by cancelling', () => {
    h.installation.appManager.createDeployment(
      NS,
      deploymentBody('RUNNING', { maxSavepointCreationAttempts: 2 }),
    );
    h.advance(STEP);
    h.settings.savepointFailureRate = 1;
    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'SUSPENDED' } });
    h.advance(5 * STEP);
    expect(h.deployment().status.state).toBe('FAILED');
    expect(
      h.installation.appManager.listSavepoints(NS, {}).items.map((s) => s.status.state),
    ).toEqual(['FAILED', 'FAILED']);
    expect(h.events()).toContain('TOO_MANY_FAILED_SUSPENSION_ATTEMPTS');

    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'CANCELLED' } });
    h.advance(STEP);
    expect(h.deployment().status.state).toBe('CANCELLED');
  });

  it('fails after maxJobCreationAttempts failed job starts', () => {
    h.settings.jobStartFailureRate = 1;
    h.installation.appManager.createDeployment(
      NS,
      deploymentBody('RUNNING', { maxJobCreationAttempts: 3 }),
    );
    h.advance(10 * STEP);
    expect(h.deployment().status.state).toBe('FAILED');
    const jobs = h.installation.appManager.listJobs(NS, {}).items;
    expect(jobs.map((j) => j.status.state)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(h.events().filter((e) => e === 'FAILED_CREATING_A_NEW_JOB')).toHaveLength(3);
    expect(h.events().at(-1)).toBe('TOO_MANY_FAILED_JOB_CREATION_ATTEMPTS');
  });

  it('takes manual savepoints of a running job only', () => {
    const created = h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    const early = refusal(() =>
      h.installation.appManager.createSavepoint(NS, {
        metadata: { deploymentId: created.metadata.id },
      }),
    );
    expect(early.status).toBe(409);
    expect(early.message).toContain('no running job');

    h.advance(STEP);
    const savepoint = h.installation.appManager.createSavepoint(NS, {
      metadata: { deploymentId: created.metadata.id },
    });
    expect(savepoint.metadata.origin).toBe('USER_REQUEST');
    expect(savepoint.metadata.jobId).toBe(h.deployment().status.running?.jobId);
    h.advance(STEP);
    expect(h.installation.appManager.getSavepoint(NS, savepoint.metadata.id).status.state).toBe(
      'COMPLETED',
    );
    expect(h.deployment().status.state).toBe('RUNNING');
  });

  it('registers an existing snapshot as COPIED without a job', () => {
    const created = h.installation.appManager.createDeployment(NS, deploymentBody('CANCELLED'));
    const copied = h.installation.appManager.createSavepoint(NS, {
      metadata: { deploymentId: created.metadata.id },
      spec: { savepointLocation: 's3://old/savepoint-1' },
    });
    expect(copied.metadata.origin).toBe('COPIED');
    expect(copied.status.state).toBe('COMPLETED');
  });

  it('reports a failed Flink job as FAILED and a finished one as FINISHED', () => {
    h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    h.advance(STEP);
    const jobId = h.deployment().status.running?.jobId ?? '';
    h.installation.appManager.failJob(NS, jobId, 'OutOfMemoryError');
    expect(h.deployment().status.state).toBe('FAILED');
    expect(h.installation.appManager.getJob(NS, jobId).status.failure?.message).toBe(
      'OutOfMemoryError',
    );
    h.advance(5 * STEP);
    expect(h.deployment().status.state).toBe('FAILED');

    h.installation.appManager.patchDeployment(NS, 'orders', {
      spec: { template: { spec: { parallelism: 2 } } },
    });
    h.advance(STEP);
    expect(h.deployment().status.state).toBe('RUNNING');
    h.installation.appManager.finishJob(NS, h.deployment().status.running?.jobId ?? '');
    expect(h.deployment().status.state).toBe('FINISHED');
    expect(h.events().slice(-2)).toEqual([
      'JOB_SUCCESSFULLY_FINISHED',
      'TRANSITIONED_TO_FINISHED_STATE',
    ]);
  });

  it('takes a new suspension savepoint for a new job after the old one failed mid-suspension', () => {
    h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    h.advance(STEP);
    const firstJob = h.deployment().status.running?.jobId ?? '';
    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'SUSPENDED' } });
    h.advance(0); // suspension savepoint in flight
    h.installation.appManager.failJob(NS, firstJob, 'TaskManager lost');
    h.advance(STEP);
    const [orphaned] = h.installation.appManager.listSavepoints(NS, {}).items;
    expect(orphaned?.status.state).toBe('COMPLETED');
    expect(h.deployment().status.state).toBe('FAILED');

    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'RUNNING' } });
    h.advance(STEP);
    const secondJob = h.deployment().status.running?.jobId;
    expect(secondJob).not.toBe(firstJob);
    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'SUSPENDED' } });
    h.advance(2 * STEP);
    expect(h.deployment().status.state).toBe('SUSPENDED');
    const savepoints = h.installation.appManager.listSavepoints(NS, {}).items;
    expect(savepoints.map((s) => [s.metadata.jobId, s.metadata.origin, s.status.state])).toEqual([
      [firstJob, 'SUSPEND', 'COMPLETED'],
      [secondJob, 'SUSPEND', 'COMPLETED'],
    ]);
  });

  it('acts only on the latest desired state', () => {
    h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    h.advance(0);
    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'CANCELLED' } });
    h.advance(2 * STEP);
    expect(h.deployment().status.state).toBe('CANCELLED');
    expect(h.installation.appManager.listJobs(NS, {}).items.map((j) => j.status.state)).toEqual([
      'TERMINATED',
    ]);
  });

  it('emits the events of a user-requested savepoint', () => {
    const created = h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    h.advance(STEP);
    const before = h.events().length;
    h.installation.appManager.createSavepoint(NS, {
      metadata: { deploymentId: created.metadata.id },
    });
    expect(h.events().slice(before)).toEqual([
      'NEED_TO_TRIGGER_A_SAVEPOINT',
      'SUCCESSFULLY_TRIGGERED_A_SAVEPOINT',
      'AWAITING_FOR_A_SAVEPOINT_TO_COMPLETE',
    ]);
    h.settings.savepointFailureRate = 1;
    h.installation.appManager.createSavepoint(NS, {
      metadata: { deploymentId: created.metadata.id },
    });
    h.advance(STEP);
    expect(h.events().at(-1)).toBe('AN_UNRECOVERABLE_FAILURE_WHILE_TAKING_A_SAVEPOINT');
  });

  it('names the upgrade strategy of a STATELESS upgrade too', () => {
    h.installation.appManager.createDeployment(
      NS,
      deploymentBody('RUNNING', { upgradeStrategy: { kind: 'STATELESS' } }),
    );
    h.advance(STEP);
    const before = h.events().length;
    h.installation.appManager.patchDeployment(NS, 'orders', {
      spec: { template: { spec: { parallelism: 3 } } },
    });
    h.advance(0);
    expect(h.events().slice(before)).toEqual([
      'STATE_TRANSITION_IS_NEEDED',
      'USING_AN_UPGRADE_STRATEGY',
      'FOUND_AN_OLD_JOB_AND_WILL_TERMINATE_IT',
      'AWAITING_A_JOB_TO_TERMINATE',
    ]);
  });

  it("reports a terminated job's end in observedFlinkJobStatus", () => {
    h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    h.advance(STEP);
    const observed = (jobId: string): string | undefined =>
      h.installation.appManager.getJob(NS, jobId).status.started?.observedFlinkJobStatus;
    const first = h.deployment().status.running?.jobId ?? '';
    expect(observed(first)).toBe('RUNNING');
    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'CANCELLED' } });
    h.advance(STEP);
    expect(h.installation.appManager.getJob(NS, first).status.state).toBe('TERMINATED');
    expect(observed(first)).toBe('CANCELED');

    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'RUNNING' } });
    h.advance(STEP);
    const second = h.deployment().status.running?.jobId ?? '';
    h.installation.appManager.failJob(NS, second, 'OutOfMemoryError');
    expect(observed(second)).toBe('FAILED');

    h.installation.appManager.patchDeployment(NS, 'orders', {
      spec: { template: { spec: { parallelism: 2 } } },
    });
    h.advance(STEP);
    const third = h.deployment().status.running?.jobId ?? '';
    h.installation.appManager.finishJob(NS, third);
    expect(observed(third)).toBe('FINISHED');
  });

  it('settles instantly with zero transition time', () => {
    h.settings.transitionMs = 0;
    h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    h.advance(0);
    expect(h.deployment().status.state).toBe('RUNNING');
  });
});

describe('deployment rules', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
    h.installation.appManager.createDeploymentTarget(NS, {
      metadata: { name: 'prod' },
      spec: { kubernetes: { namespace: 'flink' } },
    });
  });

  it('merges the namespace defaults under the given spec', () => {
    const created = h.installation.appManager.createDeployment(NS, deploymentBody('CANCELLED'));
    expect(created.spec).toMatchObject({
      upgradeStrategy: { kind: 'STATEFUL' },
      restoreStrategy: { kind: 'LATEST_STATE' },
      template: { spec: { parallelism: 1, artifact: { kind: 'JAR', flinkVersion: '1.12' } } },
    });
  });

  it('refuses duplicate names, bad names and unknown targets', () => {
    h.installation.appManager.createDeployment(NS, deploymentBody('CANCELLED'));
    expect(
      refusal(() => h.installation.appManager.createDeployment(NS, deploymentBody('CANCELLED')))
        .status,
    ).toBe(409);
    const badName = refusal(() =>
      h.installation.appManager.createDeployment(NS, {
        ...deploymentBody('CANCELLED'),
        metadata: { name: 'Orders!' },
      }),
    );
    expect(badName.status).toBe(400);
    expect(badName.message).toContain("metadata.name 'Orders!'");
    const noTarget = refusal(() =>
      h.installation.appManager.createDeployment(NS, {
        metadata: { name: 'other' },
        spec: {
          deploymentTargetName: 'missing',
          template: { spec: { artifact: { kind: 'JAR', jarUri: 'x' } } },
        },
      }),
    );
    expect(noTarget.message).toContain("deployment target 'missing' not found");
  });

  it('finds a deployment by name without scanning the namespace', () => {
    for (const name of ['a', 'b', 'c']) {
      h.installation.appManager.createDeployment(NS, {
        ...deploymentBody('CANCELLED'),
        metadata: { name },
      });
    }
    h.installation.appManager.createDeployment(NS, deploymentBody('CANCELLED'));
    const deployments = h.installation.store.namespaces.get(NS)?.deployments;
    if (deployments === undefined) throw new Error('no default namespace');
    const scan = (): never => {
      throw new Error('scanned every deployment of the namespace');
    };
    Object.assign(deployments, { values: scan, entries: scan, forEach: scan, keys: scan });
    Object.defineProperty(deployments, Symbol.iterator, { value: scan });

    expect(h.deployment().metadata.name).toBe('orders');
    h.installation.appManager.patchDeployment(NS, 'orders', { metadata: { labels: { x: 'y' } } });
    expect(
      refusal(() => h.installation.appManager.createDeployment(NS, deploymentBody('CANCELLED')))
        .status,
    ).toBe(409);
  });

  it('keeps names immutable', () => {
    h.installation.appManager.createDeployment(NS, deploymentBody('CANCELLED'));
    const error = refusal(() =>
      h.installation.appManager.patchDeployment(NS, 'orders', { metadata: { name: 'renamed' } }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toContain('metadata.name is immutable');
  });

  it('deletes a deployment only once it is CANCELLED or SUSPENDED (2.4)', () => {
    h.installation.appManager.createDeployment(NS, deploymentBody('RUNNING'));
    h.advance(STEP);
    expect(refusal(() => h.installation.appManager.deleteDeployment(NS, 'orders')).status).toBe(
      409,
    );
    h.installation.appManager.patchDeployment(NS, 'orders', { spec: { state: 'SUSPENDED' } });
    expect(
      refusal(() => h.installation.appManager.deleteDeployment(NS, 'orders')).message,
    ).toContain('delete it once status.state is SUSPENDED');
    h.advance(2 * STEP);
    h.installation.appManager.deleteDeployment(NS, 'orders');
    expect(h.installation.appManager.listDeployments(NS).items).toEqual([]);
  });

  it('deletes only CANCELLED deployments, addresses them by id and has free-text names on 2.1', () => {
    h = harness('2.1');
    const target = h.installation.appManager.createDeploymentTarget(NS, {
      metadata: { name: 'prod' },
      spec: { kubernetes: { namespace: 'flink' } },
    });
    const body = (name: string): JsonObject => ({
      metadata: { name },
      spec: {
        state: 'SUSPENDED',
        deploymentTargetId: target.metadata.id,
        template: { spec: { artifact: { kind: 'JAR', jarUri: 'x' } } },
      },
    });
    const first = h.installation.appManager.createDeployment(NS, body('Orders Job'));
    h.installation.appManager.createDeployment(NS, body('Orders Job'));
    expect(refusal(() => h.installation.appManager.getDeployment(NS, 'Orders Job')).status).toBe(
      404,
    );
    h.advance(0);
    expect(
      refusal(() => h.installation.appManager.deleteDeployment(NS, first.metadata.id)).status,
    ).toBe(409);
    h.installation.appManager.patchDeployment(NS, first.metadata.id, {
      spec: { state: 'CANCELLED' },
    });
    h.advance(0);
    expect(h.installation.appManager.deleteDeployment(NS, first.metadata.id).metadata.id).toBe(
      first.metadata.id,
    );
  });

  it('protects a referenced deployment target', () => {
    h.installation.appManager.createDeployment(NS, deploymentBody('CANCELLED'));
    const error = refusal(() => h.installation.appManager.deleteDeploymentTarget(NS, 'prod'));
    expect(error.status).toBe(409);
    expect(error.message).toContain("'orders'");
  });

  it('tears a deleted namespace down: jobs stop with their events, writes are refused, then it is gone', () => {
    h.settings.namespaceTerminationMs = 3 * STEP;
    h.installation.platform.createNamespace({ name: 'namespaces/team' });
    h.installation.appManager.createDeploymentTarget('team', {
      metadata: { name: 'prod' },
      spec: { kubernetes: { namespace: 'flink' } },
    });
    h.installation.appManager.createDeployment('team', deploymentBody('RUNNING'));
    h.advance(STEP);
    const jobId =
      h.installation.appManager.getDeployment('team', 'orders').status.running?.jobId ?? '';
    h.installation.platform.deleteNamespace('team');
    expect(h.installation.platform.getNamespace('team').namespace.lifecyclePhase).toBe(
      'LIFECYCLE_PHASE_TERMINATING',
    );
    expect(
      refusal(() =>
        h.installation.appManager.createDeploymentTarget('team', {
          metadata: { name: 'x' },
          spec: { kubernetes: {} },
        }),
      ).status,
    ).toBe(409);
    const names = (): string[] =>
      h.installation.appManager.listEvents('team', {}).items.map((e) => e.metadata.name);

    h.advance(0);
    expect(h.installation.appManager.getJob('team', jobId).status.state).toBe('TERMINATING');
    expect(names().slice(-3)).toEqual([
      'STATE_TRANSITION_IS_NEEDED',
      'FOUND_A_JOB_TO_TERMINATE',
      'AWAITING_A_JOB_TO_TERMINATE',
    ]);
    h.advance(STEP);
    expect(h.installation.appManager.listDeployments('team').items).toEqual([]);
    expect(names().slice(-2)).toEqual([
      'AWAIT_FOR_A_CLUSTER_TO_TEARDOWN',
      'STATE_TRANSITION_IS_COMPLETED',
    ]);
    h.advance(2 * STEP);
    expect(refusal(() => h.installation.platform.getNamespace('team')).status).toBe(404);
    expect(refusal(() => h.installation.appManager.listDeployments('team')).status).toBe(404);
  });

  it('keeps the default namespace unless told to let it go', () => {
    expect(refusal(() => h.installation.platform.deleteNamespace(NS)).status).toBe(409);
    h.settings.allowDefaultNamespaceDeletion = true;
    h.installation.platform.deleteNamespace(NS);
    h.advance(STEP);
    expect(refusal(() => h.installation.platform.getNamespace(NS)).status).toBe(404);
  });
});
