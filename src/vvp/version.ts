/** What the connected VVP accepts, derived from its build version (`GET /api/v1/status/system-info`). */
export interface VvpCapabilities {
  /** `revisionInformation.buildVersion` as reported, or undefined when VVP did not say. */
  buildVersion: string | undefined;
  /**
   * 2.4+: deployments can be addressed by name and names are DNS labels. Every version
   * accepts the id, which is why the operator addresses deployments by id.
   */
  deploymentsByName: boolean;
  /** 2.4+: PUT creates or replaces deployments and deployment targets. */
  upsert: boolean;
  /** 2.4+: `spec.deploymentTargetName` is understood; older versions need `deploymentTargetId`. */
  deploymentTargetName: boolean;
}

/**
 * Capabilities of a VVP build. An unreadable or missing version yields the 2.1 baseline, so the
 * operator stays on the calls every supported version accepts.
 */
export function capabilitiesOf(buildVersion: string | undefined): VvpCapabilities {
  const match = /^v?(\d+)\.(\d+)/.exec(buildVersion?.trim() ?? '');
  const major = Number(match?.[1] ?? 0);
  const minor = Number(match?.[2] ?? 0);
  const atLeast24 = major > 2 || (major === 2 && minor >= 4);
  return {
    buildVersion,
    deploymentsByName: atLeast24,
    upsert: atLeast24,
    deploymentTargetName: atLeast24,
  };
}
