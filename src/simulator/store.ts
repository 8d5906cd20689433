import type { JsonObject } from '../json';
import type {
  ApiToken,
  Deployment,
  DeploymentDefaults,
  DeploymentTarget,
  Job,
  PlatformNamespace,
  ResourceMetadata,
  Savepoint,
  VvpEvent,
} from './model';

export interface DeploymentRecord {
  resource: Deployment;
  /** Bumped on every spec change; mirrored in the spec.version annotation. */
  specVersion: number;
  /** The job that is not yet terminal, if any (VVP runs at most one per deployment). */
  currentJobId?: string;
  /** The SUSPEND / SUSPEND_AND_UPGRADE savepoint taken of the current job. */
  transitionSavepointId?: string;
  failedSavepointAttempts: number;
  failedJobAttempts: number;
  /** FAILED and FINISHED are final until the spec changes: the spec version they ended at. */
  haltedAtSpecVersion?: number;
  /** Savepoints of the deployment still STARTED (manual and transition ones). */
  savepointsInFlight: Set<string>;
}

export interface JobRecord {
  resource: Job;
  /** What the job was started from (template and target); a difference means an upgrade. */
  runtimeSpec: JsonObject;
  /** When the job's STARTING or TERMINATING phase ends. */
  dueAt?: number;
}

export interface SavepointRecord {
  resource: Savepoint;
  /** When a STARTED savepoint completes or fails. */
  dueAt?: number;
}

export interface TokenRecord {
  token: ApiToken;
  secret: string;
}

/** Everything that lives inside one VVP namespace. */
export class NamespaceState {
  readonly deployments = new Map<string, DeploymentRecord>();
  readonly targets = new Map<string, DeploymentTarget>();
  readonly jobs = new Map<string, JobRecord>();
  readonly savepoints = new Map<string, SavepointRecord>();
  readonly #events: VvpEvent[] = [];
  /** Clients poll events per deployment; the index keeps that independent of namespace size. */
  readonly #eventsByDeployment = new Map<string, VvpEvent[]>();
  readonly tokens = new Map<string, TokenRecord>();

  constructor(
    readonly name: string,
    public platform: PlatformNamespace,
    public defaults: DeploymentDefaults,
  ) {}

  get terminating(): boolean {
    return this.platform.lifecyclePhase === 'LIFECYCLE_PHASE_TERMINATING';
  }

  addEvent(event: VvpEvent): void {
    this.#events.push(event);
    const deploymentId = event.metadata.deploymentId;
    if (deploymentId === undefined) return;
    const events = this.#eventsByDeployment.get(deploymentId);
    if (events === undefined) this.#eventsByDeployment.set(deploymentId, [event]);
    else events.push(event);
  }

  /** Events in the order they happened, of one deployment when given. */
  events(deploymentId?: string): readonly VvpEvent[] {
    return deploymentId === undefined
      ? this.#events
      : (this.#eventsByDeployment.get(deploymentId) ?? []);
  }

  /** Drops the namespace's content (a namespace being deleted keeps only its shell). */
  clearContent(): void {
    this.deployments.clear();
    this.targets.clear();
    this.jobs.clear();
    this.savepoints.clear();
    this.#events.length = 0;
    this.#eventsByDeployment.clear();
    this.tokens.clear();
  }
}

export class SimulatorStore {
  readonly namespaces = new Map<string, NamespaceState>();

  /** Token secret → where the token lives, for authentication. */
  findToken(secret: string): { namespace: NamespaceState; record: TokenRecord } | undefined {
    for (const namespace of this.namespaces.values()) {
      for (const record of namespace.tokens.values()) {
        if (record.secret === secret) return { namespace, record };
      }
    }
    return undefined;
  }

  clear(): void {
    this.namespaces.clear();
  }
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Records a write: VVP bumps `resourceVersion` on every one, even when nothing changed. */
export function touch(metadata: ResourceMetadata, at: number): void {
  metadata.resourceVersion += 1;
  metadata.modifiedAt = isoTime(at);
}
