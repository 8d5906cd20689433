/* generated using openapi-typescript-codegen -- do not edit */
/* istanbul ignore file */
/* tslint:disable */
/* eslint-disable */
/**
 * One flat model for every artifact kind; which fields apply depends on `kind`
 * (`jarUri`/`entryClass`/`mainArgs` for JAR, `sqlScript` for SQLSCRIPT).
 *
 */
export type Artifact = {
  kind?: 'JAR' | 'SQLSCRIPT';
  jarUri?: string;
  entryClass?: string;
  /**
   * All program arguments in one string.
   */
  mainArgs?: string;
  sqlScript?: string;
  additionalDependencies?: Array<string>;
  flinkVersion?: string;
  flinkImageRegistry?: string;
  flinkImageRepository?: string;
  flinkImageTag?: string;
};

