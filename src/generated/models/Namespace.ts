/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { RoleBinding } from './RoleBinding';
export type Namespace = {
  /**
   * Qualified name, `namespaces/<ns>`.
   */
  name?: string;
  roleBindings?: Array<RoleBinding>;
  createTime?: string;
  lifecyclePhase?: 'LIFECYCLE_PHASE_INVALID' | 'LIFECYCLE_PHASE_ACTIVE' | 'LIFECYCLE_PHASE_TERMINATING' | 'UNRECOGNIZED';
};

