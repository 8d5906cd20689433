/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { DeploymentRestoreStrategy } from './DeploymentRestoreStrategy';
import type { DeploymentTemplate } from './DeploymentTemplate';
import type { DeploymentUpgradeStrategy } from './DeploymentUpgradeStrategy';
import type { DesiredDeploymentState } from './DesiredDeploymentState';
export type DeploymentSpec = {
  state?: DesiredDeploymentState;
  deploymentTargetId?: string;
  /**
   * VVP 2.4 and later; older versions only accept `deploymentTargetId`.
   */
  deploymentTargetName?: string;
  upgradeStrategy?: DeploymentUpgradeStrategy;
  restoreStrategy?: DeploymentRestoreStrategy;
  maxSavepointCreationAttempts?: number;
  maxJobCreationAttempts?: number;
  template?: DeploymentTemplate;
};

