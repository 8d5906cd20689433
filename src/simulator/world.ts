import { Agenda } from './agenda';
import { AppManager } from './appmanager';
import type { Clock } from './clock';
import { DeploymentLifecycle, type LifecycleSettings } from './lifecycle';
import type { VvpVersion } from './model';
import { Platform } from './platform';
import type { RandomSource } from './random';
import { SimulatorStore } from './store';

export interface WorldSettings extends LifecycleSettings {
  namespaceTerminationMs: number;
}

/** The simulated installation's state and the rules acting on it; rebuilt on reset. */
export class World {
  readonly store = new SimulatorStore();
  readonly agenda: Agenda;
  readonly appManager: AppManager;
  readonly platform: Platform;

  constructor(deps: {
    clock: Clock;
    random: RandomSource;
    version: VvpVersion;
    settings: () => WorldSettings;
  }) {
    const { clock, random, version, settings } = deps;
    this.agenda = new Agenda(clock);
    const lifecycle = new DeploymentLifecycle(this.agenda, random, settings);
    this.appManager = new AppManager({ store: this.store, lifecycle, clock, random, version });
    this.platform = new Platform({
      store: this.store,
      agenda: this.agenda,
      clock,
      random,
      terminationMs: () => settings().namespaceTerminationMs,
    });
    this.platform.bootstrap();
  }

  /** Brings every transition up to the current simulated time; call before each request. */
  catchUp(): void {
    this.agenda.runDue();
  }
}
