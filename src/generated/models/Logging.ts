/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
import type { StringMap } from './StringMap';
export type Logging = {
  loggingProfile?: string;
  log4j2ConfigurationTemplate?: string;
  /**
   * Log level per logger name; the empty name is the root logger.
   */
  log4jLoggers?: StringMap;
};

