import { describe, expect, it } from '@jest/globals';
import { capabilitiesOf } from './version';

describe('capabilitiesOf', () => {
  it.each([
    ['2.1.0', false],
    ['2.3.1', false],
    ['2.4.3', true],
    ['2.12.0', true],
    ['v2.10.4', true],
    ['3.0.0', true],
  ])('%s supports the 2.4 calls: %p', (version, expected) => {
    expect(capabilitiesOf(version)).toEqual({
      buildVersion: version,
      deploymentsByName: expected,
      upsert: expected,
      deploymentTargetName: expected,
    });
  });

  it('falls back to the 2.1 baseline for a missing or unreadable version', () => {
    expect(capabilitiesOf(undefined).upsert).toBe(false);
    expect(capabilitiesOf('development').deploymentsByName).toBe(false);
  });
});
