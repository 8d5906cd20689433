/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
export type JobStatusStarted = {
  flinkJobId?: string;
  startedAt?: string;
  lastUpdateTime?: string;
  observedFlinkJobStatus?: string;
  observedFlinkJobRestarts?: number;
};

