import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { operatorRbacManifest } from './operator-rbac';

interface Document {
  kind: string;
  metadata: { name: string; namespace?: string };
  subjects?: { kind: string; name: string }[];
  roleRef?: { kind: string; name: string };
}

async function manifest(...args: Parameters<typeof operatorRbacManifest>): Promise<string[]> {
  const documents = parseAllDocuments(await operatorRbacManifest(...args)).map(
    (document) => document.toJS() as Document,
  );
  for (const binding of documents.filter((document) => document.kind.endsWith('Binding'))) {
    expect(binding.subjects).toEqual([
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'operator' },
    ]);
  }
  return documents.map(
    ({ kind, metadata, roleRef }) =>
      `${kind} ${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${metadata.name}` +
      (roleRef === undefined ? '' : ` -> ${roleRef.kind} ${roleRef.name}`),
  );
}

describe('operatorRbacManifest', () => {
  it("binds config/rbac's required roles to the user, the Role in the operator namespace", async () => {
    expect(await manifest('ops', 'operator')).toEqual([
      'Role ops/vp-operator-manager',
      'RoleBinding ops/vp-operator-manager -> Role vp-operator-manager',
      'ClusterRole vp-operator-manager',
      'ClusterRoleBinding vp-operator-manager-ops -> ClusterRole vp-operator-manager',
    ]);
  });

  it('binds the opt-in token Secret reader only in the namespaces named', async () => {
    const documents = await manifest('ops', 'operator', {
      tokenSecretReaderIn: ['apps-a', 'apps-b'],
    });
    expect(documents.slice(4)).toEqual([
      'ClusterRole vp-operator-token-secret-reader',
      'RoleBinding apps-a/vp-operator-token-secret-reader -> ClusterRole vp-operator-token-secret-reader',
      'RoleBinding apps-b/vp-operator-token-secret-reader -> ClusterRole vp-operator-token-secret-reader',
    ]);
  });
});
