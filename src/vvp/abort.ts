import { setTimeout } from 'node:timers/promises';

/**
 * Settles like `promise`, or rejects with `onAbort()` as soon as `signal` aborts, whichever comes
 * first. The abandoned promise keeps running; its outcome is ignored (callers pass the signal on
 * too where the work itself can stop, e.g. an HTTP request or a timer).
 */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort: () => Error,
): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(onAbort());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      reject(onAbort());
    };
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** A readable account of why a signal aborted, for error messages. */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' && reason !== '' ? reason : 'aborted';
}

/**
 * A real timer that the signal clears, so an abandoned wait leaves no pending timer behind.
 * Resolves early on abort; callers that must stop wrap it in {@link abortable}.
 */
export async function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await setTimeout(ms, undefined, { signal });
  } catch {
    // Aborted: the caller reports the abort itself.
  }
}
