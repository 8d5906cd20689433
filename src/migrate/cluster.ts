import { ApiException, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { isJsonObject, type Json, type JsonObject } from '../json';
import { FINTECHSTUDIOS_GROUP, VERVERICA_API_VERSION, type SourceObject } from './convert';

/** The earlier operators' kinds, each at the version its objects are best read in. */
const SOURCES: readonly { group: string; versions: readonly string[]; plural: string }[] = [
  { group: FINTECHSTUDIOS_GROUP, versions: ['v1beta1'], plural: 'vpnamespaces' },
  // v1beta2 where it is served: a v1beta1 read hides v1beta2 fields in conversion annotations.
  { group: FINTECHSTUDIOS_GROUP, versions: ['v1beta2', 'v1beta1'], plural: 'vpdeploymenttargets' },
  { group: FINTECHSTUDIOS_GROUP, versions: ['v1beta2', 'v1beta1'], plural: 'vpdeployments' },
  { group: FINTECHSTUDIOS_GROUP, versions: ['v1beta1'], plural: 'vpsavepoints' },
  { group: VERVERICA_API_VERSION.split('/')[0] ?? '', versions: ['v1'], plural: 'vvpdeployments' },
];

/**
 * Lists the earlier operators' objects in every namespace through `kubeconfig` (the default
 * kubeconfig when undefined). A kind whose CRD is not installed is skipped and reported.
 */
export async function readClusterObjects(
  kubeconfig: string | undefined,
  report: (line: string) => void,
): Promise<SourceObject[]> {
  const config = new KubeConfig();
  if (kubeconfig === undefined) config.loadFromDefault();
  else config.loadFromFile(kubeconfig);
  const api = config.makeApiClient(CustomObjectsApi);
  const file = `cluster ${config.getCurrentCluster()?.server ?? ''}`.trim();
  const objects: SourceObject[] = [];
  for (const { group, versions, plural } of SOURCES) {
    const items = await listFirstServed(api, group, versions, plural);
    if (items === undefined) {
      report(`${plural}.${group}: not installed in this cluster; skipped`);
      continue;
    }
    report(`${plural}.${group}: ${items.length} object(s)`);
    for (const item of items) objects.push({ file, index: objects.length + 1, object: item });
  }
  return objects;
}

async function listFirstServed(
  api: CustomObjectsApi,
  group: string,
  versions: readonly string[],
  plural: string,
): Promise<JsonObject[] | undefined> {
  for (const version of versions) {
    try {
      // The API server answers JSON; the client types it as a plain object.
      const list = (await api.listClusterCustomObject({ group, version, plural })) as Json;
      const items = isJsonObject(list) ? list.items : undefined;
      return Array.isArray(items) ? items.filter(isJsonObject) : [];
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) continue;
      throw error;
    }
  }
  return undefined;
}
