/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type KubernetesTarget = {
  /**
   * Kubernetes namespace for the Flink pods; VVP's own namespace when absent.
   */
  namespace?: string;
};

