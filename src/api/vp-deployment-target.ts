/** VpDeploymentTarget: a VVP deployment target, the Kubernetes namespace Flink jobs run in. */
import type { KubeObject } from '../controller';
import { VP_DEPLOYMENT_TARGET } from './constants';
import {
  DELETION_POLICIES,
  deletionPolicySchema,
  managedSpecProperties,
  managedStatusProperties,
  vvpAnnotationsSchema,
  vvpLabelsSchema,
  vvpNameRules,
  vvpNamespaceFieldSchema,
  VVP_NAMESPACE_IMMUTABLE,
  type ManagedStatus,
} from './common';
import {
  AGE_COLUMN,
  HEALTH_COLUMNS,
  VVP_ID_COLUMN,
  VVP_NAMESPACE_COLUMN,
  type KindDefinition,
} from './crd';
import {
  DNS_LABEL_MAX_LENGTH,
  TARGET_NAME_MAX_LENGTH,
  TARGET_NAME_PATTERN,
  dnsLabel,
  targetName,
} from './formats';
import { array, object, openObject, optional, type Static } from './schema';

export const VpDeploymentTargetSpecSchema = object('The desired VVP deployment target.', {
  deletionPolicy: optional(
    deletionPolicySchema(
      DELETION_POLICIES,
      'Delete',
      'Delete: delete the VVP target (VVP refuses while deployments use it; the operator reports them and retries). Orphan: leave it.',
    ),
  ),
  ...managedSpecProperties,
  metadata: optional(
    object(
      "VVP's metadata of the target.",
      {
        name: optional(targetName('The VVP name of the target. Default metadata.name. Immutable.')),
        namespace: optional(vvpNamespaceFieldSchema),
        labels: optional(vvpLabelsSchema('deployment target')),
        annotations: optional(vvpAnnotationsSchema('deployment target')),
      },
      {
        default: {},
        validations: [VVP_NAMESPACE_IMMUTABLE],
      },
    ),
  ),
  spec: object("VVP's spec of the target.", {
    kubernetes: object('Where the Flink pods of deployments on this target run.', {
      namespace: optional(
        dnsLabel(
          `The Kubernetes namespace for the Flink pods (at most ${DNS_LABEL_MAX_LENGTH} characters); VVP's own namespace when absent.`,
        ),
      ),
    }),
    deploymentPatchSet: optional(
      array(
        'VVP 2.0 only (removed in 2.1): JSON Patch operations VVP applies to the Flink Kubernetes resources.',
        openObject('One JSON Patch operation: op, path and value, as RFC 6902 writes them.'),
      ),
    ),
  }),
});
export type VpDeploymentTargetSpec = Static<typeof VpDeploymentTargetSpecSchema>;

export const VpDeploymentTargetStatusSchema = object(
  'What the operator observed in VVP.',
  managedStatusProperties,
);
export type VpDeploymentTargetStatus = ManagedStatus;

export interface VpDeploymentTarget extends KubeObject {
  spec?: VpDeploymentTargetSpec;
  status?: VpDeploymentTargetStatus;
}

export const VP_DEPLOYMENT_TARGET_KIND: KindDefinition = {
  resource: VP_DEPLOYMENT_TARGET,
  singular: 'vpdeploymenttarget',
  shortNames: ['vpdt'],
  description:
    'A Ververica Platform deployment target: the Kubernetes namespace where the Flink jobs of the deployments using it run.',
  spec: VpDeploymentTargetSpecSchema,
  status: VpDeploymentTargetStatusSchema,
  validations: vvpNameRules('deployment target', TARGET_NAME_PATTERN, TARGET_NAME_MAX_LENGTH),
  printerColumns: [
    VVP_NAMESPACE_COLUMN,
    {
      name: 'K8s-Namespace',
      type: 'string',
      jsonPath: '.spec.spec.kubernetes.namespace',
      description: 'The Kubernetes namespace the Flink pods run in.',
    },
    ...HEALTH_COLUMNS,
    VVP_ID_COLUMN,
    AGE_COLUMN,
  ],
};
