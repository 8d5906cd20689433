/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { ResourceSpec } from './ResourceSpec';
/**
 * Resources keyed by Flink component (`jobmanager`, `taskmanager`).
 */
export type ResourcesByComponent = Record<string, ResourceSpec>;
