/**
 * VVP's `Deployment.spec`, field for field with VVP's names: the `spec.spec` of a
 * VpDeployment and the `spec.deploymentDefaults` of a VpNamespace (VVP's deployment defaults
 * have the same shape). Every field is optional: what the resource leaves out, VVP fills in
 * from the namespace's and the platform's deployment defaults.
 */
import { flinkMemorySize, targetName } from './formats';
import {
  array,
  boolean,
  integer,
  number,
  object,
  openObject,
  optional,
  string,
  stringEnum,
  stringMap,
  type Static,
} from './schema';
import { Type } from '@sinclair/typebox';

/** The states a user may ask for; TRANSITIONING, FAILED and FINISHED are only observed. */
export const DESIRED_DEPLOYMENT_STATES = ['RUNNING', 'CANCELLED', 'SUSPENDED'] as const;
export type DesiredDeploymentState = (typeof DESIRED_DEPLOYMENT_STATES)[number];

export const MIN_CPU = 0.1;

const ArtifactSchema = object(
  'What the job runs: a JAR (jarUri, entryClass, mainArgs) or a SQL script (sqlScript), and the Flink image it runs on.',
  {
    kind: optional(
      stringEnum('JAR or SQLSCRIPT (VVP 2.3 and later).', ['JAR', 'SQLSCRIPT'] as const),
    ),
    jarUri: optional(string('URI of the job JAR, e.g. s3://bucket/job.jar or https://….')),
    entryClass: optional(
      string("Fully qualified main class; the JAR manifest's Main-Class when absent."),
    ),
    mainArgs: optional(string('All program arguments in one string, split like a shell would.')),
    sqlScript: optional(string('The SQL statements of a SQLSCRIPT artifact (VVP 2.3 and later).')),
    additionalDependencies: optional(
      array(
        'URIs of further JARs or files put on the classpath (VVP 2.4 and later).',
        string('URI of one dependency.'),
      ),
    ),
    flinkVersion: optional(string('Flink minor version, e.g. "1.19".', { maxLength: 32 })),
    flinkImageRegistry: optional(string('Registry of the Flink image.')),
    flinkImageRepository: optional(string('Repository of the Flink image.')),
    flinkImageTag: optional(string('Tag of the Flink image.')),
  },
);

function resourceSpecSchema(component: string) {
  return object(`CPU and memory of each ${component} pod.`, {
    cpu: optional(
      number(`CPU cores, at least ${MIN_CPU}.`, {
        minimum: MIN_CPU,
        // `minimum` alone lets an integer 0 through: the API server compares integer values
        // with the bound as integers.
        validations: [
          {
            rule: `self >= ${MIN_CPU}`,
            message: `cpu must be at least ${MIN_CPU} (VVP rejects less)`,
          },
        ],
      }),
    ),
    memory: optional(flinkMemorySize('Memory as a Flink memory size, e.g. "1g" or "1536m".')),
  });
}

/**
 * Flink configuration is text in VVP, but YAML users write `taskmanager.numberOfTaskSlots: 2`
 * or `state.backend.incremental: true`: any JSON value is accepted and numbers and booleans
 * are sent as their text. The API server cannot check the values' types (CEL has no type
 * information for values of unknown shape), so a nested object is refused by the operator
 * (Synced=False, InvalidSpec) rather than at admission.
 */
const flinkConfigurationSchema = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  description:
    'Flink configuration, key to value (e.g. "state.savepoints.dir": "s3://bucket/savepoints"). Values are strings, numbers or booleans; numbers and booleans are sent to VVP as text.',
  additionalProperties: {
    description: 'One Flink configuration value: a string, number or boolean.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
});

