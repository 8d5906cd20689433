import { Agenda } from './agenda';
import { AppManager, type AppManagerSettings } from './appmanager';
import type { SimulatedTime } from './clock';
import { DeploymentLifecycle, type LifecycleSettings } from './lifecycle';
import type { VvpVersion } from './model';
import { Platform, type PlatformSettings } from './platform';
import type { RandomSource } from './random';
import { Journal, SimulatorStore } from './store';

export interface InstallationSettings
  extends LifecycleSettings, AppManagerSettings, PlatformSettings {
  namespaceTerminationMs: number;
}

/** The simulated installation's state and the rules acting on it; rebuilt on reset. */
export class SimulatedInstallation {
  /** Undo log of the write in progress: the simulator commits a request only once it can answer it. */
  readonly journal = new Journal();
  readonly store = new SimulatorStore(this.journal);
  readonly agenda: Agenda;
  readonly appManager: AppManager;
  readonly platform: Platform;

  constructor(deps: {
    clock: SimulatedTime;
    random: RandomSource;
    version: VvpVersion;
    settings: () => InstallationSettings;
  }) {
    const { clock, random, version, settings } = deps;
    this.agenda = new Agenda(clock, this.journal);
    const lifecycle = new DeploymentLifecycle(this.agenda, random, settings, (namespace) => {
      this.platform.forget(namespace);
    });
    this.appManager = new AppManager({
      store: this.store,
      lifecycle,
      clock,
      random,
      version,
      settings,
    });
    this.platform = new Platform({
      store: this.store,
      agenda: this.agenda,
      clock,
      random,
      terminationMs: () => settings().namespaceTerminationMs,
      settings,
      teardown: (namespace, at) => {
        this.appManager.teardown(namespace, at);
      },
    });
    this.platform.bootstrap();
  }

  /** Brings every transition up to the current simulated time; call before each request. */
  catchUp(): void {
    this.agenda.runDue();
  }

  /** Runs a write whole or not at all: any exception takes back what it changed. */
  transact<T>(write: () => T): T {
    this.journal.begin();
    try {
      const result = write();
      this.journal.commit();
      return result;
    } catch (error) {
      this.journal.rollback();
      throw error;
    }
  }
}
