import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

/** The operator's roles as a cluster administrator installs them (config/rbac). */
export const RBAC_DIR = fileURLToPath(new URL('../../config/rbac/', import.meta.url));

/** Prefix of the opt-in roles (reading the token Secrets objects name). */
const OPT_IN_PREFIX = 'token-';

interface RoleManifest {
  apiVersion: string;
  kind: 'Role' | 'ClusterRole';
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}

export interface OperatorRbacOptions {
  /**
   * Namespaces in which the opt-in token Secret reader is granted, bound per namespace as for
   * watched namespaces; none by default (then the opt-in role is left out altogether).
   */
  tokenSecretReaderIn?: readonly string[];
}

/**
 * config/rbac bound to a User, as one multi-document YAML for `kubectl apply`: the required
 * ClusterRole cluster-wide (its binding named after `operatorNamespace`, so installations in
 * other namespaces keep theirs), the Role in `operatorNamespace`, the opt-in roles only in
 * `tokenSecretReaderIn`. All named namespaces must exist. This is the grant a real installation
 * gives the manager's identity, nothing more.
 */
export async function operatorRbacManifest(
  operatorNamespace: string,
  user: string,
  options: OperatorRbacOptions = {},
): Promise<string> {
  const readerNamespaces = options.tokenSecretReaderIn ?? [];
  const files = (await readdir(RBAC_DIR))
    .filter(
      (file) =>
        file.endsWith('.yaml') && (readerNamespaces.length > 0 || !file.startsWith(OPT_IN_PREFIX)),
    )
    .sort();
  const subjects = [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }];
  const documents: object[] = [];
  for (const file of files) {
    for (const document of parseAllDocuments(await readFile(join(RBAC_DIR, file), 'utf8'))) {
      const role = document.toJS() as RoleManifest;
      const roleRef = {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: role.kind,
        name: role.metadata.name,
      };
      const roleBinding = (namespace: string) => ({
        apiVersion: role.apiVersion,
        kind: 'RoleBinding',
        metadata: { ...role.metadata, namespace },
        subjects,
        roleRef,
      });
      if (role.kind === 'Role') {
        documents.push(
          { ...role, metadata: { ...role.metadata, namespace: operatorNamespace } },
          roleBinding(operatorNamespace),
        );
      } else if (file.startsWith(OPT_IN_PREFIX)) {
        documents.push(role, ...readerNamespaces.map(roleBinding));
      } else {
        documents.push(role, {
          apiVersion: role.apiVersion,
          kind: 'ClusterRoleBinding',
          metadata: { ...role.metadata, name: `${role.metadata.name}-${operatorNamespace}` },
          subjects,
          roleRef,
        });
      }
    }
  }
  return documents.map((document) => stringify(document)).join('---\n');
}
