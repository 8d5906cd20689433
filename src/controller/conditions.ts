/** `metav1.Condition.status`. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A Kubernetes-style condition, shaped like `metav1.Condition`. */
export interface Condition {
  /** CamelCase, e.g. `Ready`, `Synced`. */
  type: string;
  status: ConditionStatus;
  /** CamelCase machine-readable cause, e.g. `ReconcileError`. */
  reason: string;
  /** Human-readable details; may be empty. */
  message: string;
  /** RFC 3339 time of the last change of `status` (not of reason or message). */
  lastTransitionTime: string;
  /** The `metadata.generation` the condition was computed from. */
  observedGeneration?: number;
}

/** The parts of a condition a reconciler decides; times and generations are filled in. */
export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason: string;
  message?: string;
}

// The validation patterns of metav1.Condition (apimachinery), so a bad condition fails here
// with a clear message rather than as a 422 from the API server.
const TYPE_PATTERN =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
const REASON_PATTERN = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const MAX_MESSAGE_LENGTH = 32_768;

/** metav1.Time: RFC 3339 with whole seconds. */
export function toKubernetesTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/**
 * Returns `conditions` with `update` applied: a new condition is appended, an existing one
 * gets the new status, reason, message and generation, and keeps its `lastTransitionTime`
 * unless its `status` flips. The input is not modified; when nothing changes the result is
 * deep-equal to the input, so a status write can be skipped.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  options: { now: Date; observedGeneration?: number },
): Condition[] {
  validateCondition(update);
  const existing = findCondition(conditions, update.type);
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message ?? '',
    lastTransitionTime:
      existing !== undefined && existing.status === update.status
        ? existing.lastTransitionTime
        : toKubernetesTime(options.now),
    ...(options.observedGeneration === undefined
      ? {}
      : { observedGeneration: options.observedGeneration }),
  };
  if (existing === undefined) return [...(conditions ?? []), next];
  return (conditions ?? []).map((condition) => (condition === existing ? next : condition));
}

function validateCondition(update: ConditionUpdate): void {
  if (!TYPE_PATTERN.test(update.type) || update.type.length > 316) {
    throw new Error(
      `condition type ${JSON.stringify(update.type)} is invalid: use a CamelCase name such as "Ready", optionally prefixed by a DNS subdomain and "/"`,
    );
  }
  if (!REASON_PATTERN.test(update.reason) || update.reason.length > 1024) {
    throw new Error(
      `condition ${update.type}: reason ${JSON.stringify(update.reason)} is invalid: use a CamelCase word such as "ReconcileError" (letters, digits, "_", "," or ":")`,
    );
  }
  if (!['True', 'False', 'Unknown'].includes(update.status)) {
    throw new Error(
      `condition ${update.type}: status ${JSON.stringify(update.status)} is invalid: use "True", "False" or "Unknown"`,
    );
  }
  if ((update.message ?? '').length > MAX_MESSAGE_LENGTH) {
    throw new Error(
      `condition ${update.type}: message is ${update.message?.length ?? 0} characters long; the API server accepts at most ${MAX_MESSAGE_LENGTH}`,
    );
  }
}
