import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet, runRelease } from '../../runtime/fixture-release.mjs';
import { copyOfProject, fixturesDir, tempDir, unpackTarball } from './builds.js';

/** The example service's shape (a TypeScript contract reading package.json and a local module). */
export const releaseFixture = join(fixturesDir, 'release-service');
export const RELEASE_TARBALL = 'release-service-1.2.0.tar.gz';

/** Builds the service project at `root` through one bundler entry, writing into `outdir`. */
export type BuildInto = (paths: { root: string; outdir: string; cacheDir: string }) => Promise<void>;

/**
 * The checks every bundler entry owes its users, on one pair of builds: the fixture built from two
 * copies of the project (two checkout paths, each with a cold cache) gives byte-identical
 * tarballs, and the tarball unpacked into an empty directory outside the checkout runs with
 * `node main.js`, as the Containerfile runs it, until `/health/ready` answers 200.
 */
export function describeRelease(title: string, buildInto: BuildInto): void {
  describe(`the release-service fixture built through ${title}`, () => {
    const dirs: string[] = [];
    let firstTarball: string;
    let tarballs: Buffer[];

    beforeAll(async () => {
      const roots = await Promise.all([1, 2].map(() => copyOfProject(releaseFixture)));
      dirs.push(...roots);
      // One after the other: two at once would only measure how the machine shares its cores.
      tarballs = [];
      for (const root of roots) {
        await buildInto({ root, outdir: join(root, 'dist'), cacheDir: join(root, '.cache') });
        tarballs.push(await readFile(join(root, 'dist', RELEASE_TARBALL)));
      }
      firstTarball = join(roots[0]!, 'dist', RELEASE_TARBALL);
    });
    afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

    it('gives byte-identical tarballs from two checkouts of the project', () => {
      expect(tarballs[1]?.equals(tarballs[0]!)).toBe(true);
    });

    it('runs from its tarball unpacked into an empty directory until /health/ready answers 200', async () => {
      const unpacked = await tempDir('release-run');
      dirs.push(unpacked);
      await unpackTarball(firstTarball, unpacked);
      const release = runRelease(join(unpacked, 'release-service-1.2.0'));
      try {
        const port = await release.port();
        expect(await readyStatus(port)).toBe(200);
        release.kill('SIGTERM');
        expect(await release.exited).toEqual({ code: 0, signal: null });
      } finally {
        release.kill('SIGKILL');
      }
    });
  });
}

/** Polls /health/ready until it answers 200 (start() has returned), for up to 15 s; the last status otherwise. */
async function readyStatus(port: number): Promise<number> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { status } = await httpGet(port, '/health/ready');
    if (status === 200 || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
