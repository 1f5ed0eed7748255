import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet, runRelease } from '../../runtime/fixture-release.mjs';
import { TempDirs, checkoutElsewhere, copyOfProject, fixtureProject, fixturesDir, tempDir, unpackTarball } from './builds.js';

/** The example service's shape (a TypeScript contract reading package.json and a local module). */
export const releaseFixture = join(fixturesDir, 'release-service');
export const RELEASE_TARBALL = 'release-service-1.2.0.tar.gz';

/**
 * A service with real npm dependencies of every kind a release must carry (express 4, pg, pino,
 * a CommonJS helper requiring a builtin, a package requiring node:sqlite only on demand as undici 7
 * does, better-sqlite3's native addon), a `.txt` import the
 * bundler's file loader writes beside the bundle, and `sql/greeting.sql` read at run time.
 */
export const dependenciesFixture = fixtureProject('release-dependencies');
const DEPENDENCIES_RELEASE = 'release-dependencies-1.0.0';
/** The files the fixture reads at run time, shipped through the plugin's `files` option. */
const DEPENDENCIES_FILES = ['sql/*.sql'];

/**
 * Builds the service project at `root` through one bundler entry, writing into `outdir`, with the
 * plugin's `files` option set to `files`. The config loads `.txt` imports as files the way that
 * bundler does (esbuild's `file` loader, webpack's `asset/resource`, a loader plugin for rollup's
 * family), as the dependencies fixture needs.
 */
export type BuildInto = (paths: { root: string; outdir: string; cacheDir: string; files: string[] }) => Promise<void>;

/** One build of the dependencies fixture on a shared 2-core machine packs 2 MB of node_modules: it may take a while. */
const DEPENDENCIES_BUILD_TIMEOUT_MS = 240_000;

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
        await buildInto({ root, outdir: join(root, 'dist'), cacheDir: join(root, '.cache'), files: [] });
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

/**
 * The same entry on the dependencies fixture, built in place (its node_modules is pnpm's, linked
 * into the store) into a folder outside it: the native package stays out of the bundle and ships
 * with its closure in the release's node_modules, listed at its exact version, and the unpacked
 * release answers /health/ready 200 and reports each dependency working. Built once more in a
 * second checkout of the repository at another path and depth, into the project's own dist/, it
 * gives a byte-identical tarball.
 */
export function describeDependenciesRelease(title: string, buildInto: BuildInto): void {
  describe(`the release-dependencies fixture built through ${title}`, () => {
    const temp = new TempDirs();
    let outdir: string;

    beforeAll(async () => {
      outdir = await temp.make('deps-dist');
      await buildInto({ root: dependenciesFixture, outdir, cacheDir: await temp.make('deps-cache'), files: DEPENDENCIES_FILES });
    }, DEPENDENCIES_BUILD_TIMEOUT_MS);
    afterAll(() => temp.removeAll());

    it('runs unpacked in an empty directory, its native addon shipped in node_modules, until /health/ready answers 200, its stacks naming its sources', async () => {
      const unpacked = await temp.make('deps-run');
      await unpackTarball(join(outdir, `${DEPENDENCIES_RELEASE}.tar.gz`), unpacked);
      const dir = join(unpacked, DEPENDENCIES_RELEASE);
      const packageJson = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      expect(packageJson.dependencies['better-sqlite3']).toBe('12.6.2');
      expect((await stat(join(dir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).isFile()).toBe(true);
      expect((await stat(join(dir, 'node_modules/bindings/bindings.js'))).isFile()).toBe(true);
      // As the Containerfile runs it: node --enable-source-maps main.js.
      const release = runRelease(dir, { NODE_OPTIONS: '--enable-source-maps' });
      try {
        const port = await release.port();
        expect(await readyStatus(port)).toBe(200);
        const { reportPort } = (await release.waitFor((event) => event.fixture === 'dependencies', 'the report port')) as { reportPort: number };
        // The stacks a service logs name its sources, whichever bundler wrote the map.
        const stack = (await httpGet(reportPort, '/stack')).body.split('\n');
        expect(stack.slice(0, 2)).toEqual(['Error: failed on purpose', expect.stringMatching(new RegExp(`/${DEPENDENCIES_RELEASE}/src/service\\.ts:\\d+:\\d+\\)?$`))]);
        expect((await httpGet(reportPort, '/report')).json).toEqual({
          sqlite: 'hello from sqlite',
          banner: 'banner from the file loader',
          pg: '127.0.0.1',
          emitted: true,
          pino: 'function',
          pgNative: 'not installed',
          features: true,
        });
        release.kill('SIGTERM');
        expect(await release.exited).toEqual({ code: 0, signal: null });
      } finally {
        release.kill('SIGKILL');
      }
    });

    // The per-Node installs of `npm run test:node` are projects of their own, linked to this
    // checkout's packages by absolute path, which no clone lays out: compared under `npm test` alone.
    it.skipIf(dependenciesFixture !== join(fixturesDir, 'release-dependencies'))(
      'gives a byte-identical tarball from a second checkout at another path, built into its own dist/',
      // The copy, one build, and rollup's takes four minutes alone on a 2-core machine shared by a dozen builds.
      { timeout: 2 * DEPENDENCIES_BUILD_TIMEOUT_MS },
      async () => {
        const root = await checkoutElsewhere(dependenciesFixture, temp);
        await buildInto({ root, outdir: join(root, 'dist'), cacheDir: join(root, 'node_modules', '.cache', 'hecate-om'), files: DEPENDENCIES_FILES });
        const tarball = `${DEPENDENCIES_RELEASE}.tar.gz`;
        // Compared by digest: vitest's deep equality walks a 3 MB buffer byte by byte for a minute and more.
        expect(await sha256Of(join(root, 'dist', tarball))).toBe(await sha256Of(join(outdir, tarball)));
      },
    );
  });
}

async function sha256Of(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
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
