import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { rollup, watch as rollupWatch } from 'rollup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hecateOmEsbuild from '@hecate-om/unplugin/esbuild';
import hecateOmRollup from '@hecate-om/unplugin/rollup';
import { TempDirs, copyOfProject, expectSameTextFiles, fixturesDir, releaseArtifacts, sortedEntries, unpackTarball } from './support/builds.js';

// Plain rollup has no TypeScript and no node_modules resolution: the fixture's contract is plain
// JavaScript, and bare imports stay external. What is checked is the plugin's wiring. rollup has no
// root of its own, so the plugin is told where the service project is.
const root = join(fixturesDir, 'build-js-service');
const options = { service: 'src/service.js' };

describe('a JavaScript service built through the /rollup entry', () => {
  const temp = new TempDirs();
  let rollupOut: string;
  let esbuildOut: string;

  beforeAll(async () => {
    rollupOut = await temp.make('rollup');
    esbuildOut = await temp.make('rollup-esbuild');
    const cacheDir = await temp.make('rollup-cache');
    const bundle = await rollup({ external: [/^@hecate-om\/contract$/, /^node:/], plugins: [hecateOmRollup({ ...options, root, cacheDir })] });
    await bundle.write({ dir: rollupOut });
    await bundle.close();
    await build({ absWorkingDir: root, outdir: esbuildOut, logLevel: 'silent', plugins: [hecateOmEsbuild({ ...options, cacheDir })] });
  });
  afterAll(() => temp.removeAll());

  it('sets the entry, writes main.js with its map and emits every artifact', async () => {
    expect(await sortedEntries(rollupOut)).toEqual(releaseArtifacts({ name: 'js-service', version: '2.1.0' }));
    expect(await readFile(join(rollupOut, 'main.js'), 'utf8')).toMatch(
      /const Service = typeof JsService === 'function' \? JsService : JsService\?\.default;\nboot\(Service, \{ manifest(?:\$\d+)? \}\);\n\/\/# sourceMappingURL=main\.js\.map\n$/,
    );
  });

  it('derives the same manifest and UCAN request as the esbuild build', async () => {
    await expectSameTextFiles(rollupOut, esbuildOut, ['manifest.json', 'ucan-request.json']);
  });

  it("packs rollup's own main.js into the release tarball", async () => {
    const unpacked = await temp.make('rollup-unpacked');
    await unpackTarball(join(rollupOut, 'js-service-2.1.0.tar.gz'), unpacked);
    expect(await readFile(join(unpacked, 'js-service-2.1.0', 'main.js'))).toEqual(await readFile(join(rollupOut, 'main.js')));
  });
});

describe('rollup watch mode', () => {
  const temp = new TempDirs();
  afterAll(() => temp.removeAll());

  it('builds with the generated entry, though watch() hands the plugin input: [] where the config names none', async () => {
    const outdir = await temp.make('rollup-watch-entry');
    const watcher = rollupWatch({
      external: [/^@hecate-om\/contract$/, /^node:/],
      plugins: [hecateOmRollup({ ...options, root, cacheDir: join(outdir, '.cache') })],
      output: { dir: outdir },
    });
    try {
      const outcome = await new Promise<string>((resolve) =>
        watcher.on('event', (event) => {
          if (event.code === 'BUNDLE_END') void event.result.close().then(() => resolve('BUNDLE_END'));
          if (event.code === 'ERROR') resolve(`ERROR ${event.error.message}`);
        }),
      );
      expect(outcome).toBe('BUNDLE_END');
      expect(await sortedEntries(outdir)).toEqual(['.cache', ...releaseArtifacts({ name: 'js-service', version: '2.1.0' })].sort());
    } finally {
      await watcher.close();
    }
  });

  it('rebuilds when a contract that failed is fixed', async () => {
    // The failed analysis keeps rollup from loading the service, so the plugin must name the
    // files it read for rollup to watch, or the fix would never trigger a rebuild.
    const project = await copyOfProject(root);
    const outdir = await temp.make('rollup-watch');
    const service = join(project, 'src/service.js');
    const source = await readFile(service, 'utf8');
    await writeFile(service, source.replace('ttlDays: TTL_DAYS', "ttlDays: Number('7')"));
    const events: string[] = [];
    let onEvent: () => void = () => {};
    const seen = (count: number): Promise<void> =>
      new Promise((resolve) => {
        onEvent = () => events.length >= count && resolve();
        onEvent();
      });
    const watcher = rollupWatch({
      external: [/^@hecate-om\/contract$/, /^node:/],
      plugins: [hecateOmRollup({ ...options, root: project, cacheDir: join(outdir, '.cache') })],
      output: { dir: outdir },
      watch: { skipWrite: false, buildDelay: 50 },
    });
    watcher.on('event', (event) => {
      if (event.code === 'ERROR' || event.code === 'BUNDLE_END') {
        if (event.code === 'BUNDLE_END') void event.result.close();
        events.push(event.code);
        onEvent();
      }
    });
    try {
      await seen(1);
      expect(events).toEqual(['ERROR']);
      await writeFile(service, source);
      await seen(2);
      expect(events).toEqual(['ERROR', 'BUNDLE_END']);
    } finally {
      await watcher.close();
      await rm(project, { recursive: true, force: true });
    }
  }, 20_000);
});
