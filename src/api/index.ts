/**
 * The vp-operator API (`vpoperator.dev/v1alpha1`): the four custom resource kinds, their
 * descriptors for the controller core, and the labels, annotations and finalizer they use.
 */
export * from './constants';
export type * from './types';
