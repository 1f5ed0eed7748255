import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { context } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '@hecate-om/contract';
import { inspectService } from '@hecate-om/unplugin';
import hecateOm from '@hecate-om/unplugin/esbuild';
import { buildInChild, copyOfProject, exampleRoot, fixturesDir, tempDir } from './support/builds.js';

const readManifest = async (outdir: string): Promise<Manifest> => JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8')) as Manifest;

/** What only the analysis (ts-morph, zod, the contract's schemas) would load. */
const ANALYSIS_MODULES = /\/(?:ts-morph|typescript|zod|@ts-morph)\/|\/contract\/dist\/(?:index|schemas)\.js$|\/analyze-service\.js$/;

describe('the extraction cache', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('serves a warm build from the cache without loading ts-morph, typescript or zod', async () => {
    const cacheDir = await tempDir('cache');
    const outdir = await tempDir('cache-out');
    dirs.push(cacheDir, outdir);
    const logs = await tempDir('load-logs');
    dirs.push(logs);
    const coldLog = join(logs, 'cold.log');
    const warmLog = join(logs, 'warm.log');
    const config = { root: exampleRoot, outdir, options: { cacheDir } };

    expect(await buildInChild(config, coldLog)).toEqual({ errors: [] });
    const cold = (await readFile(coldLog, 'utf8')).split('\n');
    expect(cold.filter((url) => ANALYSIS_MODULES.test(url)).length).toBeGreaterThan(0);
    const coldManifest = await readManifest(outdir);

    expect(await buildInChild(config, warmLog)).toEqual({ errors: [] });
    const warm = (await readFile(warmLog, 'utf8')).split('\n');
    expect(warm.filter((url) => url.includes('/unplugin/dist/esbuild.js'))).toHaveLength(1);
    expect(warm.filter((url) => ANALYSIS_MODULES.test(url))).toEqual([]);
    expect(await readManifest(outdir)).toEqual(coldManifest);
  });

  it('lets inspectService answer from the cache a build filled, and analyse where it is empty', async () => {
    const [cacheDir, emptyCacheDir, outdir] = await Promise.all(['inspect-cache', 'inspect-empty', 'inspect-out'].map(tempDir));
    dirs.push(cacheDir!, emptyCacheDir!, outdir!);
    expect(await buildInChild({ root: exampleRoot, outdir: outdir!, options: { cacheDir } })).toEqual({ errors: [] });
    const cached = await inspectService({ cacheDir: cacheDir! }, exampleRoot);
    expect(cached).toMatchObject({ ok: true, source: 'disk' });
    expect(cached.ok && cached.analysis.manifest).toEqual(await readManifest(outdir!));
    const analysed = await inspectService({ cacheDir: emptyCacheDir! }, exampleRoot);
    expect(analysed).toMatchObject({ ok: true, source: 'analysis' });
    expect(analysed.ok && analysed.analysis.manifest).toEqual(await readManifest(outdir!));
  });

  describe('a service whose identity takes ttlDays from an imported const', () => {
    let root: string;
    beforeAll(async () => {
      root = await copyOfProject(join(fixturesDir, 'build-imported-const'));
      dirs.push(root);
    });

    it('derives the manifest again when the imported const changes, in a new process', async () => {
      const outdir = join(root, 'dist');
      const options = { cacheDir: join(root, '.cache') };
      expect(await buildInChild({ root, outdir, options })).toEqual({ errors: [] });
      expect((await readManifest(outdir)).identity.ttlDays).toBe(30);
      await writeFile(join(root, 'src/limits.ts'), 'export const TTL_DAYS = 7;\n');
      expect(await buildInChild({ root, outdir, options })).toEqual({ errors: [] });
      expect((await readManifest(outdir)).identity.ttlDays).toBe(7);
      const ucanRequest = JSON.parse(await readFile(join(outdir, 'ucan-request.json'), 'utf8')) as { lifetimeSeconds: number };
      expect(ucanRequest.lifetimeSeconds).toBe(7 * 86_400);
    });

    it('derives the manifest again when the imported const changes between watch-mode rebuilds', async () => {
      const outdir = join(root, 'watch-dist');
      await writeFile(join(root, 'src/limits.ts'), 'export const TTL_DAYS = 14;\n');
      const watch = await context({ absWorkingDir: root, outdir, logLevel: 'silent', plugins: [hecateOm({ cacheDir: join(root, '.cache') })] });
      try {
        await watch.rebuild();
        expect((await readManifest(outdir)).identity.ttlDays).toBe(14);
        await watch.rebuild();
        expect((await readManifest(outdir)).identity.ttlDays).toBe(14);
        await writeFile(join(root, 'src/limits.ts'), 'export const TTL_DAYS = 90;\n');
        await watch.rebuild();
        expect((await readManifest(outdir)).identity.ttlDays).toBe(90);
      } finally {
        await watch.dispose();
      }
    });
  });
  it('derives the manifest again when a file that takes precedence over the module an import resolved to appears', async () => {
    // './limits' resolved to src/limits/index.ts because src/limits.ts did not exist; once it does,
    // both esbuild and the analysis read it instead, so the cached manifest no longer holds.
    const root = await copyOfProject(join(fixturesDir, 'build-directory-import'));
    dirs.push(root);
    const outdir = join(root, 'dist');
    const options = { cacheDir: join(root, '.cache') };
    expect(await buildInChild({ root, outdir, options })).toEqual({ errors: [] });
    expect((await readManifest(outdir)).identity.ttlDays).toBe(30);
    await writeFile(join(root, 'src/limits.ts'), 'export const TTL_DAYS = 7;\n');
    expect(await buildInChild({ root, outdir, options })).toEqual({ errors: [] });
    expect((await readManifest(outdir)).identity.ttlDays).toBe(7);
  });
  it('rebuilds in esbuild watch mode when a contract that failed is fixed', async () => {
    // The failed analysis keeps esbuild from loading the service, so the plugin must name the
    // files it read for esbuild to watch, or the fix would never trigger a rebuild.
    const root = await copyOfProject(join(fixturesDir, 'build-imported-const'));
    dirs.push(root);
    const service = join(root, 'src/service.ts');
    const source = await readFile(service, 'utf8');
    await writeFile(service, source.replace('ttlDays: TTL_DAYS', "ttlDays: Number('7')"));
    const outdir = join(root, 'dist');
    const results: { errors: number }[] = [];
    let nextBuild: () => void = () => {};
    const built = (count: number): Promise<void> =>
      new Promise((resolve) => {
        nextBuild = () => results.length >= count && resolve();
        nextBuild();
      });
    const watch = await context({
      absWorkingDir: root,
      outdir,
      logLevel: 'silent',
      plugins: [
        hecateOm({ cacheDir: join(root, '.cache') }),
        { name: 'record', setup: (build) => void build.onEnd((result) => void (results.push({ errors: result.errors.length }), nextBuild())) },
      ],
    });
    try {
      await watch.watch();
      await built(1);
      expect(results).toEqual([{ errors: 1 }]);
      await writeFile(service, source);
      await built(2);
      expect(results).toEqual([{ errors: 1 }, { errors: 0 }]);
      expect((await readManifest(outdir)).identity.ttlDays).toBe(30);
    } finally {
      await watch.dispose();
    }
  }, 20_000);
});
