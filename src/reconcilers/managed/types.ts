import type {
  CacheReader,
  ConditionUpdate,
  EventSink,
  EventSpec,
  KubeObject,
  ResourceDescriptor,
} from '../../controller';
import type { ManagedStatus, SecretKeyRef } from '../../api';
import type { Logger } from '../../logging';
import type { VvpSession } from './session';

/**
 * A custom resource the shared reconciler can drive: the operator-only spec fields every kind
 * has, and the status every kind reports. `deletionPolicy` is a plain string here because
 * kinds widen it (VpDeployment adds `SavepointThenDelete`); `Orphan` is the only value the
 * machinery itself interprets.
 */
export interface ManagedResource extends KubeObject {
  spec?: { deletionPolicy?: string; apiTokenSecretRef?: SecretKeyRef };
  status?: ManagedStatus;
}

/** Where a CR's VVP object lives. */
export interface VvpLocation {
  /** The VVP namespace (for a VpNamespace: the namespace itself). */
  vvpNamespace: string;
  /** The VVP object's name. */
  name: string;
}

/** What the machinery needs to know about an observed VVP object to judge who owns it. */
export interface ExternalIdentity {
  /** VVP's id (`metadata.id`), or its resource name for kinds without ids (namespaces). */
  id: string;
  resourceVersion?: number | undefined;
  /** The object's labels; undefined for VVP kinds without labels. */
  labels?: Readonly<Record<string, string>> | undefined;
  /** When VVP created it (RFC 3339), to judge a pending create of a kind without labels. */
  createdAt?: string | undefined;
}

/** What VVP allowed an update to do. */
export type UpdateOutcome<O> =
  | { outcome: 'updated'; observed: O; note: string }
  /** VVP cannot make this change in place; `reason` is the Synced reason (e.g. RecreateRequired). */
  | { outcome: 'refused'; reason: string; message: string };

/** Where a deletion stands. */
export type DeleteOutcome =
  | { outcome: 'deleted' }
  /** VVP is working on it (e.g. a namespace TERMINATING): ask again soon. */
  | { outcome: 'inProgress'; ready: ConditionUpdate }
  /** VVP refuses for now (e.g. a target still in use): retry with growing delays. */
  | { outcome: 'blocked'; reason: string; message: string };

/** How an observed object is doing, in the kind's words. */
export interface ExternalReport {
  /** The Ready condition (Available, Creating, Unavailable, Terminating …). */
  ready: ConditionUpdate;
  /** VVP is still moving (a namespace TERMINATING, a deployment TRANSITIONING): poll fast. */
  transitioning: boolean;
  /** Kind-specific status members (e.g. `lifecyclePhase`); undefined values remove members. */
  status: Record<string, unknown>;
}

/**
 * A kind's VVP specifics for one CR during one reconcile, modelled on crossplane-runtime's
 * `ExternalClient`: observe, create, update, delete, and how to report. Everything that is the
 * same for every kind (ownership, crash-safe creation, adoption, pausing, deletion policy,
 * error mapping, conditions, events, requeue cadence) lives in {@link ManagedReconciler}.
 * Methods throw VVP errors as they come (src/vvp); the machinery maps them.
 */
export interface ExternalClient<O> {
  /** Reads the VVP object the CR names; undefined when VVP has none. */
  observe(): Promise<O | undefined>;
  identify(observed: O): ExternalIdentity;
  /**
   * The fields the CR manages that differ in `observed`, as CR field paths (e.g.
   * `spec.spec.kubernetes.namespace`); empty when VVP matches. Owner labels count, so an
   * adopted object gets labelled.
   */
  diff(observed: O): readonly string[];
  /** Creates the VVP object (a non-idempotent call: the machinery has recorded its intent). */
  create(): Promise<O>;
  /** Writes only the differing fields `paths` names. */
  update(observed: O, paths: readonly string[]): Promise<UpdateOutcome<O>>;
  delete(observed: O): Promise<DeleteOutcome>;
  report(observed: O): ExternalReport;
  /** Runs once the VVP object is gone under deletion policy Delete (e.g. release a token). */
  afterDeletion?(): Promise<void>;
}

/** What a kind gets to talk to VVP for one CR. */
export interface Connection {
  /** VVP call options (signal, credentials) for this CR. */
  session: VvpSession;
  /** The labels that mark a VVP object as this CR's (for kinds whose VVP model has labels). */
  ownerLabels: Readonly<Record<string, string>>;
  logger: Logger;
  /** The informer caches (the kind's own and its watched kinds), e.g. a referenced CR. */
  cache: CacheReader;
  /** Posts an Event about the CR through the deduplicating recorder, for kind-specific news. */
  event(event: EventSpec): void;
  /** The Event sink itself, for Events with deterministic names (mirrored VVP events). */
  events: Pick<EventSink, 'postOnce'>;
}

/** One kind's plug-in to the shared reconciler. */
export interface ManagedKind<T extends ManagedResource, O> {
  resource: ResourceDescriptor;
  /**
   * How the operator proves a VVP object is this CR's: `labels` (owner labels on the object,
   * for targets and deployments) or `intent` (VVP namespaces have no labels: the recorded
   * create intent, then `status.id`).
   */
  ownership: 'labels' | 'intent';
  locate(object: T): VvpLocation;
  /** What the CRD schema cannot check; each problem a sentence naming the field. */
  validate(object: T): readonly string[];
  /**
   * Keys of further objects the CR depends on (e.g. a referenced CR), besides its token Secret
   * and VVP namespace, for secondary watches that requeue dependants.
   */
  dependencies?(object: T): readonly string[];
  connect(object: T, connection: Connection): ExternalClient<O>;
}
