/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Namespace } from './Namespace';
/**
 * The one-key wrapper VVP puts around a single namespace (create, get, update, delete).
 */
export type NamespaceResponse = {
  namespace?: Namespace;
};

