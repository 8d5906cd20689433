/** VpDeployment: a VVP deployment, the Flink job it runs, its savepoints and restarts. */
import type { KubeObject } from '../controller';
import { VP_DEPLOYMENT } from './constants';
import {
  DELETION_POLICIES,
  deletionPolicySchema,
  localObjectRefSchema,
  managedSpecProperties,
  managedStatusProperties,
  vvpAnnotationsSchema,
  vvpLabelsSchema,
  vvpNameRules,
  vvpNamespaceFieldSchema,
  VVP_NAMESPACE_IMMUTABLE,
} from './common';
import {
  AGE_COLUMN,
  HEALTH_COLUMNS,
  VVP_ID_COLUMN,
  VVP_NAMESPACE_COLUMN,
  type KindDefinition,
} from './crd';
import { DNS_LABEL_MAX_LENGTH, DNS_LABEL_PATTERN, dnsLabel } from './formats';
import {
  array,
  integer,
  object,
  openObject,
  optional,
  string,
  stringEnum,
  type Static,
} from './schema';
import { DESIRED_DEPLOYMENT_STATES, vvpDeploymentSpecSchema } from './vvp-deployment-spec';

export const DEPLOYMENT_DELETION_POLICIES = [...DELETION_POLICIES, 'SavepointThenDelete'] as const;
export type DeploymentDeletionPolicy = (typeof DEPLOYMENT_DELETION_POLICIES)[number];

export const SYNCING_MODES = ['PATCH', 'PUT'] as const;
export type SyncingMode = (typeof SYNCING_MODES)[number];

export const OBSERVED_DEPLOYMENT_STATES = [
  ...DESIRED_DEPLOYMENT_STATES,
  'TRANSITIONING',
  'FAILED',
  'FINISHED',
] as const;
export type ObservedDeploymentState = (typeof OBSERVED_DEPLOYMENT_STATES)[number];

export const JOB_STATES = [
  'STARTING',
  'STANDBY',
  'STARTED',
  'TERMINATING',
  'FAILED',
  'TERMINATED',
  'FINISHED',
] as const;

export const SAVEPOINT_ORIGINS = [
  'USER_REQUEST',
  'SUSPEND',
  'SUSPEND_AND_UPGRADE',
  'COPIED',
  'RETAINED_CHECKPOINT',
] as const;
export const SAVEPOINT_STATES = ['STARTED', 'COMPLETED', 'FAILED'] as const;

/** How many of the newest VVP jobs `status.jobs` lists. */
export const MAX_LISTED_JOBS = 5;
/** How many VVP event ids with the cursor's time `status.eventCursor` remembers. */
export const MAX_CURSOR_EVENT_IDS = 64;

// Nonces are integers, as in Ververica's own operator and the Flink Kubernetes operator, so
// that manifests written for those work here; only a change of value matters.
function nonceSchema(action: string) {
  return integer(
    `Change to any other value to ${action}; the value itself has no meaning. Acted on once per change, also across operator restarts (the handled value is in status). A value already present when the deployment is created triggers nothing.`,
  );
}

