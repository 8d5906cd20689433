/** VpNamespace: a VVP namespace (Platform API), its role bindings and deployment defaults. */
import type { KubeObject } from '../controller';
import { VP_NAMESPACE } from './constants';
import {
  DELETION_POLICIES,
  deletionPolicySchema,
  managedSpecProperties,
  managedStatusProperties,
} from './common';
import { AGE_COLUMN, HEALTH_COLUMNS, type KindDefinition } from './crd';
import { DNS_LABEL_MAX_LENGTH, DNS_LABEL_PATTERN } from './formats';
import { array, object, optional, string, stringEnum, type Static } from './schema';
import { vvpDeploymentSpecSchema } from './vvp-deployment-spec';

export const NAMESPACE_ROLES = ['viewer', 'editor', 'owner'] as const;
export type NamespaceRole = (typeof NAMESPACE_ROLES)[number];

const RoleBindingSchema = object('The members holding one role in the namespace.', {
  role: stringEnum(
    'viewer (read), editor (read and change deployments) or owner (also targets, defaults and API tokens).',
    NAMESPACE_ROLES,
  ),
  members: array(
    'Who holds the role: "system:authenticated", "user:<name>", "group:<name>" or an API token "namespaces/<ns>/apitokens/<name>".',
    string('One member.', { minLength: 1, maxLength: 1024 }),
    { minItems: 1, listType: 'set' },
  ),
});
export type NamespaceRoleBinding = Static<typeof RoleBindingSchema>;

export const VpNamespaceSpecSchema = object(
  'The desired VVP namespace. Its VVP name is metadata.name.',
  {
    deletionPolicy: optional(
      deletionPolicySchema(
        DELETION_POLICIES,
        'Delete',
        'Delete: delete the VVP namespace and, with it, everything in it. Orphan: leave it.',
      ),
    ),
    ...managedSpecProperties,
    roleBindings: optional(
      array(
        'Role bindings of the namespace, at most one per role. VVP grants its default bindings when absent.',
        RoleBindingSchema,
        { listType: 'map', mapKeys: ['role'], maxItems: NAMESPACE_ROLES.length },
      ),
    ),
    deploymentDefaults: optional(
      vvpDeploymentSpecSchema(
        "The namespace's deployment defaults: VVP merges them into every deployment of the namespace (fields as in a VpDeployment's spec.spec). Written only where they differ from VVP's.",
      ),
    ),
  },
  { default: {} },
);
export type VpNamespaceSpec = Static<typeof VpNamespaceSpecSchema>;

export const VpNamespaceStatusSchema = object('What the operator observed in VVP.', {
  ...managedStatusProperties,
  lifecyclePhase: optional(
    string(
      "VVP's lifecycle phase of the namespace: LIFECYCLE_PHASE_ACTIVE, or LIFECYCLE_PHASE_TERMINATING while VVP deletes its content.",
    ),
  ),
});
export type VpNamespaceStatus = Static<typeof VpNamespaceStatusSchema>;

export interface VpNamespace extends KubeObject {
  spec?: VpNamespaceSpec;
  status?: VpNamespaceStatus;
}

export const VP_NAMESPACE_KIND: KindDefinition = {
  resource: VP_NAMESPACE,
  singular: 'vpnamespace',
  shortNames: ['vpns'],
  description:
    'A Ververica Platform namespace, named by metadata.name. Cluster-scoped, like VVP namespaces.',
  spec: VpNamespaceSpecSchema,
  specOptional: true,
  status: VpNamespaceStatusSchema,
  validations: [
    {
      rule: `size(self.metadata.name) <= ${DNS_LABEL_MAX_LENGTH} && self.metadata.name.matches('${DNS_LABEL_PATTERN}')`,
      messageExpression: `'metadata.name "' + self.metadata.name + '" is not a valid VVP namespace name: it must be a DNS label of at most ${DNS_LABEL_MAX_LENGTH} lower-case letters, digits and "-"'`,
    },
  ],
  printerColumns: [
    {
      name: 'Phase',
      type: 'string',
      jsonPath: '.status.lifecyclePhase',
      description: "VVP's lifecycle phase of the namespace.",
    },
    ...HEALTH_COLUMNS,
    AGE_COLUMN,
  ],
};
