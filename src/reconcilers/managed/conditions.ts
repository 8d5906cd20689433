import type { ConditionUpdate } from '../../controller';

/** The Ready and Synced condition updates every reconciler of this package reports. */
export function synced(message: string): ConditionUpdate {
  return { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', message };
}

export function notSynced(reason: string, message: string): ConditionUpdate {
  return { type: 'Synced', status: 'False', reason, message };
}

export function ready(message: string): ConditionUpdate {
  return { type: 'Ready', status: 'True', reason: 'Available', message };
}

export function notReady(reason: string, message: string): ConditionUpdate {
  return { type: 'Ready', status: 'False', reason, message };
}
