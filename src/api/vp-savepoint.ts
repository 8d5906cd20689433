/** VpSavepoint: one VVP savepoint of a deployment, triggered, registered or imported. */
import type { KubeObject } from '../controller';
import { VP_SAVEPOINT } from './constants';
import {
  DELETION_POLICIES,
  deletionPolicySchema,
  localObjectRefSchema,
  managedSpecProperties,
  managedStatusProperties,
  vvpAnnotationsSchema,
  vvpNamespaceFieldSchema,
} from './common';
import {
  AGE_COLUMN,
  HEALTH_COLUMNS,
  VVP_ID_COLUMN,
  VVP_NAMESPACE_COLUMN,
  type KindDefinition,
} from './crd';
import { immutableField } from './formats';
import { FailureSchema, SAVEPOINT_ORIGINS, SAVEPOINT_STATES } from './vp-deployment';
import { integer, object, optional, string, stringEnum, type Static } from './schema';

export const DEFAULT_BACKOFF_LIMIT = 3;

/** Why the savepoint's identity may not change: the savepoint may already have been taken. */
const TAKEN_EXPLANATION =
  'the savepoint may already have been taken; create a new VpSavepoint instead';

export const VpSavepointSpecSchema = object(
  'The desired VVP savepoint. Name the deployment by spec.deploymentRef or spec.metadata.deploymentId; with spec.metadata.id an existing VVP savepoint is imported (observed only, never triggered).',
  {
    deletionPolicy: optional(
      deletionPolicySchema(
        DELETION_POLICIES,
        'Orphan',
        'Orphan: keep the VVP savepoint record (the savepoint data stays where Flink wrote it either way). Delete: delete the VVP record where the VVP version allows it.',
      ),
    ),
    ...managedSpecProperties,
    deploymentRef: optional(
      localObjectRefSchema(
        'The VpDeployment to take the savepoint of, in the same Kubernetes namespace. Immutable.',
      ),
    ),
    backoffLimit: optional(
      integer(
        `How often a FAILED savepoint is triggered again, with backoff, before the operator gives up (Ready=False, BackoffLimitExceeded). Default ${DEFAULT_BACKOFF_LIMIT}.`,
        { minimum: 0, maximum: 100, format: 'int32', default: DEFAULT_BACKOFF_LIMIT },
      ),
    ),
    metadata: optional(
      object(
        "VVP's metadata of the savepoint. Immutable.",
        {
          namespace: optional(vvpNamespaceFieldSchema),
          id: optional(
            string('Id of an existing VVP savepoint to import instead of triggering one.', {
              format: 'uuid',
            }),
          ),
          deploymentId: optional(
            string('VVP id of the deployment, instead of spec.deploymentRef.', {
              format: 'uuid',
            }),
          ),
          annotations: optional(vvpAnnotationsSchema('savepoint')),
        },
        { default: {} },
      ),
    ),
    spec: optional(
      object("VVP's spec of the savepoint. Immutable.", {
        savepointLocation: optional(
          string(
            'Register an existing snapshot at this location with the deployment (origin COPIED) instead of taking a savepoint.',
            { minLength: 1 },
          ),
        ),
      }),
    ),
  },
  {
    validations: [
      {
        rule: 'has(self.deploymentRef) || has(self.metadata.deploymentId) || has(self.metadata.id)',
        message:
          'name the deployment: set spec.deploymentRef (a VpDeployment in this namespace) or spec.metadata.deploymentId (a VVP deployment id); or set spec.metadata.id to import an existing VVP savepoint',
        reason: 'FieldValueRequired',
        fieldPath: '.deploymentRef',
      },
      {
        rule: '!(has(self.deploymentRef) && has(self.metadata.deploymentId))',
        message: 'set spec.deploymentRef or spec.metadata.deploymentId, not both',
        fieldPath: '.deploymentRef',
      },
      immutableField('deploymentRef', 'spec.deploymentRef', TAKEN_EXPLANATION),
      immutableField('metadata', 'spec.metadata', TAKEN_EXPLANATION),
      immutableField('spec', 'spec.spec', TAKEN_EXPLANATION),
    ],
  },
);
export type VpSavepointSpec = Static<typeof VpSavepointSpecSchema>;

export const VpSavepointStatusSchema = object('What the operator observed in VVP.', {
  ...managedStatusProperties,
  state: optional(
    stringEnum("VVP's state of the savepoint: STARTED, COMPLETED or FAILED.", SAVEPOINT_STATES),
  ),
  deploymentId: optional(string('VVP id of the deployment.')),
  jobId: optional(string('VVP id of the job the savepoint was taken of.')),
  location: optional(string('Where Flink wrote the savepoint.')),
  origin: optional(stringEnum('Why it was taken.', SAVEPOINT_ORIGINS)),
  failure: optional(FailureSchema),
  attempts: optional(
    integer('How many times the savepoint has been triggered.', { minimum: 0, format: 'int32' }),
  ),
  lastAttemptTime: optional(
    string('When it was last triggered; the next retry waits from here.', {
      format: 'date-time',
    }),
  ),
});
export type VpSavepointStatus = Static<typeof VpSavepointStatusSchema>;

export interface VpSavepoint extends KubeObject {
  spec?: VpSavepointSpec;
  status?: VpSavepointStatus;
}

export const VP_SAVEPOINT_KIND: KindDefinition = {
  resource: VP_SAVEPOINT,
  singular: 'vpsavepoint',
  shortNames: ['vpsp'],
  description: 'A Ververica Platform savepoint of a deployment.',
  spec: VpSavepointSpecSchema,
  status: VpSavepointStatusSchema,
  printerColumns: [
    VVP_NAMESPACE_COLUMN,
    {
      name: 'Deployment',
      type: 'string',
      jsonPath: '.spec.deploymentRef.name',
      description: 'The VpDeployment.',
    },
    {
      name: 'State',
      type: 'string',
      jsonPath: '.status.state',
      description: "VVP's state of the savepoint.",
    },
    ...HEALTH_COLUMNS,
    {
      name: 'Location',
      type: 'string',
      jsonPath: '.status.location',
      description: 'Where Flink wrote the savepoint.',
      priority: 1,
    },
    VVP_ID_COLUMN,
    AGE_COLUMN,
  ],
};
