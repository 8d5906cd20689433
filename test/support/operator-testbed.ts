// One end-to-end test bed per test file: the VVP simulator with enforced auth, the CRDs, an
// operator namespace with config/rbac granted, an application namespace, and bin/manager
// running as the unprivileged operator identity — restarted after any test that killed it.
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { Knobs, RequestLogEntry, RunningSimulator } from '../../src/simulator';
import { uniqueNamespace } from './cluster';
import { killManager, type ManagerRun } from './manager-process';
import {
  grantOperatorRbac,
  installOperatorCrds,
  startOperator,
  type OperatorRunOptions,
} from './operator';
import { call, startQuietSimulator, type HttpAnswer } from './simulator';

/** The simulator's bootstrap admin token; also the operator's Platform API credentials. */
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface OperatorTestbed {
  readonly simulator: RunningSimulator;
  /** Where the operator keeps its own Secrets and Lease. */
  readonly operatorNamespace: string;
  /** Where the tests put their namespaced objects. */
  readonly appNamespace: string;
  /** A raw VVP call with the admin token (what another VVP client would do). */
  vvp(method: string, path: string, body?: unknown): Promise<HttpAnswer>;
  /** The writes in the simulator's request log. */
  vvpWrites(): RequestLogEntry[];
  /**
   * SIGKILLs the manager and starts it again; resolves once it is ready. `env` replaces the
   * manager's extra environment for this and every later start.
   */
  restartOperator(env?: NodeJS.ProcessEnv): Promise<void>;
  /** The manager now running: its process and everything it logged. */
  readonly operator: ManagerRun;
}

export interface TestbedOptions {
  /** Prefix of the application namespace (a DNS label prefix). */
  appNamespacePrefix: string;
  knobs?: Partial<Knobs>;
  /** Runs before the manager first starts, e.g. to create VVP objects it should find. */
  beforeStart?: (bed: OperatorTestbed) => Promise<void>;
  /** The manager's `--instance-id`: it then reconciles only objects labelled with it. */
  instanceId?: string;
  /** Extra environment of the manager (e.g. `VP_OPERATOR_DRY_RUN`). */
  env?: NodeJS.ProcessEnv;
  /** Further manager settings (e.g. a resync period, flags such as `--debug`), kept across restarts. */
  operator?: Pick<OperatorRunOptions, 'resyncPeriod' | 'extraArgs'>;
  /**
   * The namespaces the manager watches, known once they exist (all by default): keeps CRs
   * other test files left in the cluster out of a test that counts everything in VVP.
   */
  watchNamespaces?: (bed: OperatorTestbed) => readonly string[];
}

/** Registers the hooks that build and tear down the test bed; call at describe level. */
export function useOperatorTestbed(options: TestbedOptions): OperatorTestbed {
  let simulator: RunningSimulator | undefined;
  let operatorNamespace: string | undefined;
  let appNamespace: string | undefined;
  let operator: ManagerRun | undefined;
  let managerEnv: NodeJS.ProcessEnv = options.env ?? {};

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the test bed's ${what} is used before beforeAll`);
    return value;
  };
  const start = async (): Promise<void> => {
    operator = await startOperator({
      simulatorUrl: bed.simulator.url,
      operatorNamespace: bed.operatorNamespace,
      env: { PLATFORM_API_TOKEN: E2E_ADMIN_TOKEN, ...managerEnv },
      ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
      ...options.operator,
      ...(options.watchNamespaces === undefined
        ? {}
        : { watchNamespaces: options.watchNamespaces(bed) }),
    });
  };
  const stopped = (run: ManagerRun | undefined): boolean =>
    run === undefined || run.child.exitCode !== null || run.child.signalCode !== null;

  const bed: OperatorTestbed = {
    get simulator() {
      return ready(simulator, 'simulator');
    },
    get operatorNamespace() {
      return ready(operatorNamespace, 'operator namespace');
    },
    get appNamespace() {
      return ready(appNamespace, 'application namespace');
    },
    get operator() {
      return ready(operator, 'manager');
    },
    vvp: (method, path, body) =>
      call(bed.simulator.url, method, path, {
        token: E2E_ADMIN_TOKEN,
        ...(body === undefined ? {} : { body }),
      }),
    vvpWrites: () =>
      bed.simulator.admin.requests().entries.filter((entry) => WRITE_METHODS.has(entry.method)),
    restartOperator: async (env) => {
      if (env !== undefined) managerEnv = env;
      if (operator !== undefined) await killManager(operator);
      await start();
    },
  };

  beforeAll(async () => {
    simulator = await startQuietSimulator({
      auth: 'enforced',
      adminToken: E2E_ADMIN_TOKEN,
      ...(options.knobs === undefined ? {} : { knobs: options.knobs }),
    });
    await installOperatorCrds();
    operatorNamespace = await uniqueNamespace('vp-operator');
    appNamespace = await uniqueNamespace(options.appNamespacePrefix);
    await grantOperatorRbac(operatorNamespace);
    await options.beforeStart?.(bed);
    await start();
  });

  afterEach(async () => {
    // Every test starts with a running manager, also after one that killed it.
    if (stopped(operator)) await start();
  });

  afterAll(async () => {
    if (operator !== undefined) await killManager(operator);
    await simulator?.close();
  });

  return bed;
}
