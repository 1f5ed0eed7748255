import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rspack } from '@rspack/core';
import { build as esbuild } from 'esbuild';
import { rollup } from 'rollup';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { afterAll, describe, expect, it } from 'vitest';
import hecateOmEsbuild from '@hecate-om/unplugin/esbuild';
import hecateOmRollup from '@hecate-om/unplugin/rollup';
import hecateOmRspack from '@hecate-om/unplugin/rspack';
import hecateOmVite from '@hecate-om/unplugin/vite';
import hecateOmWebpack from '@hecate-om/unplugin/webpack';
import { TempDirs, compileOnce, fixturesDir, releaseArtifacts, sortedEntries, webpackLikeReleaseOptions } from './support/builds.js';

// The release holds main.js alone: a chunk split off for a dynamic import would be missing from
// the tarball, and the container would fail when the service loads it.
const root = join(fixturesDir, 'build-dynamic-import');
const options = { service: 'src/service.js' };
const ARTIFACTS = releaseArtifacts({ name: 'dynamic-import', version: '2.1.0' });

describe('a service with a dynamic import of its own module', () => {
  const temp = new TempDirs();
  afterAll(() => temp.removeAll());

  const expectOneFileBundle = async (outdir: string): Promise<void> => {
    expect(await sortedEntries(outdir)).toEqual(ARTIFACTS);
    expect(await readFile(join(outdir, 'main.js'), 'utf8')).toContain('dynamic-import-greeting');
  };

  it('is bundled into main.js alone by vite', async () => {
    const outdir = await temp.make('dynamic-vite');
    const cacheDir = await temp.make('dynamic-vite-cache');
    await viteBuild({
      root,
      configFile: false,
      logLevel: 'silent',
      build: { outDir: outdir, emptyOutDir: true },
      plugins: [hecateOmVite({ ...options, cacheDir })],
    });
    await expectOneFileBundle(outdir);
  });

  it('is bundled into main.js alone by rollup', async () => {
    const outdir = await temp.make('dynamic-rollup');
    const cacheDir = await temp.make('dynamic-rollup-cache');
    const bundle = await rollup({ external: [/^@hecate-om\/contract$/, /^node:/], plugins: [hecateOmRollup({ ...options, root, cacheDir })] });
    await bundle.write({ dir: outdir });
    await bundle.close();
    await expectOneFileBundle(outdir);
  });

  it('is bundled into main.js alone by webpack', async () => {
    const outdir = await temp.make('dynamic-webpack');
    const cacheDir = await temp.make('dynamic-webpack-cache');
    const stats = await compileOnce(
      webpack({
        ...webpackLikeReleaseOptions(root, outdir),
        experiments: { outputModule: true },
        plugins: [hecateOmWebpack({ ...options, cacheDir })],
      }),
    );
    expect(stats.toJson({ all: false, errors: true }).errors).toEqual([]);
    await expectOneFileBundle(outdir);
  });

  it('is bundled into main.js alone by rspack', async () => {
    const outdir = await temp.make('dynamic-rspack');
    const cacheDir = await temp.make('dynamic-rspack-cache');
    const stats = await compileOnce(
      rspack({
        ...webpackLikeReleaseOptions(root, outdir),
        plugins: [hecateOmRspack({ ...options, cacheDir })],
      }),
    );
    expect(stats.toJson({ all: false, errors: true }).errors).toEqual([]);
    await expectOneFileBundle(outdir);
  });

  it('fails the esbuild build clearly, writing nothing, when splitting is on', async () => {
    const outdir = await temp.make('dynamic-esbuild');
    await expect(
      esbuild({ absWorkingDir: root, outdir, format: 'esm', splitting: true, logLevel: 'silent', plugins: [hecateOmEsbuild(options)] }),
    ).rejects.toMatchObject({
      errors: [
        expect.objectContaining({
          text: 'hecate-om: esbuild "splitting" is on, but the release holds main.js alone, so a chunk split off for a dynamic import would be missing from it: leave "splitting" off',
        }),
      ],
    });
    expect(await sortedEntries(outdir)).toEqual([]);
  });
});
