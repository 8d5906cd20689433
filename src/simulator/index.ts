// The VVP simulator (docs/simulator.md). Layout, outside in:
//   server.ts (node:http) → simulator.ts (request pipeline: latency, outage, faults, auth,
//   contract checks, request log) → routes.ts (api-spec operationId → handler) →
//   appmanager.ts / platform.ts (VVP's rules) → lifecycle.ts (deployment state machine on an
//   agenda.ts timeline) over store.ts; contract.ts compiles api-spec/ with ajv; cli.ts is
//   bin/vvp-simulator; admin-api.ts serves /_simulator/v1.
export { startSimulator, serveSimulator, type RunningSimulator, type StartOptions } from './server';
export { Simulator, type SimulatorAdmin, type SimulatorOptions } from './simulator';
export type { Knobs } from './knobs';
export { DEFAULT_KNOBS } from './knobs';
export type { FaultRule, FaultRuleInput, PipelineStage } from './faults';
export { PIPELINE_STAGES } from './faults';
export { MAX_NESTING_DEPTH } from './nesting';
export type { RequestLogEntry, ContractViolation, ViolationCounts } from './request-log';
export type { AuthMode } from './auth';
export { AUTH_MODES, ADMIN_MEMBER } from './auth';
export type { VvpVersion } from './model';
export { VVP_VERSIONS } from './model';
export { ADMIN_PREFIX } from './admin-api';
export { AdvanceableClock } from './clock';
