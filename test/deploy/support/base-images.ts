import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cached } from './cache.mjs';
import { BASE_IMAGE_NODE_MAJOR, nodeBinary } from './node-binary.mjs';
import { podman, type PodmanHome } from './podman.js';
import { runOk } from './run.js';

/** Debian's own mirror; the only network the root filesystems need besides npm's registry. */
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/** The name the generated Containerfile starts FROM (the build plugin's default baseImage). */
export const BASE_IMAGE = `docker.io/library/node:${BASE_IMAGE_NODE_MAJOR}-slim`;

/**
 * What the official image gives the Containerfile: `node` on the PATH, and a `node` user and group
 * with uid and gid 1000 and a home directory. docker.io cannot be reached from CI, so the stand-in
 * is built from Debian's minimal root filesystem and the official binary that npm ships.
 */
const STAND_IN_CONTAINERFILE = `FROM localhost/hecate-om-deploy/minbase:build
COPY node /usr/local/bin/node
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
CMD ["node"]
`;
const STAND_IN_SUITE = 'trixie';

/** The packages the Quadlet checks and the live systemd run need: podman 5.4 and systemd 257 (Debian 13). */
const SYSTEMD_ROOTFS_SUITE = 'trixie';
const SYSTEMD_ROOTFS_PACKAGES = ['podman', 'runc', 'systemd', 'systemd-sysv', 'dbus', 'catatonit', 'procps', 'uidmap', 'passt'];
/** The stand-in's name in the podman home of a test run. */
export const SYSTEMD_IMAGE = 'localhost/hecate-om-deploy/trixie-systemd-podman:latest';

function mmdebstrap(args: readonly string[]): Promise<string> {
  return runOk('mmdebstrap', ['--quiet', ...args], { timeoutMs: 600_000 });
}

/**
 * Loads the stand-in for docker.io/library/node:<major>-slim into `home`, building it first when the
 * cache has no valid copy. Resolves to the Node version inside it.
 */
export async function loadStandInBaseImage(home: PodmanHome): Promise<string> {
  const inputs = { image: BASE_IMAGE, suite: STAND_IN_SUITE, mirror: DEBIAN_MIRROR, containerfile: STAND_IN_CONTAINERFILE };
  const { dir, details } = await cached('base-image', inputs, async (building) => {
    const context = join(home.dir, 'stand-in-context');
    await mkdir(context, { recursive: true });
    try {
      const node = await nodeBinary(BASE_IMAGE_NODE_MAJOR);
      await copyFile(node.path, join(context, 'node'));
      await writeFile(join(context, 'Containerfile'), STAND_IN_CONTAINERFILE);
      const rootfs = join(context, 'rootfs.tar');
      await mmdebstrap(['--variant=minbase', '--mode=root', STAND_IN_SUITE, rootfs, DEBIAN_MIRROR]);
      await podman(home, ['import', rootfs, 'localhost/hecate-om-deploy/minbase:build']);
      await rm(rootfs);
      await podman(home, ['build', '--quiet', '--format', 'docker', '--tag', BASE_IMAGE, '-f', join(context, 'Containerfile'), context]);
      await podman(home, ['rmi', 'localhost/hecate-om-deploy/minbase:build']);
      await podman(home, ['save', '--quiet', '--output', join(building, 'image.tar'), BASE_IMAGE]);
      return { nodeVersion: node.version };
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  });
  await podman(home, ['load', '--quiet', '--input', join(dir, 'image.tar')]);
  // The archive's hash was checked; what it holds is checked too before any test relies on it.
  const version = (await podman(home, ['run', '--rm', '--user', 'node', BASE_IMAGE, 'node', '--version'])).trim();
  if (version !== `v${details.nodeVersion}`)
    throw new Error(`the cached ${BASE_IMAGE} in ${dir} runs node ${version}, its record says ${details.nodeVersion}: delete ${dir}`);
  return details.nodeVersion;
}

/** Imports the Debian 13 root filesystem with podman 5.4 and systemd into `home`, building it when not cached. */
export async function loadSystemdImage(home: PodmanHome): Promise<void> {
  const inputs = { suite: SYSTEMD_ROOTFS_SUITE, mirror: DEBIAN_MIRROR, packages: SYSTEMD_ROOTFS_PACKAGES };
  const { dir } = await cached('systemd-rootfs', inputs, async (building) => {
    await mmdebstrap(['--variant=apt', '--mode=root', `--include=${SYSTEMD_ROOTFS_PACKAGES.join(',')}`, SYSTEMD_ROOTFS_SUITE, join(building, 'rootfs.tar'), DEBIAN_MIRROR]);
  });
  await podman(home, ['import', '--quiet', '--change', 'CMD ["/sbin/init"]', join(dir, 'rootfs.tar'), SYSTEMD_IMAGE]);
}
