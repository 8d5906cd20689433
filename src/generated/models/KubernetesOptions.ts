/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { OpenObject } from './OpenObject';
/**
 * Pod settings; their nested Kubernetes shapes are passed through as-is.
 */
export type KubernetesOptions = {
  pods?: OpenObject;
  jobManagerPodTemplate?: OpenObject;
  taskManagerPodTemplate?: OpenObject;
};

