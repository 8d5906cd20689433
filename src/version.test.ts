import { describe, expect, it } from '@jest/globals';
import { USER_AGENT, VERSION } from './version';

describe('version', () => {
  it('reads the release version from package.json', () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(USER_AGENT).toBe(`vp-operator/${VERSION}`);
  });
});
