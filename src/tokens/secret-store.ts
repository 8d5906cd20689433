/**
 * The Kubernetes Secret fields the token store reads and writes: a structural subset of the
 * controller core's `Secret` (a V1Secret as plain data), so the core's SecretClient fits
 * {@link SecretStore} as it is.
 */
export interface StoredSecret {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
  };
  type?: string;
  /** Values are base64. */
  data?: Record<string, string>;
  /** Write-only plain-text values; the API server merges them into `data`. */
  stringData?: Record<string, string>;
}

/**
 * Direct (uncached) Secret access, the shape of the controller core's SecretClient. A Secret
 * that does not exist is `undefined` from `get`; `create` of an existing name and `update` with a
 * stale `resourceVersion` reject with a conflict (the core's ConflictError or a 409); `delete`
 * of a missing Secret succeeds. Other API errors (e.g. 403) reject as they are.
 */
export interface SecretStore {
  get(namespace: string, name: string): Promise<StoredSecret | undefined>;
  create(secret: StoredSecret): Promise<StoredSecret>;
  update(secret: StoredSecret): Promise<StoredSecret>;
  delete(namespace: string, name: string): Promise<void>;
}
