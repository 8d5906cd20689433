import { ApiException } from '@kubernetes/client-node';

/**
 * Thrown by a reconciler when retrying cannot help until the object itself changes (an
 * invalid spec, say). The key is not retried and the error is counted in
 * `controller_runtime_terminal_reconcile_errors_total`; the next change to the object
 * (spec, watched annotation, deletion) reconciles it again.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** A write lost an optimistic-concurrency race; the reconcile is simply retried. */
export class ConflictError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConflictError';
  }
}

/** The HTTP status code of a Kubernetes API error, if `error` is one. */
export function apiStatusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? (error as ApiException<unknown>).code : undefined;
}

/** 409 (optimistic lock lost, or the object already exists) or a {@link ConflictError}. */
export function isConflict(error: unknown): boolean {
  return error instanceof ConflictError || apiStatusCode(error) === 409;
}

export function isNotFound(error: unknown): boolean {
  return apiStatusCode(error) === 404;
}

/**
 * A one-line description of any thrown value. For Kubernetes API errors it carries the status
 * code and the API server's message instead of the generated client's raw body dump.
 */
export function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = (error as ApiException<unknown>).body;
    const message = serverMessage(body);
    return `Kubernetes API returned HTTP ${(error as ApiException<unknown>).code}${message === undefined ? '' : `: ${message}`}`;
  }
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  try {
    // JSON.stringify returns undefined for undefined and functions, whatever its typing says.
    const json = JSON.stringify(error) as string | undefined;
    return `non-Error value thrown: ${json ?? String(error)}`;
  } catch {
    return `non-Error value thrown: ${String(error)}`;
  }
}

function serverMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.length > 0 ? body.slice(0, 500) : undefined;
    }
  }
  if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
    const message = parsed.message;
    if (typeof message === 'string') return message;
  }
  return undefined;
}
