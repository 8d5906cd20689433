export { VvpClient } from './client';
export type {
  ApiTokensApi,
  DeploymentDefaultsApi,
  DeploymentTargetsApi,
  DeploymentsApi,
  EventsApi,
  JobsApi,
  NamespacesApi,
  SavepointsApi,
  StatusApi,
  VvpClientOptions,
} from './client';
export type { VvpCallOptions } from './transport';
export { anonymousPlatform } from './auth';
export type { PlatformTokenProvider, TokenProvider } from './auth';
export {
  BadRequestError,
  DryRunWriteError,
  StateConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  VvpCallAbortedError,
  VvpError,
} from './errors';
export { DEFAULT_RATE_LIMIT, RequestLimiter } from './rate-limit';
export type { LimiterClock, Permit, RateLimit } from './rate-limit';
export { DEFAULT_RETRY_POLICY } from './retry';
export type { RetryPolicy } from './retry';
export { capabilitiesOf } from './version';
export type { VvpCapabilities } from './version';
export type * from './types';
