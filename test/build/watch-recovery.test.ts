import { readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rspack } from '@rspack/core';
import webpack from 'webpack';
import { afterAll, describe, expect, it } from 'vitest';
import hecateOmRspack from '@hecate-om/unplugin/rspack';
import hecateOmWebpack from '@hecate-om/unplugin/webpack';
import { copyOfProject, fixturesDir, webpackLikeReleaseOptions } from './support/builds.js';

/** One compilation as the watcher reported it: its errors, and the files whose change started it. */
interface WatchedBuild {
  readonly errors: string[];
  readonly modifiedFiles: string[];
}

interface Watchable {
  modifiedFiles?: ReadonlySet<string> | undefined;
  watch(
    options: { aggregateTimeout: number },
    handler: (error: Error | null, stats?: { toJson(options: object): { errors?: { message: string }[] } }) => void,
  ): { close(callback: () => void): void };
}

/** Runs a real watcher and hands out its builds in order. */
class Watcher {
  readonly #builds: WatchedBuild[] = [];
  readonly #waiting: ((build: WatchedBuild) => void)[] = [];
  readonly #watching: { close(callback: () => void): void };

  constructor(compiler: Watchable) {
    this.#watching = compiler.watch({ aggregateTimeout: 50 }, (error, stats) => {
      const build: WatchedBuild = {
        errors: error === null ? (stats?.toJson({ all: false, errors: true }).errors ?? []).map(({ message }) => message) : [`fatal: ${error.message}`],
        modifiedFiles: [...(compiler.modifiedFiles ?? [])].sort(),
      };
      const waiter = this.#waiting.shift();
      if (waiter === undefined) this.#builds.push(build);
      else waiter(build);
    });
  }

  next(): Promise<WatchedBuild> {
    const build = this.#builds.shift();
    return build === undefined ? new Promise((resolve) => this.#waiting.push(resolve)) : Promise.resolve(build);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#watching.close(resolve));
  }
}

/**
 * Dates every file of a project (its node_modules aside) a minute back. webpack and rspack watch
 * through watchpack, which counts a file as changed when its mtime plus the file system's accuracy
 * (up to 2 s) reaches the time the watch began (watchpack's DirectoryWatcher `checkStartTime`), so the
 * files this test's setup wrote just before could otherwise show among the causes of a rebuild.
 */
async function dateBack(root: string): Promise<void> {
  const aMinuteAgo = new Date(Date.now() - 60_000);
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && !join(entry.parentPath, entry.name).includes('/node_modules/')) await utimes(join(entry.parentPath, entry.name), aMinuteAgo, aMinuteAgo);
  }
}

// webpack reads no TypeScript without a loader: the fixture's contract is plain JavaScript.
const jsService = join(fixturesDir, 'build-js-service');
const options = { service: 'src/service.js' };

const bundlers: { name: string; compiler(root: string, outdir: string): Watchable }[] = [
  {
    name: 'webpack',
    compiler: (root, outdir) =>
      webpack({
        ...webpackLikeReleaseOptions(root, outdir),
        experiments: { outputModule: true },
        plugins: [hecateOmWebpack({ ...options, cacheDir: join(root, '.cache') })],
      }) as unknown as Watchable,
  },
  {
    name: 'rspack',
    compiler: (root, outdir) =>
      rspack({ ...webpackLikeReleaseOptions(root, outdir), plugins: [hecateOmRspack({ ...options, cacheDir: join(root, '.cache') })] }) as unknown as Watchable,
  },
];

describe.each(bundlers)('$name watch mode', ({ compiler }) => {
  const projects: string[] = [];
  afterAll(() => Promise.all(projects.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('goes on after a contract error, rebuilds when the file is fixed, and compiles only for edits', async () => {
    const root = await copyOfProject(jsService);
    projects.push(root);
    const outdir = join(root, 'dist');
    const service = join(root, 'src/service.js');
    const source = await readFile(service, 'utf8');
    await writeFile(service, source.replace('ttlDays: TTL_DAYS', "ttlDays: Number('7')"));
    await dateBack(root);
    const watcher = new Watcher(compiler(root, outdir));
    try {
      const broken = await watcher.next();
      expect(broken.errors).toHaveLength(1);
      // rspack draws a frame around each line of a message: each line is checked on its own.
      expect(broken.errors[0]).toContain('[hecate-om] the service contract has 1 problem:');
      expect(broken.errors[0]).toContain(`${service}:14:92: identitySpec().ttlDays is`);

      // The fix is the only change: the cache is still cold, so this build writes the generated modules.
      await writeFile(service, source);
      const fixed = await watcher.next();
      expect(fixed).toEqual({ errors: [], modifiedFiles: [service] });
      expect(JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8'))).toMatchObject({ description: 'A contract in plain JavaScript' });

      // Had the modules written by the last build looked like edits, this build would have run
      // without one, or counted them among its causes.
      await writeFile(service, source.replace('A contract in plain JavaScript', 'Edited while watched'));
      const edited = await watcher.next();
      expect(edited).toEqual({ errors: [], modifiedFiles: [service] });
      expect(JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8'))).toMatchObject({ description: 'Edited while watched' });
    } finally {
      await watcher.close();
    }
  });
});
