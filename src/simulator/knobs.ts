import { Ajv } from 'ajv';
import { badRequest } from './errors';
import { describeErrors } from './contract';

/** Behaviour that can be tuned at start and at run time (admin API `PATCH /_simulator/v1/knobs`). */
export interface Knobs {
  /** Added to every VVP request before it is handled. */
  latencyMs: number;
  /** Duration of each lifecycle phase (job start, job stop, savepoint); 0 = instant. */
  transitionMs: number;
  /** How long a deleted namespace stays TERMINATING before it is gone (404). */
  namespaceTerminationMs: number;
  /** Every VVP route answers 503 while true. */
  outage: boolean;
  /** Share (0..1) of savepoints that end FAILED. */
  savepointFailureRate: number;
  /** Share (0..1) of job starts that fail. */
  jobStartFailureRate: number;
  /**
   * The installation has Universal Blob Storage, so every job can take savepoints; when false,
   * a job needs `state.savepoints.dir` in its Flink configuration (else
   * JOB_IS_NOT_CONFIGURED_WITH_SAVEPOINT_SUPPORT).
   */
  universalBlobStorage: boolean;
  // Lenient readings of behaviour VVP does not document (the strict reading is the default):
  /** Accept writes whose `metadata.resourceVersion` is stale (strict: 409). */
  allowStaleResourceVersion: boolean;
  /** Accept request fields api-spec/ does not declare (strict: 400 naming the field). */
  allowUnknownFields: boolean;
  /** Let the `default` namespace be deleted (strict: 409). */
  allowDefaultNamespaceDeletion: boolean;
  /** A deployment without `spec.state` (in the request or the defaults) becomes CANCELLED (strict: 400). */
  allowMissingState: boolean;
}

export const DEFAULT_KNOBS: Knobs = {
  latencyMs: 0,
  transitionMs: 1000,
  namespaceTerminationMs: 1000,
  outage: false,
  savepointFailureRate: 0,
  jobStartFailureRate: 0,
  universalBlobStorage: true,
  allowStaleResourceVersion: false,
  allowUnknownFields: false,
  allowDefaultNamespaceDeletion: false,
  allowMissingState: false,
};

const duration = { type: 'integer', minimum: 0, maximum: 3_600_000 };
const rate = { type: 'number', minimum: 0, maximum: 1 };

const validateKnobs = new Ajv({ allErrors: true }).compile<Partial<Knobs>>({
  type: 'object',
  additionalProperties: false,
  properties: {
    latencyMs: duration,
    transitionMs: duration,
    namespaceTerminationMs: duration,
    outage: { type: 'boolean' },
    savepointFailureRate: rate,
    jobStartFailureRate: rate,
    universalBlobStorage: { type: 'boolean' },
    allowStaleResourceVersion: { type: 'boolean' },
    allowUnknownFields: { type: 'boolean' },
    allowDefaultNamespaceDeletion: { type: 'boolean' },
    allowMissingState: { type: 'boolean' },
  },
});

/** Checks a partial knob update (admin API body or start options); throws a 400 naming the field. */
export function parseKnobs(input: unknown): Partial<Knobs> {
  if (validateKnobs(input)) return input;
  throw badRequest(`invalid knobs: ${describeErrors(validateKnobs.errors, 'knobs')}`);
}
