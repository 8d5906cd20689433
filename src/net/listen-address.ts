/** Where to listen; `host` undefined = every interface, `port` 0 = any free port. */
export interface ListenAddress {
  host: string | undefined;
  port: number;
}

/**
 * Parses `[host]:port` (`:8080`, `127.0.0.1:0`, `[::1]:8080`); `0` (or empty) disables the
 * endpoint and yields undefined.
 */
export function parseListenAddress(value: string): ListenAddress | undefined {
  const trimmed = value.trim();
  if (trimmed === '0' || trimmed === '') return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(trimmed);
  const port = Number(match?.[3]);
  if (match === null || port > 65_535) {
    throw new Error(
      `${JSON.stringify(value)} is not a listen address: use [host]:port such as ":8080", "127.0.0.1:0" or "[::1]:8081", or "0" to disable the endpoint`,
    );
  }
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}
