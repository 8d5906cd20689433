/** The request a failure belongs to; `route` is the templated path, `path` the concrete one. */
export interface VvpRequestInfo {
  method: string;
  route: string;
  path: string;
}

export interface VvpErrorDetails extends VvpRequestInfo {
  /** HTTP status; undefined when no response arrived (network error, timeout). */
  status: number | undefined;
  /** VVP's own explanation (the error body's `message`), when it sent one. */
  vvpMessage: string | undefined;
  /** How long VVP asked us to wait (429/503 `Retry-After`), in milliseconds. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/** Every failed VVP call surfaces as a VvpError (or one of its subclasses). */
export class VvpError extends Error {
  readonly status: number | undefined;
  readonly vvpMessage: string | undefined;
  readonly method: string;
  readonly route: string;
  readonly path: string;

  constructor(summary: string, details: VvpErrorDetails) {
    super(describe(summary, details), { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.vvpMessage = details.vvpMessage;
    this.method = details.method;
    this.route = details.route;
    this.path = details.path;
  }
}

/** 400: VVP rejected the request body or a parameter; retrying the same request cannot help. */
export class BadRequestError extends VvpError {}

/** 401: the API token is missing, unknown or revoked. */
export class UnauthorizedError extends VvpError {}

/** 403: the API token's role does not allow the operation in this namespace. */
export class ForbiddenError extends VvpError {}

/** 404: the namespace or the addressed object does not exist. */
export class NotFoundError extends VvpError {}

/**
 * 409: the operation conflicts with the object's state in VVP (e.g. deleting a referenced
 * target). Not to be confused with the controller core's ConflictError, a lost Kubernetes
 * optimistic-concurrency race.
 */
export class StateConflictError extends VvpError {}

/**
 * VVP could not be reached or asked us to come back later (network error, timeout, 429,
 * 502/503/504), and retrying within the call did not help. Worth retrying later.
 */
export class UnavailableError extends VvpError {
  readonly retryAfterMs: number | undefined;

  constructor(summary: string, details: VvpErrorDetails) {
    super(summary, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * The caller's AbortSignal ended the call (a lost lease, shutdown, a cancelled reconcile). Not a
 * VVP failure: never retried, counted with code `aborted`; VVP may or may not have processed a
 * request that was already sent.
 */
export class VvpCallAbortedError extends Error {
  readonly method: string;
  readonly path: string;

  constructor(info: VvpRequestInfo, reason: string) {
    super(`VVP ${info.method} ${info.path} was aborted by the caller (${reason})`);
    this.name = new.target.name;
    this.method = info.method;
    this.path = info.path;
  }
}

/**
 * The manager runs with `--dry-run` and this request would have changed VVP: it was not sent.
 * Not a VvpError (VVP never saw it, so nothing may read it as VVP's answer); the reconcilers
 * turn it into a `WouldCreate`/`WouldUpdate`/`WouldDelete` Event with `body`, the request
 * that was held back.
 */
export class DryRunWriteError extends Error {
  readonly method: string;
  readonly route: string;
  readonly path: string;
  /** The request body that would have been sent (a merge patch for PATCH). */
  readonly body: unknown;

  constructor(info: VvpRequestInfo, body: unknown) {
    super(
      `dry run: ${info.method} ${info.path} was not sent (--dry-run sends no write that changes VVP)`,
    );
    this.name = new.target.name;
    this.method = info.method;
    this.route = info.route;
    this.path = info.path;
    this.body = body;
  }
}

const UNAVAILABLE_STATUSES = new Set([429, 502, 503, 504]);

/** The one place that turns an HTTP status into the matching error class. */
export function errorForStatus(status: number, details: Omit<VvpErrorDetails, 'status'>): VvpError {
  const full = { ...details, status };
  const summary = `answered ${status}`;
  switch (status) {
    case 400:
      return new BadRequestError(summary, full);
    case 401:
      return new UnauthorizedError(`${summary} (the API token is missing or not accepted)`, full);
    case 403:
      return new ForbiddenError(`${summary} (the API token's role does not allow this)`, full);
    case 404:
      return new NotFoundError(summary, full);
    case 409:
      return new StateConflictError(summary, full);
    default:
      return UNAVAILABLE_STATUSES.has(status)
        ? new UnavailableError(summary, full)
        : new VvpError(summary, full);
  }
}

const MAX_BODY_EXCERPT = 300;

/**
 * VVP's explanation from an error body: its `message` field (the only field clients rely on),
 * else a short excerpt of a non-JSON body such as a proxy's error page.
 */
export function vvpMessageOf(body: unknown): string | undefined {
  if (typeof body === 'object' && body !== null && 'message' in body) {
    const { message } = body;
    if (typeof message === 'string' && message.trim() !== '') return message.trim();
  }
  if (typeof body === 'string' && body.trim() !== '') {
    const text = body.trim().replace(/\s+/g, ' ');
    return text.length > MAX_BODY_EXCERPT ? `${text.slice(0, MAX_BODY_EXCERPT)}…` : text;
  }
  return undefined;
}

function describe(summary: string, details: VvpErrorDetails): string {
  const head = `VVP ${details.method} ${details.path} ${summary}`;
  return details.vvpMessage === undefined ? head : `${head}: ${details.vvpMessage}`;
}
