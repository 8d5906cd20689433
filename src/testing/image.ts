// The container image under test, with Debian's podman and buildah: a Node.js 24 base made
// locally (registry images cannot be pulled on the test machines), the build of the project's
// Dockerfile, and the built image's filesystem, where its entrypoint runs in a chroot (the
// sandboxes refuse `podman run`).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, realpathSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { execTool } from './exec';
import { toolCacheRoot, withFileLock } from './cache';

/** What to install when podman or buildah is missing (the README lists the same line). */
export const CONTAINER_TOOLS_INSTALL = 'apt-get install -y podman buildah';

const INSTALL_HINT = `The image test builds with Debian's podman and buildah: ${CONTAINER_TOOLS_INSTALL}`;

function podman(args: string[]): Promise<string> {
  return execTool('podman', args, { installHint: INSTALL_HINT });
}

function buildah(args: string[]): Promise<string> {
  return execTool('buildah', args, { installHint: INSTALL_HINT });
}

/**
 * Fails with one line naming what to install when podman or buildah is not there, or saying
 * that the test needs root (to mount images and enter their root filesystem).
 */
export async function requireContainerTools(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error('The image test runs as root: it mounts images (buildah mount) and unshares.');
  }
  await podman(['--version']);
  await buildah(['--version']);
}

/** The PATH of the official Node.js images and of distroless. */
const STANDARD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** Changes whenever the way the base images are assembled changes, so old tags are not reused. */
const BASE_RECIPE = 'node24-base/1';

/** A file of the host (`source`) and where it goes in a base image (`target`). */
interface HostFile {
  source: string;
  target: string;
}