export const VpDeploymentSpecSchema = object(
  'The desired VVP deployment.',
  {
    deletionPolicy: optional(
      deletionPolicySchema(
        DEPLOYMENT_DELETION_POLICIES,
        'Delete',
        'Delete: cancel the job, then delete the VVP deployment. SavepointThenDelete: suspend with a savepoint first (kept as a VpSavepoint that outlives this object), then delete. Orphan: leave the deployment and its job running.',
      ),
    ),
    ...managedSpecProperties,
    syncingMode: optional(
      stringEnum(
        'PATCH: the operator manages only the fields this resource sets; VVP and the deployment defaults fill the rest. PUT: this resource is the whole deployment; fields it omits are reset to their defaults. Default PATCH.',
        SYNCING_MODES,
        { default: 'PATCH' },
      ),
    ),
    initFields: optional(
      openObject(
        'A partial VVP Deployment ({metadata, spec}) merged into the create request only and never sent again, e.g. initial resources that people may tune in VVP afterwards. Only with syncingMode PATCH.',
      ),
    ),
    savepointNonce: optional(nonceSchema('take one savepoint (recorded as a VpSavepoint)')),
    restartNonce: optional(nonceSchema("restart the job through VVP's upgrade path")),
    deploymentTargetRef: optional(
      localObjectRefSchema(
        'The VpDeploymentTarget to deploy to, in the same Kubernetes namespace. The deployment waits (Synced=False, DependencyNotReady) until it is Ready. Alternatively set spec.spec.deploymentTargetName or spec.spec.deploymentTargetId, or leave all three out to use the namespace defaults.',
      ),
    ),
    metadata: optional(
      object(
        "VVP's metadata of the deployment.",
        {
          name: optional(
            dnsLabel(
              'The VVP name of the deployment (a DNS label, as VVP 2.4+ requires). Default metadata.name. Immutable.',
            ),
          ),
          namespace: optional(vvpNamespaceFieldSchema),
          displayName: optional(
            string('Name shown in the VVP UI (VVP 2.4 and later).', { maxLength: 1024 }),
          ),
          labels: optional(vvpLabelsSchema('deployment')),
          annotations: optional(vvpAnnotationsSchema('deployment')),
        },
        {
          default: {},
          validations: [VVP_NAMESPACE_IMMUTABLE],
        },
      ),
    ),
    spec: vvpDeploymentSpecSchema(
      "VVP's spec of the deployment, field for field: desired state, strategies, target and the job template.",
    ),
  },
  {
    validations: [
      {
        rule: "!has(self.initFields) || self.syncingMode == 'PATCH'",
        message:
          'initFields is only allowed with syncingMode PATCH: with PUT the resource is the whole deployment, so set those fields in spec.spec',
        fieldPath: '.initFields',
        reason: 'FieldValueForbidden',
      },
      {
        rule: '(has(self.deploymentTargetRef) ? 1 : 0) + (has(self.spec.deploymentTargetName) ? 1 : 0) + (has(self.spec.deploymentTargetId) ? 1 : 0) <= 1',
        message:
          'name the deployment target once: set only one of spec.deploymentTargetRef, spec.spec.deploymentTargetName and spec.spec.deploymentTargetId',
        fieldPath: '.deploymentTargetRef',
      },
    ],
  },
);
export type VpDeploymentSpec = Static<typeof VpDeploymentSpecSchema>;

export const FailureSchema = object('Why VVP reports a failure.', {
  message: optional(string("VVP's failure message.")),
  reason: optional(string("VVP's failure reason.")),
  failedAt: optional(string('When it failed.', { format: 'date-time' })),
});

const JobSummarySchema = object('One VVP job of the deployment.', {
  id: string('VVP job id.'),
  state: optional(stringEnum("VVP's job state.", JOB_STATES)),
  createdAt: optional(string('When VVP created the job.', { format: 'date-time' })),
  startedAt: optional(string('When the Flink job started.', { format: 'date-time' })),
  terminatedAt: optional(string('When the job ended.', { format: 'date-time' })),
  failure: optional(FailureSchema),
});
export type JobSummary = Static<typeof JobSummarySchema>;

export const SavepointSummarySchema = object('A VVP savepoint.', {
  id: string('VVP savepoint id.'),
  state: optional(stringEnum('STARTED, COMPLETED or FAILED.', SAVEPOINT_STATES)),
  location: optional(string('Where Flink wrote the savepoint (spec.savepointLocation).')),
  origin: optional(stringEnum('Why it was taken.', SAVEPOINT_ORIGINS)),
  createdAt: optional(string('When VVP created it.', { format: 'date-time' })),
});
export type SavepointSummary = Static<typeof SavepointSummarySchema>;

