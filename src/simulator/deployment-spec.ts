import { isJsonObject, numberAt, objectAt, stringAt, type JsonObject } from '../json';
import { checkDnsLabel } from './names';
import { DESIRED_STATES, type DesiredState } from './model';

export type UpgradeStrategy = 'STATEFUL' | 'STATELESS' | 'NONE';
export type RestoreStrategy = 'LATEST_STATE' | 'LATEST_SAVEPOINT' | 'NONE';

/** The parts of a deployment spec the lifecycle acts on, with VVP's fallbacks applied. */
export interface DeploymentSpecView {
  state: DesiredState;
  upgradeStrategy: UpgradeStrategy;
  restoreStrategy: RestoreStrategy;
  allowNonRestoredState: boolean;
  deploymentTargetId?: string;
  maxSavepointCreationAttempts: number;
  maxJobCreationAttempts: number;
  template: JsonObject;
}

const UPGRADE_STRATEGIES: readonly UpgradeStrategy[] = ['STATEFUL', 'STATELESS', 'NONE'];
const RESTORE_STRATEGIES: readonly RestoreStrategy[] = ['LATEST_STATE', 'LATEST_SAVEPOINT', 'NONE'];
const DEFAULT_ATTEMPTS = 4;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((candidate) => candidate === value);
}

/**
 * Reads a stored deployment spec. Values were checked on the way in (`checkDeploymentSpec`),
 * so fallbacks here only cover absent fields.
 */
export function readDeploymentSpec(spec: JsonObject): DeploymentSpecView {
  const restore = objectAt(spec, 'restoreStrategy');
  return {
    state: oneOf(stringAt(spec, 'state'), DESIRED_STATES) ?? 'CANCELLED',
    upgradeStrategy:
      oneOf(stringAt(objectAt(spec, 'upgradeStrategy'), 'kind'), UPGRADE_STRATEGIES) ?? 'STATEFUL',
    restoreStrategy: oneOf(stringAt(restore, 'kind'), RESTORE_STRATEGIES) ?? 'LATEST_STATE',
    allowNonRestoredState: restore?.allowNonRestoredState === true,
    deploymentTargetId: stringAt(spec, 'deploymentTargetId'),
    maxSavepointCreationAttempts:
      numberAt(spec, 'maxSavepointCreationAttempts') ?? DEFAULT_ATTEMPTS,
    maxJobCreationAttempts: numberAt(spec, 'maxJobCreationAttempts') ?? DEFAULT_ATTEMPTS,
    template: objectAt(spec, 'template') ?? {},
  };
}

/**
 * The semantic checks VVP makes beyond the schema, for deployments and defaults alike. Returns a problem description naming the field, or undefined when the spec is usable.
 */
export function checkDeploymentSpec(spec: JsonObject): string | undefined {
  const upgrade = stringAt(objectAt(spec, 'upgradeStrategy'), 'kind');
  if (upgrade !== undefined && oneOf(upgrade, UPGRADE_STRATEGIES) === undefined) {
    return `spec.upgradeStrategy.kind '${upgrade}' is not supported; use one of ${UPGRADE_STRATEGIES.join(', ')}`;
  }
  const restore = stringAt(objectAt(spec, 'restoreStrategy'), 'kind');
  if (restore !== undefined && oneOf(restore, RESTORE_STRATEGIES) === undefined) {
    return `spec.restoreStrategy.kind '${restore}' is not supported; use one of ${RESTORE_STRATEGIES.join(', ')}`;
  }
  for (const field of ['maxSavepointCreationAttempts', 'maxJobCreationAttempts']) {
    const attempts = numberAt(spec, field);
    if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 1)) {
      return `spec.${field} must be a positive integer, got ${attempts}`;
    }
  }
  return checkTemplateSpec(objectAt(objectAt(spec, 'template'), 'spec'));
}

/** The lowest CPU request VVP accepts since 2.3.1 (release notes 2.3.1). */
export const MIN_CPU = 0.1;

/** Flink's MemorySize syntax: a whole number, optional blanks and an optional unit (any case). */
const FLINK_MEMORY_SIZE =
  /^\s*\d+\s*(b|bytes|k|kb|kibibytes|m|mb|mebibytes|g|gb|gibibytes|t|tb|tebibytes)?\s*$/i;

/** Parallelism, task managers and per-component resources of a deployment template. */
function checkTemplateSpec(template: JsonObject | undefined): string | undefined {
  for (const field of ['parallelism', 'numberOfTaskManagers']) {
    const value = numberAt(template, field);
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      return `spec.template.spec.${field} must be an integer of at least 1, got ${value}`;
    }
  }
  for (const [component, resources] of Object.entries(objectAt(template, 'resources') ?? {})) {
    const field = `spec.template.spec.resources.${component}`;
    if (!isJsonObject(resources)) continue;
    const cpu = numberAt(resources, 'cpu');
    if (cpu !== undefined && !(cpu >= MIN_CPU)) {
      return `${field}.cpu must be at least ${MIN_CPU} (VVP 2.3.1 and later), got ${cpu}`;
    }
    const memory = stringAt(resources, 'memory');
    if (memory !== undefined && !FLINK_MEMORY_SIZE.test(memory)) {
      return (
        `${field}.memory '${memory}' is not a Flink memory size: a whole number with an optional ` +
        `unit b, k/kb, m/mb, g/gb or t/tb (e.g. 1g, 1536m)`
      );
    }
  }
  return undefined;
}

/**
 * A deployment target says where Flink runs: `spec.kubernetes` is required (VVP docs,
 * deployment targets) and its namespace, when given, is a Kubernetes namespace name.
 */
export function checkTargetSpec(spec: JsonObject | undefined): string | undefined {
  const kubernetes = objectAt(spec, 'kubernetes');
  if (kubernetes === undefined) {
    return 'spec.kubernetes is required: the Kubernetes namespace the target deploys to (spec.kubernetes.namespace)';
  }
  const namespace = stringAt(kubernetes, 'namespace');
  if (namespace === undefined) return undefined;
  return checkDnsLabel('spec.kubernetes.namespace', namespace);
}

/** A deployment's artifact must say what to run (defaults may leave it open). */
export function checkArtifact(spec: JsonObject): string | undefined {
  const artifact = objectAt(objectAt(objectAt(spec, 'template'), 'spec'), 'artifact');
  const kind = stringAt(artifact, 'kind');
  if (kind === undefined) return 'spec.template.spec.artifact.kind is required (JAR or SQLSCRIPT)';
  if (kind === 'JAR' && stringAt(artifact, 'jarUri') === undefined) {
    return 'spec.template.spec.artifact.jarUri is required for a JAR artifact';
  }
  if (kind === 'SQLSCRIPT' && stringAt(artifact, 'sqlScript') === undefined) {
    return 'spec.template.spec.artifact.sqlScript is required for a SQLSCRIPT artifact';
  }
  return undefined;
}
