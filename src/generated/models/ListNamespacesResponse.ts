/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { Namespace } from './Namespace';
export type ListNamespacesResponse = {
  namespaces?: Array<Namespace>;
};