const DeploymentTemplateSpecSchema = object(
  'The job: artifact, parallelism, resources, Flink configuration, logging and pod settings. A change while RUNNING is an upgrade, carried out per upgradeStrategy and restoreStrategy.',
  {
    artifact: optional(ArtifactSchema),
    parallelism: optional(
      integer('Parallelism of the job, at least 1.', { minimum: 1, format: 'int32' }),
    ),
    numberOfTaskManagers: optional(
      integer('Number of TaskManager pods, at least 1; derived from parallelism when absent.', {
        minimum: 1,
        format: 'int32',
      }),
    ),
    resources: optional(
      object('Resources per Flink component.', {
        jobmanager: optional(resourceSpecSchema('JobManager')),
        taskmanager: optional(resourceSpecSchema('TaskManager')),
      }),
    ),
    flinkConfiguration: optional(flinkConfigurationSchema),
    logging: optional(
      object('Logging of the Flink processes.', {
        loggingProfile: optional(string('Name of a VVP logging profile, e.g. "default".')),
        log4jLoggers: optional(
          stringMap(
            'Log level per logger name, e.g. "org.apache.flink": INFO; the key "" is the root logger.',
          ),
        ),
        log4j2ConfigurationTemplate: optional(
          string('A complete Log4j 2 configuration template, instead of a logging profile.'),
        ),
      }),
    ),
    kubernetes: optional(
      object(
        'Kubernetes settings of the Flink pods, in the shapes VVP documents; passed to VVP as written.',
        {
          pods: optional(
            openObject(
              'Settings for all Flink pods: labels, annotations, nodeSelector, affinity, tolerations, securityContext, imagePullSecrets, volumeMounts, envVars (VVP\'s "pods" object).',
            ),
          ),
          jobManagerPodTemplate: optional(
            openObject('A Kubernetes pod template for the JobManager (VVP 2.4 and later).'),
          ),
          taskManagerPodTemplate: optional(
            openObject('A Kubernetes pod template for the TaskManagers (VVP 2.4 and later).'),
          ),
        },
      ),
    ),
  },
);

/** VVP `DeploymentSpec`, with `description` as the field's own documentation. */
export function vvpDeploymentSpecSchema(description: string) {
  return object(description, {
    state: optional(
      stringEnum(
        'Desired state: RUNNING, CANCELLED (stop without savepoint) or SUSPENDED (stop with a savepoint, resumed from it). The observed state is status.state.',
        DESIRED_DEPLOYMENT_STATES,
      ),
    ),
    deploymentTargetId: optional(
      string('VVP id of the deployment target. Prefer spec.deploymentTargetRef.', {
        format: 'uuid',
      }),
    ),
    deploymentTargetName: optional(
      targetName(
        'Name of the VVP deployment target (VVP 2.4 and later). Prefer spec.deploymentTargetRef.',
      ),
    ),
    upgradeStrategy: optional(
      object('How a running job is stopped for a template change.', {
        kind: optional(
          stringEnum(
            'STATEFUL (suspend with a savepoint, restart from it), STATELESS (cancel, restart) or NONE (apply on the next manual restart).',
            ['STATEFUL', 'STATELESS', 'NONE'] as const,
          ),
        ),
      }),
    ),
    restoreStrategy: optional(
      object('Which state a (re)started job starts from.', {
        kind: optional(
          stringEnum(
            'LATEST_STATE (newest savepoint or retained checkpoint), LATEST_SAVEPOINT or NONE (empty state).',
            ['LATEST_STATE', 'LATEST_SAVEPOINT', 'NONE'] as const,
          ),
        ),
        allowNonRestoredState: optional(
          boolean('Start even if some state of the snapshot maps to no operator of the job.'),
        ),
      }),
    ),
    maxSavepointCreationAttempts: optional(
      integer('Savepoint attempts during a suspend before VVP gives up (the deployment FAILS).', {
        minimum: 1,
        format: 'int32',
      }),
    ),
    maxJobCreationAttempts: optional(
      integer('Job start attempts before VVP gives up (the deployment FAILS).', {
        minimum: 1,
        format: 'int32',
      }),
    ),
    template: optional(
      object('The template every job of the deployment is made from.', {
        metadata: optional(
          object('Metadata of the template.', {
            annotations: optional(
              stringMap('Annotations of the template, e.g. flink.queryable-state.enabled.'),
            ),
          }),
        ),
        spec: optional(DeploymentTemplateSpecSchema),
      }),
    ),
  });
}

export type VvpDeploymentSpec = Static<ReturnType<typeof vvpDeploymentSpecSchema>>;
export type DeploymentTemplateSpec = Static<typeof DeploymentTemplateSpecSchema>;
export type Artifact = Static<typeof ArtifactSchema>;
