import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

// The generated clients send `application/json-patch+json` for every patch of a custom object
// (and strategic merge patch, which CRDs reject, through KubernetesObjectApi): each call says
// which kind of patch its body is.

/** Request option: the body is a JSON merge patch (RFC 7386). */
export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** Request option: the body is a JSON patch (RFC 6902). */
export const JSON_PATCH = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
