// One repetition's installation, as the end-to-end tests build it (test/support): the VVP
// simulator with enforced auth and realistic latency, an operator namespace with exactly
// config/rbac granted to the unprivileged operator identity, an application namespace with a
// Ready VpDeploymentTarget, and bin/manager with its default settings.
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, LABEL_INSTANCE } from '../src/api';
import { findCondition, type Condition } from '../src/controller';
import type { RunningSimulator } from '../src/simulator';
import { eventually } from '../src/testing/eventually';
import { adminKubeConfig, uniqueNamespace } from '../test/support/cluster';
import { killManager, loggedPort, type ManagerRun } from '../test/support/manager-process';
import { grantOperatorRbac, startOperator } from '../test/support/operator';
/** The simulator's bootstrap admin token; also the operator's Platform API credentials. */
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
import { startQuietSimulator } from '../test/support/simulator';
import { MANAGER_DEFAULTS } from './manager-defaults';

/** The VVP namespace every benchmark deployment lives in (exists in every VVP). */
export const VVP_NAMESPACE = 'default';
const TARGET = 'bench-target';
/** Enough for the largest run's requests between two reads of the log. */
const REQUEST_LOG_CAPACITY = 2_000_000;

export interface BedSettings {
  latencyMs: number;
  transitionMs: number;
  /**
   * Labels this repetition's objects and is the manager's --instance-id, so that a manager
   * never sees an earlier repetition's objects (which stay in the cluster; nothing is deleted
   * between repetitions, which would load the API server during the next one).
   */
  instanceId: string;
  /** Run the compiled manager as the container image does, instead of bin/manager. */
  compiled: boolean;
}

/**
 * The image's entrypoint (Dockerfile) on the project's Node.js 24: the bundle `npm run build`
 * writes, with the same Node.js flags.
 */
const COMPILED_MANAGER = [
  fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url)),
  '--enable-source-maps',
  '--max-semi-space-size=2',
  fileURLToPath(new URL('../dist/manager.js', import.meta.url)),
];

export interface Bed {
  readonly simulator: RunningSimulator;
  readonly appNamespace: string;
  readonly operatorNamespace: string;
  readonly settings: BedSettings;
  manager: ManagerRun;
  metricsPort: number;
  /** Starts bin/manager again (after `stopManager`); resolves when /readyz answers 200. */
  startManager(): Promise<void>;
  stopManager(): Promise<void>;
  close(): Promise<void>;
}

/** The manager's flags: its defaults, plus where to find VVP and Kubernetes in this bed. */
async function launchManager(
  simulator: RunningSimulator,
  operatorNamespace: string,
  instanceId: string,
  compiled: boolean,
): Promise<{ manager: ManagerRun; metricsPort: number }> {
  const manager = await startOperator({
    ...(compiled ? { command: COMPILED_MANAGER } : {}),
    simulatorUrl: simulator.url,
    operatorNamespace,
    instanceId,
    // The manager's default, spelled out: the test support picks a short one for tests.
    resyncPeriod: `${MANAGER_DEFAULTS.resyncPeriodSeconds}s`,
    env: { PLATFORM_API_TOKEN: BENCH_ADMIN_TOKEN },
  });
  const metricsPort = await loggedPort(manager, 'serving metrics at /metrics');
  return { manager, metricsPort };
}

export async function openBed(settings: BedSettings): Promise<Bed> {
  const simulator = await startQuietSimulator({
    auth: 'enforced',
    adminToken: BENCH_ADMIN_TOKEN,
    knobs: { latencyMs: settings.latencyMs, transitionMs: settings.transitionMs },
    requestLogCapacity: REQUEST_LOG_CAPACITY,
  });
  const operatorNamespace = await uniqueNamespace('bench-operator');
  const appNamespace = await uniqueNamespace('bench');
  await grantOperatorRbac(operatorNamespace);
  await adminKubeConfig()
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace: appNamespace,
      plural: 'vpdeploymenttargets',
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: 'VpDeploymentTarget',
        metadata: { name: TARGET, labels: { [LABEL_INSTANCE]: settings.instanceId } },
        spec: {
          metadata: { namespace: VVP_NAMESPACE },
          spec: { kubernetes: { namespace: 'flink' } },
        },
      },
    });
  let launched = await launchManager(
    simulator,
    operatorNamespace,
    settings.instanceId,
    settings.compiled,
  );
  await eventually('the benchmark deployment target to be Ready', async () => {
    const target = (await adminKubeConfig()
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        namespace: appNamespace,
        plural: 'vpdeploymenttargets',
        name: TARGET,
      })) as { status?: { conditions?: Condition[] } };
    return findCondition(target.status?.conditions, 'Ready')?.status === 'True' ? true : undefined;
  });

  const bed: Bed = {
    simulator,
    appNamespace,
    operatorNamespace,
    settings,
    manager: launched.manager,
    metricsPort: launched.metricsPort,
    startManager: async () => {
      launched = await launchManager(
        simulator,
        operatorNamespace,
        settings.instanceId,
        settings.compiled,
      );
      bed.manager = launched.manager;
      bed.metricsPort = launched.metricsPort;
    },
    stopManager: () => killManager(bed.manager),
    close: async () => {
      await killManager(bed.manager);
      await simulator.close();
    },
  };
  return bed;
}

/**
 * A VpDeployment as a user would write it (the README's example job): a streaming JAR job,
 * RUNNING, with resources and Flink configuration, on the bed's target.
 */
export function deploymentManifest(name: string, instanceId: string): Record<string, unknown> {
  return {
    apiVersion: `${API_GROUP}/${API_VERSION}`,
    kind: 'VpDeployment',
    metadata: { name, labels: { [LABEL_INSTANCE]: instanceId } },
    spec: {
      deploymentTargetRef: { name: TARGET },
      metadata: { namespace: VVP_NAMESPACE, labels: { app: name } },
      spec: {
        state: 'RUNNING',
        upgradeStrategy: { kind: 'STATEFUL' },
        restoreStrategy: { kind: 'LATEST_STATE' },
        maxJobCreationAttempts: 4,
        template: {
          spec: {
            artifact: {
              kind: 'JAR',
              jarUri:
                'https://repo1.maven.org/maven2/org/apache/flink/flink-examples-streaming_2.12/1.17.2/flink-examples-streaming_2.12-1.17.2-TopSpeedWindowing.jar',
              entryClass: 'org.apache.flink.streaming.examples.windowing.TopSpeedWindowing',
              flinkVersion: '1.17',
            },
            parallelism: 2,
            resources: {
              jobmanager: { cpu: 0.5, memory: '1g' },
              taskmanager: { cpu: 1, memory: '2g' },
            },
            flinkConfiguration: {
              'taskmanager.numberOfTaskSlots': '1',
              'execution.checkpointing.interval': '10s',
            },
          },
        },
      },
    },
  };
}