export const VpDeploymentStatusSchema = object('What the operator observed in VVP.', {
  ...managedStatusProperties,
  state: optional(
    stringEnum(
      "VVP's observed state (status.state): RUNNING, CANCELLED, SUSPENDED, TRANSITIONING while VVP works towards the desired state, FAILED or FINISHED.",
      OBSERVED_DEPLOYMENT_STATES,
    ),
  ),
  jobId: optional(string('Id of the running VVP job (status.running.jobId).')),
  running: optional(
    object("VVP's status.running: the running job.", {
      jobId: optional(string('Id of the running VVP job.')),
      transitionTime: optional(
        string('When the deployment last reached RUNNING.', { format: 'date-time' }),
      ),
      conditions: optional(
        array(
          "VVP's conditions of the running job.",
          object('One VVP condition.', {
            type: optional(string('Condition type.')),
            status: optional(
              stringEnum('True, False or Unknown.', ['True', 'False', 'Unknown'] as const),
            ),
            reason: optional(string('Machine-readable cause.')),
            message: optional(string('Details.')),
            lastTransitionTime: optional(
              string('When status last changed.', { format: 'date-time' }),
            ),
            lastUpdateTime: optional(string('When VVP last updated it.', { format: 'date-time' })),
          }),
        ),
      ),
    }),
  ),
  deploymentTargetId: optional(
    string('VVP id of the deployment target in use, as resolved from spec.'),
  ),
  jobs: optional(
    array(
      `The newest VVP jobs of the deployment, newest first (at most ${MAX_LISTED_JOBS}).`,
      JobSummarySchema,
      {
        maxItems: MAX_LISTED_JOBS,
      },
    ),
  ),
  lastSavepoint: optional(SavepointSummarySchema),
  handledSavepointNonce: optional(
    integer('The spec.savepointNonce last acted on (its savepoint taken or given up).'),
  ),
  handledRestartNonce: optional(integer('The spec.restartNonce last acted on.')),
  pendingSavepoint: optional(
    object(
      'A savepoint the operator decided to take and is taking: recorded before the VVP call, so that after a crash it is looked up instead of triggered twice.',
      {
        purpose: stringEnum(
          'SavepointNonce (spec.savepointNonce changed) or Deletion (deletionPolicy SavepointThenDelete).',
          ['SavepointNonce', 'Deletion'] as const,
        ),
        nonce: optional(integer('The spec.savepointNonce it answers.')),
        vpSavepointName: optional(string('The VpSavepoint that records it.', { maxLength: 253 })),
        startedAt: string('When the intent was recorded.', { format: 'date-time' }),
      },
    ),
  ),
  eventCursor: optional(
    object(
      'How far VVP events are mirrored into Kubernetes Events, so a restart neither replays nor skips any (Kubernetes Events expire; this does not).',
      {
        lastEventTime: optional(
          string('Creation time of the newest mirrored VVP event.', { format: 'date-time' }),
        ),
        eventIds: optional(
          array(
            'Ids of the mirrored VVP events created at lastEventTime (VVP orders events only by time).',
            string('A VVP event id.'),
            { maxItems: MAX_CURSOR_EVENT_IDS, listType: 'set' },
          ),
        ),
      },
    ),
  ),
});
export type VpDeploymentStatus = Static<typeof VpDeploymentStatusSchema>;

export interface VpDeployment extends KubeObject {
  spec?: VpDeploymentSpec;
  status?: VpDeploymentStatus;
}

export const VP_DEPLOYMENT_KIND: KindDefinition = {
  resource: VP_DEPLOYMENT,
  singular: 'vpdeployment',
  shortNames: ['vpdep'],
  description:
    'A Ververica Platform deployment: a Flink job with its template, desired state and upgrade and restore strategies.',
  spec: VpDeploymentSpecSchema,
  status: VpDeploymentStatusSchema,
  validations: vvpNameRules('deployment', DNS_LABEL_PATTERN, DNS_LABEL_MAX_LENGTH),
  printerColumns: [
    VVP_NAMESPACE_COLUMN,
    {
      name: 'Desired',
      type: 'string',
      jsonPath: '.spec.spec.state',
      description: 'The desired state.',
      priority: 1,
    },
    {
      name: 'State',
      type: 'string',
      jsonPath: '.status.state',
      description: "VVP's observed state.",
    },
    ...HEALTH_COLUMNS,
    {
      name: 'Job-ID',
      type: 'string',
      jsonPath: '.status.jobId',
      description: 'The running VVP job.',
    },
    VVP_ID_COLUMN,
    AGE_COLUMN,
  ],
};