/** The shared libraries `binary` loads (ldd), the dynamic loader included. */
async function sharedLibraries(binary: string): Promise<string[]> {
  const output = await execTool('ldd', [binary], {});
  return output
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

/** `binary` at `target` in the image, with every library it needs at its host path. */
async function executableWithLibraries(binary: string, target: string): Promise<HostFile[]> {
  const libraries = await sharedLibraries(binary);
  return [{ source: binary, target }, ...libraries.map((path) => ({ source: path, target: path }))];
}

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function contentKey(parts: readonly string[], files: readonly HostFile[]): Promise<string> {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part}\n`);
  for (const file of files) hash.update(`${file.target} ${await fileDigest(file.source)}\n`);
  return hash.digest('hex').slice(0, 16);
}

async function imageExists(tag: string): Promise<boolean> {
  try {
    await podman(['image', 'exists', tag]);
    return true;
  } catch {
    return false;
  }
}

/** Copies `files` into the root filesystem `root`, following symbolic links. */
async function install(root: string, files: readonly HostFile[]): Promise<void> {
  for (const file of files) {
    const target = join(root, file.target);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(file.source, target);
  }
}

/**
 * Commits a new image `tag` from `from` ("scratch" or an image) after `populate` filled its root
 * filesystem and `config` (buildah config arguments) set its configuration.
 */
async function commitImage(
  from: string,
  tag: string,
  config: string[],
  populate: (root: string) => Promise<void>,
): Promise<void> {
  const container = (await buildah(['from', '--pull=never', '--quiet', from])).trim();
  try {
    const root = (await buildah(['mount', container])).trim();
    await populate(root);
    await buildah(['umount', container]);
    if (config.length > 0) await buildah(['config', ...config, container]);
    await buildah(['commit', '--quiet', container, tag]);
  } finally {
    await buildah(['rm', container]);
  }
}

export interface NodeBaseImages {
  /** Node.js 24 and its libraries only, like distroless: the runtime base (BASE_IMAGE). */
  runtime: string;
  /** The runtime base plus npm, a shell, env and find, like node:24-bookworm-slim (BUILD_IMAGE). */
  builder: string;
}

/**
 * Local stand-ins for the Node.js 24 registry images, assembled from `nodeBinary` (the npm
 * `node` package's), the host's npm and the few host executables npm needs, each with the shared
 * libraries ldd names. Tagged by a key of their content, so they are built once per machine.
 * The builder trusts the host's certificate authorities, as a site's own base image would, so
 * npm reaches the registry through whatever TLS proxy the host trusts.
 */
export async function ensureNodeBaseImages(nodeBinary: string): Promise<NodeBaseImages> {
  const node = realpathSync(nodeBinary);
  const runtimeFiles = await executableWithLibraries(node, '/usr/local/bin/node');
  const npmRoot = join((await execTool('npm', ['root', '--global'], {})).trim(), 'npm');
  const npmVersion = (
    JSON.parse(await readFile(join(npmRoot, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const builderFiles = [
    ...(await executableWithLibraries(realpathSync('/bin/sh'), '/bin/sh')),
    ...(await executableWithLibraries(realpathSync('/usr/bin/env'), '/usr/bin/env')),
    ...(await executableWithLibraries(realpathSync('/usr/bin/find'), '/usr/bin/find')),
    ...(existsSync(HOST_CA_BUNDLE) ? [{ source: HOST_CA_BUNDLE, target: HOST_CA_BUNDLE }] : []),
  ];
  const key = await contentKey(
    [BASE_RECIPE, `npm ${npmVersion}`],
    [...runtimeFiles, ...builderFiles],
  );
  const images = {
    runtime: `localhost/vp-operator-test-node24:${key}`,
    builder: `localhost/vp-operator-test-node24-build:${key}`,
  };
  if ((await imageExists(images.runtime)) && (await imageExists(images.builder))) return images;

  const lock = join(toolCacheRoot(), 'node24-base-image.lock');
  await mkdir(toolCacheRoot(), { recursive: true });
  return withFileLock(
    lock,
    { timeoutMs: 10 * 60_000, purpose: 'the Node.js 24 base images' },
    async () => {
      if (!(await imageExists(images.runtime))) {
        await commitImage(
          'scratch',
          images.runtime,
          ['--env', `PATH=${STANDARD_PATH}`],
          async (root) => {
            await install(root, runtimeFiles);
            await mkdir(join(root, 'etc'), { recursive: true });
            await writeFile(
              join(root, 'etc/passwd'),
              'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
            );
            await writeFile(join(root, 'etc/group'), 'root:x:0:\nnonroot:x:65532:\n');
            await mkdir(join(root, 'tmp'));
            await chmod(join(root, 'tmp'), 0o1777);
          },
        );
      }
      if (!(await imageExists(images.builder))) {
        const caConfig = existsSync(HOST_CA_BUNDLE)
          ? ['--env', `NODE_EXTRA_CA_CERTS=${HOST_CA_BUNDLE}`]
          : [];
        await commitImage(images.runtime, images.builder, caConfig, async (root) => {
          await install(root, builderFiles);
          await cp(npmRoot, join(root, 'usr/local/lib/node_modules/npm'), { recursive: true });
          await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
          await mkdir(join(root, 'root'), { recursive: true });
        });
      }
      return images;
    },
  );
}

/** The lines of `podman build` output that say where the build is. */
const BUILD_STEP = /^(\[\d+\/\d+\] )?(STEP \d+\/\d+|COMMIT)/;
const BUILD_OUTPUT_TAIL_LINES = 40;

/**
 * Builds the Dockerfile in `context` as `tag` (podman build, the documented command), calling
 * `onStep` with each build step as it starts: a build takes minutes when npm has work to do.
 */
export function buildImage(
  context: string,
  tag: string,
  buildArgs: Record<string, string>,
  onStep: (step: string) => void = () => undefined,
): Promise<void> {
  const args = [
    'build',
    // The sandboxes have no cgroup access for an OCI runtime; chroot isolation needs none.
    '--isolation=chroot',
    '--pull=never',
    // Reuses unchanged steps (the npm installs) from earlier runs.
    '--layers',
    ...Object.entries(buildArgs).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]),
    '--tag',
    tag,
    context,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('podman', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const collect = (line: string): void => {
      output.push(line);
      if (output.length > BUILD_OUTPUT_TAIL_LINES) output.shift();
      if (BUILD_STEP.test(line)) onStep(line);
    };
    createInterface({ input: child.stdout }).on('line', collect);
    createInterface({ input: child.stderr }).on('line', collect);
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === 'ENOENT' ? `'podman' was not found. ${INSTALL_HINT}` : error.message,
        ),
      );
    });
    child.once('close', (code) => {
      if (code === 0) resolve();
      else
        reject(new Error(`podman build failed (exit code ${String(code)}):\n${output.join('\n')}`));
    });
  });
}

export interface ImageConfig {
  user: string;
  env: Record<string, string>;
  entrypoint: string[];
  workingDir: string;
  labels: Record<string, string>;
  /** Uncompressed size of all layers, as `podman images` shows it. */
  sizeBytes: number;
}

interface InspectedImage {
  Size: number;
  Config: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[];
    WorkingDir?: string;
    Labels?: Record<string, string>;
  };
}

export async function inspectImage(tag: string): Promise<ImageConfig> {
  const [image] = JSON.parse(await podman(['image', 'inspect', tag])) as InspectedImage[];
  if (image === undefined) throw new Error(`podman image inspect ${tag} returned nothing`);
  const env = Object.fromEntries(
    (image.Config.Env ?? []).map((entry) => {
      const split = entry.indexOf('=');
      return [entry.slice(0, split), entry.slice(split + 1)];
    }),
  );
  return {
    user: image.Config.User ?? '',
    env,
    entrypoint: image.Config.Entrypoint ?? [],
    workingDir: image.Config.WorkingDir ?? '/',
    labels: image.Config.Labels ?? {},
    sizeBytes: image.Size,
  };
}

export interface MountedImage {
  /** The image's root filesystem, with a writable layer of its own on top. */
  root: string;
  remove(): Promise<void>;
}

/** A working container of `tag`, mounted: what `podman run` would start from. */
export async function mountImage(tag: string): Promise<MountedImage> {
  const container = (await buildah(['from', '--pull=never', '--quiet', tag])).trim();
  const root = (await buildah(['mount', container])).trim();
  return {
    root,
    remove: async () => {
      await buildah(['rm', container]);
    },
  };
}

function onHostPath(name: string): string {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(directory, name);
    if (directory !== '' && existsSync(candidate)) return candidate;
  }
  throw new Error(`'${name}' is not on PATH (util-linux provides it)`);
}

export interface EntrypointLaunch {
  /** The command line: unshare, then the image's entrypoint. */
  command: string[];
  /** Exactly the image's environment. */
  env: NodeJS.ProcessEnv;
}

/**
 * The image's entrypoint as a container runtime starts it: in its own PID namespace (so it is
 * PID 1 and receives signals as PID 1 does), with the image's root filesystem, working
 * directory, user and environment. Only the network is the host's. The user must be numeric, as
 * Kubernetes' runAsNonRoot check requires.
 */
export function entrypointLaunch(image: MountedImage, config: ImageConfig): EntrypointLaunch {
  const match = /^(\d+)(?::(\d+))?$/.exec(config.user);
  if (match === null) throw new Error(`the image's user "${config.user}" is not numeric`);
  const uid = match[1] ?? '';
  const gid = match[2] ?? uid;
  return {
    command: [
      onHostPath('unshare'),
      '--pid',
      '--fork',
      '--kill-child',
      `--root=${image.root}`,
      `--wd=${config.workingDir}`,
      `--setuid=${uid}`,
      `--setgid=${gid}`,
      ...config.entrypoint,
    ],
    env: { ...config.env },
  };
}
