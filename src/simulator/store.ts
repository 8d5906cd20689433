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
  /** Its namespace is being deleted: the job is stopped, then the deployment removed. */
  tearingDown?: boolean;
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

/**
 * The undo log of one request: every write to the store while a transaction is open records
 * how to take it back, so a request that fails at any stage leaves the store as it found it.
 *
 * Map membership is journaled by `JournaledMap`; objects changed in place (a deployment's
 * metadata, a job's status) are saved whole by `preserve` before the first change.
 */
export class Journal {
  #undo: (() => void)[] | undefined;
  #preserved = new WeakSet<object>();

  get active(): boolean {
    return this.#undo !== undefined;
  }

  begin(): void {
    if (this.#undo !== undefined)
      throw new Error('simulator journal: a transaction is already open');
    this.#undo = [];
    this.#preserved = new WeakSet();
  }

  /** Registers how to take back a write; a no-op outside a transaction. */
  onUndo(undo: () => void): void {
    this.#undo?.push(undo);
  }

  /**
   * Saves a plain object's own properties (deeply) the first time it is about to change within
   * the transaction; a rollback puts them back into the same object, so references stay valid.
   */
  preserve(target: object | undefined): void {
    if (this.#undo === undefined || target === undefined || this.#preserved.has(target)) return;
    this.#preserved.add(target);
    const fields = target as Record<string, unknown>;
    const saved = structuredClone({ ...fields });
    this.#undo.push(() => {
      for (const key of Object.keys(fields)) Reflect.deleteProperty(fields, key);
      Object.assign(fields, saved);
    });
  }

  commit(): void {
    this.#undo = undefined;
  }

  /** Takes back every write of the open transaction, newest first. */
  rollback(): void {
    const undo = this.#undo ?? [];
    this.#undo = undefined;
    for (let i = undo.length - 1; i >= 0; i--) undo[i]?.();
  }
}

/** A Map whose changes are recorded in a journal while a transaction is open. */
export class JournaledMap<K, V> extends Map<K, V> {
  #journal: Journal | undefined;

  constructor(journal: Journal) {
    super();
    this.#journal = journal;
  }

  override set(key: K, value: V): this {
    if (this.#journal?.active === true) this.#remember(key);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    if (this.#journal?.active === true && super.has(key)) this.#remember(key);
    return super.delete(key);
  }

  override clear(): void {
    if (this.#journal?.active === true) {
      const entries = [...super.entries()];
      this.#journal.onUndo(() => {
        for (const [key, value] of entries) super.set(key, value);
      });
    }
    super.clear();
  }

  #remember(key: K): void {
    const had = super.has(key);
    const previous = super.get(key);
    this.#journal?.onUndo(() => {
      if (had) super.set(key, previous as V);
      else super.delete(key);
    });
  }
}

/** Everything that lives inside one VVP namespace. */
export class NamespaceState {
  readonly deployments: Map<string, DeploymentRecord>;
  /** Deployment name → record, so that addressing by name does not scan the namespace. */
  readonly deploymentsByName: Map<string, DeploymentRecord>;
  readonly targets: Map<string, DeploymentTarget>;
  readonly jobs: Map<string, JobRecord>;
  readonly savepoints: Map<string, SavepointRecord>;
  readonly #events: VvpEvent[] = [];
  /** Clients poll events per deployment; the index keeps that independent of namespace size. */
  readonly #eventsByDeployment: Map<string, VvpEvent[]>;
  readonly tokens: Map<string, TokenRecord>;
  readonly #journal: Journal;
  /** Set once the namespace's termination time has passed while content was still being torn down. */
  terminationDue = false;

  constructor(
    readonly name: string,
    public platform: PlatformNamespace,
    public defaults: DeploymentDefaults,
    journal: Journal = new Journal(),
  ) {
    this.#journal = journal;
    this.deployments = new JournaledMap(journal);
    this.deploymentsByName = new JournaledMap(journal);
    this.targets = new JournaledMap(journal);
    this.jobs = new JournaledMap(journal);
    this.savepoints = new JournaledMap(journal);
    this.#eventsByDeployment = new JournaledMap(journal);
    this.tokens = new JournaledMap(journal);
  }

  get terminating(): boolean {
    return this.platform.lifecyclePhase === 'LIFECYCLE_PHASE_TERMINATING';
  }

  addEvent(event: VvpEvent): void {
    this.#events.push(event);
    this.#journal.onUndo(() => this.#events.pop());
    const deploymentId = event.metadata.deploymentId;
    if (deploymentId === undefined) return;
    const events = this.#eventsByDeployment.get(deploymentId);
    if (events === undefined) this.#eventsByDeployment.set(deploymentId, [event]);
    else {
      events.push(event);
      this.#journal.onUndo(() => events.pop());
    }
  }

  /** Adds a deployment under its id and its name. */
  putDeployment(record: DeploymentRecord): void {
    this.deployments.set(record.resource.metadata.id, record);
    this.deploymentsByName.set(record.resource.metadata.name, record);
  }

  /** Removes a deployment, its jobs, and its name from the index (if the name still points at it). */
  removeDeployment(record: DeploymentRecord): void {
    const { id, name } = record.resource.metadata;
    this.deployments.delete(id);
    if (this.deploymentsByName.get(name) === record) this.deploymentsByName.delete(name);
    for (const [jobId, job] of this.jobs) {
      if (job.resource.metadata.deploymentId === id) this.jobs.delete(jobId);
    }
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
    this.deploymentsByName.clear();
    this.targets.clear();
    this.jobs.clear();
    this.savepoints.clear();
    const events = this.#events.splice(0);
    this.#journal.onUndo(() => {
      for (const event of events) this.#events.push(event);
    });
    this.#eventsByDeployment.clear();
    this.tokens.clear();
  }
}

export class SimulatorStore {
  readonly journal: Journal;
  readonly namespaces: Map<string, NamespaceState>;

  constructor(journal: Journal = new Journal()) {
    this.journal = journal;
    this.namespaces = new JournaledMap(journal);
  }

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
