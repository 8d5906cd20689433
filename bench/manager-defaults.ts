// The manager's defaults the benchmark's figures and bounds depend on, read from its option
// table (src/config/options.ts) so that they cannot drift from what bin/manager runs with.
import { OPTIONS } from '../src/config/options';
import { parseDuration } from '../src/config/values';

function defaultOf(flag: string): string | number | boolean {
  const value = OPTIONS.find((option) => option.flag === flag)?.default;
  if (value === undefined) throw new Error(`the manager has no default for --${flag}`);
  return value;
}

/** The manager's defaults the figures depend on, from its option table. */
export const MANAGER_DEFAULTS = {
  vvpRequestsPerSecond: Number(defaultOf('vvp-requests-per-second')),
  vvpMaxInFlight: Number(defaultOf('vvp-max-in-flight')),
  maxConcurrentReconciles: Number(defaultOf('max-concurrent-reconciles')),
  resyncPeriodSeconds: parseDuration(String(defaultOf('resync-period'))) / 1000,
  /** The reconcilers' poll interval while VVP transitions (ManagedReconciler's default). */
  transitionPollSeconds: 5,
};
