import { DEFAULT_VVP_NAMESPACE } from '../../api';
import type { VvpLocation } from './types';

/** A CR that names its VVP object in `spec.metadata`, as targets and deployments do. */
interface NamedInSpecMetadata {
  metadata?: { name?: string };
  spec?: { metadata?: { name?: string; namespace?: string } };
}

/**
 * The VVP location of a CR whose VVP name is `spec.metadata.name`, else its own
 * `metadata.name`, in the VVP namespace `spec.metadata.namespace` (default `default`).
 */
export function locateInSpecMetadata(object: NamedInSpecMetadata): VvpLocation {
  const metadata = object.spec?.metadata;
  return {
    vvpNamespace: metadata?.namespace ?? DEFAULT_VVP_NAMESPACE,
    name: metadata?.name ?? object.metadata?.name ?? '',
  };
}
