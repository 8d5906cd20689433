import { describeError } from '../../controller';
import { TokenUnavailableError } from '../../tokens';
import {
  BadRequestError,
  StateConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  VvpError,
} from '../../vvp';
import type { VvpSession } from './session';
import type { VvpLocation } from './types';

/**
 * Something the CR needs is not there yet (e.g. the VpDeploymentTarget it names is not Ready):
 * `Synced=False` reason `DependencyNotReady` with this message; retried with backoff, and
 * sooner by the secondary watch on the dependency.
 */
export class DependencyNotReadyError extends Error {
  override readonly name = 'DependencyNotReadyError';
}

/** How a failed step is reported and what happens next. */
export interface Failure {
  /** The Synced reason, CamelCase. */
  reason: string;
  /** What happened and what a person can do about it. */
  message: string;
  /** Retrying cannot help until the spec changes: report, then stop retrying (TerminalError). */
  terminal: boolean;
  /** VVP answered and did not act: a pending create intent can be cleared. */
  refused: boolean;
}

/**
 * Maps an error of a VVP step (`action`, e.g. "create deployment target team-a/flink") to the
 * condition a person reads. Never throws; the caller rethrows so the core backs off (honouring
 * an UnavailableError's `retryAfterMs`), or throws a TerminalError when `terminal`.
 */
export async function classifyFailure(
  error: unknown,
  action: string,
  location: VvpLocation,
  session: VvpSession,
): Promise<Failure> {
  const namespace = `VVP namespace "${location.vvpNamespace}"`;
  const vvpSaid =
    error instanceof VvpError ? (error.vvpMessage ?? error.message) : describeError(error);
  if (error instanceof BadRequestError) {
    return {
      reason: 'InvalidSpec',
      message: `VVP rejected the request to ${action}: ${vvpSaid}. Correct the spec; the operator tries again when it changes.`,
      terminal: true,
      refused: true,
    };
  }
  if (error instanceof UnauthorizedError) {
    await session.invalidate();
    return {
      reason: 'Unauthorized',
      message: `VVP answered 401 to ${action} in ${namespace} with ${await session.credentialsUsed()}: the token is missing, unknown or revoked. Provide a valid token there; the operator retries with backoff.`,
      terminal: false,
      refused: true,
    };
  }
  if (error instanceof ForbiddenError) {
    return {
      reason: 'Forbidden',
      message: `VVP answered 403 to ${action} in ${namespace} with ${await session.credentialsUsed()}: the token's role does not allow it. Use a token with a role that may (owner for deployment targets and deployment defaults, admin for namespaces).`,
      terminal: false,
      refused: true,
    };
  }
  if (error instanceof NotFoundError) {
    return {
      reason: 'DependencyNotReady',
      message: `VVP answered 404 to ${action}: ${vvpSaid}. Does ${namespace} exist? Create it first (e.g. with a VpNamespace); the operator retries with backoff.`,
      terminal: false,
      refused: true,
    };
  }
  if (isUnavailable(error)) {
    return {
      reason: 'PlatformUnavailable',
      message: `VVP could not ${action}: ${describeError(error)}. The operator retries with backoff.`,
      terminal: false,
      refused: false,
    };
  }
  if (error instanceof StateConflictError) {
    return {
      reason: 'ReconcileError',
      message: `VVP refused to ${action} (409): ${vvpSaid}. The operator retries with backoff.`,
      terminal: false,
      refused: true,
    };
  }
  if (error instanceof DependencyNotReadyError) {
    return { reason: 'DependencyNotReady', message: error.message, terminal: false, refused: true };
  }
  if (error instanceof TokenUnavailableError) {
    return { reason: 'TokenUnavailable', message: error.message, terminal: false, refused: true };
  }
  return {
    reason: 'ReconcileError',
    message: `Could not ${action}: ${describeError(error)}. The operator retries with backoff.`,
    terminal: false,
    refused: false,
  };
}

/** No answer (network, timeout), or VVP said it cannot serve now (429, 5xx). */
function isUnavailable(error: unknown): boolean {
  if (error instanceof UnavailableError) return true;
  return error instanceof VvpError && (error.status === undefined || error.status >= 500);
}
