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
}

export const DEFAULT_KNOBS: Knobs = {
  latencyMs: 0,
  transitionMs: 1000,
  namespaceTerminationMs: 1000,
  outage: false,
  savepointFailureRate: 0,
  jobStartFailureRate: 0,
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
  },
});

/** Checks a partial knob update (admin API body or start options); throws a 400 naming the field. */
export function parseKnobs(input: unknown): Partial<Knobs> {
  if (validateKnobs(input)) return input;
  throw badRequest(`invalid knobs: ${describeErrors(validateKnobs.errors, 'knobs')}`);
}
