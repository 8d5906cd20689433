import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { ConflictError, isConflict, isNotFound } from './errors';
import type { PlainObjectOf } from './kube-object';
import type { ResourceDescriptor } from './resource';

/** Core-group Secrets, for a {@link SecondaryWatch} and cache reads of them. */
export const SECRET: ResourceDescriptor = {
  group: '',
  version: 'v1',
  plural: 'secrets',
  kind: 'Secret',
  namespaced: true,
};

/** A core-group Secret as plain data; `data` values are base64, `stringData` is write-only. */
export type Secret = PlainObjectOf<V1Secret>;

/**
 * Direct API access to core-group Secrets (no cache: a reconciler that must see its own
 * writes at once, such as a token store, reads the server). Reconcilers that only react to
 * Secret changes watch them instead (a {@link SecondaryWatch} on Secrets).
 */
export interface SecretClient {
  /** The Secret, or undefined when it does not exist. */
  get(namespace: string, name: string): Promise<Secret | undefined>;
  /** Creates `secret` (namespace from its metadata); a Secret of that name existing is a {@link ConflictError}. */
  create(secret: Secret): Promise<Secret>;
  /** Replaces `secret`; its `metadata.resourceVersion` is the precondition (stale → {@link ConflictError}). */
  update(secret: Secret): Promise<Secret>;
  /** Deletes the Secret; one that is already gone is fine. */
  delete(namespace: string, name: string): Promise<void>;
}

/** {@link SecretClient} over CoreV1Api, writing as `fieldManager`. */
export class KubernetesSecretClient implements SecretClient {
  readonly #api: CoreV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly fieldManager: string,
  ) {
    this.#api = kubeConfig.makeApiClient(CoreV1Api);
  }

  async get(namespace: string, name: string): Promise<Secret | undefined> {
    try {
      return await this.#api.readNamespacedSecret({ namespace, name });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async create(secret: Secret): Promise<Secret> {
    const { namespace, name } = identify(secret, 'create');
    try {
      return await this.#api.createNamespacedSecret({
        namespace,
        body: secret,
        fieldManager: this.fieldManager,
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
      throw new ConflictError(`Secret ${namespace}/${name} already exists`, { cause: error });
    }
  }

  async update(secret: Secret): Promise<Secret> {
    const { namespace, name } = identify(secret, 'update');
    if (secret.metadata?.resourceVersion === undefined) {
      throw new Error(
        `Secret ${namespace}/${name} has no metadata.resourceVersion: update the Secret as read from the API server, so a concurrent change is not overwritten`,
      );
    }
    try {
      return await this.#api.replaceNamespacedSecret({
        namespace,
        name,
        body: secret,
        fieldManager: this.fieldManager,
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
      throw new ConflictError(
        `Secret ${namespace}/${name} changed since resourceVersion ${secret.metadata.resourceVersion} was read; will retry`,
        { cause: error },
      );
    }
  }

  async delete(namespace: string, name: string): Promise<void> {
    try {
      await this.#api.deleteNamespacedSecret({ namespace, name });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

function identify(secret: Secret, verb: string): { namespace: string; name: string } {
  const namespace = secret.metadata?.namespace;
  const name = secret.metadata?.name;
  if (namespace === undefined || namespace === '' || name === undefined || name === '') {
    throw new Error(`cannot ${verb} a Secret without metadata.namespace and metadata.name`);
  }
  return { namespace, name };
}
