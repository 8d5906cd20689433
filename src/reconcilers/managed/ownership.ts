import { OWNER_LABELS, type PendingOperation } from '../../api';
import type { ExternalIdentity, ManagedResource, VvpLocation } from './types';

const MAX_LABEL_VALUE = 63;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Clocks of VVP and the operator may disagree; a namespace VVP created more than this before
 * our recorded create intent existed before it, so it cannot be ours.
 */
export const CLOCK_SKEW_TOLERANCE_MS = 60_000;

/** A label value as VVP and Kubernetes accept it (≤ 63 characters, alphanumeric ends). */
export function isValidLabelValue(value: string): boolean {
  return value.length <= MAX_LABEL_VALUE && LABEL_VALUE.test(value);
}

/**
 * The labels marking a VVP object as `owner`'s. Values that are not valid label values (names
 * longer than 63 characters) are left out: the uid alone decides ownership, the other labels
 * only help a person reading VVP.
 */
export function ownerLabelsFor(
  owner: ManagedResource,
  instanceId: string | undefined,
): Record<string, string> {
  const labels: Record<string, string> = {};
  const candidates: [string, string | undefined][] = [
    [OWNER_LABELS.kind, owner.kind],
    [OWNER_LABELS.namespace, owner.metadata?.namespace],
    [OWNER_LABELS.name, owner.metadata?.name],
    [OWNER_LABELS.uid, owner.metadata?.uid],
    [OWNER_LABELS.instance, instanceId],
  ];
  for (const [key, value] of candidates) {
    if (value !== undefined && value !== '' && isValidLabelValue(value)) labels[key] = value;
  }
  return labels;
}

/** Whether a label key is one the operator sets; CRs may not set these themselves. */
export function isOwnerLabelKey(key: string): boolean {
  return Object.values<string>(OWNER_LABELS).includes(key);
}

/** Who an observed VVP object belongs to, from this CR's point of view. */
export type Ownership =
  /** Ours: created (or adopted) by this CR; `proof` says how we know, for logs. */
  | { owner: 'us'; proof: 'ownerLabel' | 'statusId' | 'createIntent' }
  /** Not ours; `holder` describes another owner when the object names one. */
  | { owner: 'other'; holder: string | undefined };

/**
 * Decides whether `identity` is `object`'s VVP object. The owner-uid label is decisive where
 * VVP has labels; `status.id` proves an object we created or adopted earlier (also when a
 * label was removed behind our back). For kinds without labels, a create intent recorded for
 * this very location proves the object is the one our interrupted create made, unless VVP
 * created it before the intent was recorded.
 */
export function judgeOwnership(
  object: ManagedResource,
  location: VvpLocation,
  identity: ExternalIdentity,
): Ownership {
  const uid = object.metadata?.uid;
  const labelledUid = identity.labels?.[OWNER_LABELS.uid];
  if (labelledUid !== undefined && labelledUid === uid) return { owner: 'us', proof: 'ownerLabel' };
  if (object.status?.id !== undefined && object.status.id === identity.id) {
    return { owner: 'us', proof: 'statusId' };
  }
  if (labelledUid !== undefined) return { owner: 'other', holder: describeHolder(identity) };
  if (
    identity.labels === undefined &&
    isOurCreate(object.status?.pendingOperation, location, identity)
  ) {
    return { owner: 'us', proof: 'createIntent' };
  }
  return { owner: 'other', holder: undefined };
}

function isOurCreate(
  intent: PendingOperation | undefined,
  location: VvpLocation,
  identity: ExternalIdentity,
): boolean {
  if (intent?.operation !== 'Create') return false;
  if (intent.vvpNamespace !== location.vvpNamespace || intent.name !== location.name) return false;
  if (identity.createdAt === undefined) return true;
  const created = Date.parse(identity.createdAt);
  const intended = Date.parse(intent.startedAt);
  if (Number.isNaN(created) || Number.isNaN(intended)) return true;
  return created >= intended - CLOCK_SKEW_TOLERANCE_MS;
}

function describeHolder(identity: ExternalIdentity): string {
  const labels = identity.labels ?? {};
  const kind = labels[OWNER_LABELS.kind] ?? 'another resource';
  const namespace = labels[OWNER_LABELS.namespace];
  const name = labels[OWNER_LABELS.name];
  const where =
    name === undefined ? '' : ` ${namespace === undefined ? name : `${namespace}/${name}`}`;
  const instance = labels[OWNER_LABELS.instance];
  return `${kind}${where} (uid ${labels[OWNER_LABELS.uid] ?? '?'}${instance === undefined ? '' : `, operator instance ${instance}`})`;
}
