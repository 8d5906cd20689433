/** Schemas every kind shares: operator-only spec fields, conditions, the status base. */
import type { TObject } from '@sinclair/typebox';
import { dnsLabel, immutableField } from './formats';
import {
  array,
  boolean,
  integer,
  object,
  optional,
  string,
  stringEnum,
  stringMap,
  type CelRule,
  type Static,
} from './schema';

export const DEFAULT_VVP_NAMESPACE = 'default';
export const DEFAULT_TOKEN_KEY = 'token';
/** Label keys with this prefix on VVP objects are the operator's ownership marks. */
export const RESERVED_LABEL_PREFIX = 'vpoperator.dev/';

export const DELETION_POLICIES = ['Delete', 'Orphan'] as const;
/** `spec.deletionPolicy` of most kinds; VpDeployment adds `SavepointThenDelete`. */
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];

/** `spec.deletionPolicy`, with the values and default of one kind. */
export function deletionPolicySchema<const Values extends readonly string[]>(
  values: Values,
  defaultValue: Values[number],
  explanation: string,
) {
  return stringEnum(
    `What happens in VVP when this object is deleted. ${explanation} Default ${defaultValue}.`,
    values,
    { default: defaultValue },
  );
}

export const SecretKeyRefSchema = object(
  'A key of a Secret in the same Kubernetes namespace as this object.',
  {
    name: string('Name of the Secret.', { minLength: 1, maxLength: 253 }),
    key: optional(
      string(`Key in the Secret's data. Default "${DEFAULT_TOKEN_KEY}".`, {
        minLength: 1,
        maxLength: 253,
        default: DEFAULT_TOKEN_KEY,
      }),
    ),
  },
);
export type SecretKeyRef = Static<typeof SecretKeyRefSchema>;

export function localObjectRefSchema(description: string) {
  return object(description, {
    name: string('Name of the object, in the same Kubernetes namespace as this one.', {
      minLength: 1,
      maxLength: 253,
    }),
  });
}
export type LocalObjectRef = Static<ReturnType<typeof localObjectRefSchema>>;

/** The operator-only fields directly under every kind's `spec`. */
export const managedSpecProperties = {
  apiTokenSecretRef: optional(
    object(
      "The Secret holding the VVP API token for this object's VVP namespace, in the same Kubernetes namespace. Without it the operator uses APPMANAGER_API_TOKEN_<NAMESPACE>, APPMANAGER_API_TOKEN, or an owner token it creates and keeps in its own namespace. Reading such Secrets needs the operator's opt-in permission.",
      SecretKeyRefSchema.properties,
    ),
  ),
};

/** The operator-only fields of every kind's spec; VpDeployment allows one more deletion policy. */
export type ManagedSpec<Policy extends string = DeletionPolicy> = Static<
  TObject<typeof managedSpecProperties>
> & { deletionPolicy?: Policy };

/** Kubernetes `metav1.Condition`, with the API server's own limits. */
export const ConditionSchema = object('A condition of this object, as in metav1.Condition.', {
  type: string(
    'Condition type in CamelCase: Ready (the VVP object is usable) or Synced (the last reconcile succeeded).',
    {
      minLength: 1,
      maxLength: 316,
    },
  ),
  status: stringEnum('True, False or Unknown.', ['True', 'False', 'Unknown'] as const),
  observedGeneration: optional(
    integer('The metadata.generation the condition was computed from.', { minimum: 0 }),
  ),
  lastTransitionTime: string('When status last changed (not reason or message).', {
    format: 'date-time',
  }),
  reason: string('Machine-readable cause in CamelCase, e.g. Available or ReconcileError.', {
    minLength: 1,
    maxLength: 1024,
    pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
  }),
  message: string('What happened and, when something is wrong, what to do.', {
    maxLength: 32768,
  }),
});

export const PendingOperationSchema = object(
  'An intent recorded before a VVP call that is not idempotent, so that after a crash the next reconcile looks for the result instead of repeating the call. Cleared once the outcome is known.',
  {
    operation: stringEnum('The pending call.', ['Create'] as const),
    vvpNamespace: string('The VVP namespace the call goes to.', { maxLength: 63 }),
    name: string(
      'The VVP name of the object being created (for a savepoint, which VVP does not name: the VVP deployment id).',
      { maxLength: 253 },
    ),
    startedAt: string('When the intent was recorded.', { format: 'date-time' }),
  },
);
export type PendingOperation = Static<typeof PendingOperationSchema>;

