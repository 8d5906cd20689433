import { readFileSync } from 'node:fs';

interface PackageManifest {
  name: string;
  version: string;
}

const manifest = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as PackageManifest;

/** The operator's release version, as declared in package.json. */
export const VERSION = manifest.version;

/** User-Agent sent on every outgoing request. */
export const USER_AGENT = `vp-operator/${VERSION}`;
