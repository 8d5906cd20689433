import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, VP_SAVEPOINT, type VpSavepoint } from '../api';
import { isConflict } from '../controller';
import { DryRunWriteError } from '../vvp';

/**
 * Creates VpSavepoint resources on behalf of a VpDeployment (a savepointNonce, the savepoint
 * of a SavepointThenDelete deletion). Names are deterministic, so creating one twice, e.g.
 * after a crash, finds the first instead of making a second.
 */
export interface SavepointRecords {
  /** Creates `savepoint` unless a VpSavepoint of that name exists already. */
  ensure(savepoint: VpSavepoint): Promise<'created' | 'exists'>;
}

/** {@link SavepointRecords} on the API server (needs `create` on vpsavepoints). */
export class KubernetesSavepointRecords implements SavepointRecords {
  readonly #kubeConfig: KubeConfig;
  readonly #fieldManager: string;
  #api: CustomObjectsApi | undefined;

  constructor(kubeConfig: KubeConfig, fieldManager: string) {
    this.#kubeConfig = kubeConfig;
    this.#fieldManager = fieldManager;
  }

  async ensure(savepoint: VpSavepoint): Promise<'created' | 'exists'> {
    // Built on first use: most processes never record a savepoint.
    this.#api ??= this.#kubeConfig.makeApiClient(CustomObjectsApi);
    try {
      await this.#api.createNamespacedCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        plural: VP_SAVEPOINT.plural,
        namespace: savepoint.metadata?.namespace ?? '',
        body: { apiVersion: `${API_GROUP}/${API_VERSION}`, kind: VP_SAVEPOINT.kind, ...savepoint },
        fieldManager: this.#fieldManager,
      });
      return 'created';
    } catch (error) {
      if (isConflict(error)) return 'exists';
      throw error;
    }
  }
}

/**
 * `--dry-run`: a VpSavepoint a VpDeployment records stands for a savepoint VVP is to take, so
 * it is held back like a VVP write (the VpDeployment reports it as a WouldUpdate).
 */
export const heldBackSavepointRecords: SavepointRecords = {
  ensure(savepoint) {
    const namespace = savepoint.metadata?.namespace ?? '';
    const route = `/apis/${API_GROUP}/${API_VERSION}/namespaces/{namespace}/${VP_SAVEPOINT.plural}`;
    return Promise.reject(
      new DryRunWriteError(
        { method: 'POST', route, path: route.replace('{namespace}', namespace) },
        savepoint,
      ),
    );
  },
};