/** The status members every kind has. */
export const managedStatusProperties = {
  observedGeneration: optional(
    integer('The metadata.generation of the spec last reconciled.', { minimum: 0 }),
  ),
  conditions: optional(
    array('Ready and Synced, with reasons and messages.', ConditionSchema, {
      listType: 'map',
      mapKeys: ['type'],
      maxItems: 16,
    }),
  ),
  id: optional(string("VVP's id of the object (metadata.id), where VVP has one.")),
  resourceVersion: optional(
    integer("VVP's metadata.resourceVersion of the object when last observed.", {
      format: 'int32',
    }),
  ),
  lastSyncTime: optional(
    string('When the operator last compared this object with VVP successfully.', {
      format: 'date-time',
    }),
  ),
  lastHandledReconcileAt: optional(
    string(
      'The value of the vpoperator.dev/reconcile-requested-at annotation that was last acted on.',
    ),
  ),
  pendingOperation: optional(PendingOperationSchema),
  adopted: optional(
    boolean(
      'True when the VVP object existed before this resource and was taken over through the vpoperator.dev/adopt annotation.',
    ),
  ),
};

export type ManagedStatus = Static<TObject<typeof managedStatusProperties>>;

/** `labels` of a VVP object: the operator's ownership labels are reserved. */
export function vvpLabelsSchema(what: string) {
  return stringMap(
    `Labels of the VVP ${what}. Keys starting with "${RESERVED_LABEL_PREFIX}" are reserved for the labels with which the operator marks the objects it owns.`,
    {
      maxProperties: 64,
      validations: [
        {
          rule: `self.all(key, !key.startsWith('${RESERVED_LABEL_PREFIX}'))`,
          message: `label keys starting with "${RESERVED_LABEL_PREFIX}" are set by the operator; remove them`,
        },
      ],
    },
  );
}

export function vvpAnnotationsSchema(what: string) {
  return stringMap(`Annotations of the VVP ${what}.`);
}

/** `spec.metadata.namespace`: the VVP namespace, immutable (moving means recreating). */
export const vvpNamespaceFieldSchema = dnsLabel(
  `The VVP namespace. Default "${DEFAULT_VVP_NAMESPACE}". Immutable.`,
  { default: DEFAULT_VVP_NAMESPACE },
);

/** `spec.metadata.name` if set, else `metadata.name`: the VVP name, as a CEL expression. */
function effectiveName(object: 'self' | 'oldSelf'): string {
  return `(has(${object}.spec.metadata.name) ? ${object}.spec.metadata.name : ${object}.metadata.name)`;
}

/**
 * Rules on the whole object for kinds whose VVP name is `spec.metadata.name`, defaulting to
 * `metadata.name`: the name VVP will get must be valid there (a Kubernetes name may contain
 * dots, VVP names may not) and may never change (VVP names are immutable; a new name would
 * be a new VVP object).
 */
export function vvpNameRules(what: string, namePattern: string, maxLength: number): CelRule[] {
  return [
    {
      rule: `has(self.spec.metadata.name) || (size(self.metadata.name) <= ${maxLength} && self.metadata.name.matches('${namePattern}'))`,
      messageExpression: `'metadata.name "' + self.metadata.name + '" cannot be the name of the VVP ${what} (VVP accepts ${namePattern}, at most ${maxLength} characters): set spec.metadata.name'`,
    },
    {
      rule: `${effectiveName('self')} == ${effectiveName('oldSelf')}`,
      messageExpression: `'the VVP name of this ${what} is immutable: it is "' + ${effectiveName('oldSelf')} + '" (spec.metadata.name, or metadata.name when that is absent); to rename, create a new object'`,
    },
  ];
}

/** `spec.metadata.namespace` may not change: the rule sits on `spec.metadata`. */
export const VVP_NAMESPACE_IMMUTABLE = immutableField(
  '__namespace__',
  'spec.metadata.namespace',
  'an object in another VVP namespace is a different VVP object; create a new resource for it',
);
