import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

/** The operator's roles as a cluster administrator installs them (config/rbac). */
export const RBAC_DIR = fileURLToPath(new URL('../../config/rbac/', import.meta.url));

/** Prefix of the opt-in roles (reading the token Secrets objects name), left out here. */
const OPT_IN_PREFIX = 'token-';

interface RoleManifest {
  apiVersion: string;
  kind: 'Role' | 'ClusterRole';
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}

/**
 * config/rbac's required roles bound to a User, as one multi-document YAML for `kubectl apply`:
 * the ClusterRole cluster-wide, the Role in `operatorNamespace` (which must exist). This is the
 * grant a real installation gives the manager's identity, nothing more.
 */
export async function operatorRbacManifest(
  operatorNamespace: string,
  user: string,
): Promise<string> {
  const files = (await readdir(RBAC_DIR))
    .filter((file) => file.endsWith('.yaml') && !file.startsWith(OPT_IN_PREFIX))
    .sort();
  const documents: object[] = [];
  for (const file of files) {
    for (const document of parseAllDocuments(await readFile(join(RBAC_DIR, file), 'utf8'))) {
      const role = document.toJS() as RoleManifest;
      const subjects = [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }];
      const roleRef = {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: role.kind,
        name: role.metadata.name,
      };
      if (role.kind === 'Role') {
        const metadata = { ...role.metadata, namespace: operatorNamespace };
        documents.push(
          { ...role, metadata },
          { apiVersion: role.apiVersion, kind: 'RoleBinding', metadata, subjects, roleRef },
        );
      } else {
        documents.push(role, {
          apiVersion: role.apiVersion,
          kind: 'ClusterRoleBinding',
          metadata: role.metadata,
          subjects,
          roleRef,
        });
      }
    }
  }
  return documents.map((document) => stringify(document)).join('---\n');
}
