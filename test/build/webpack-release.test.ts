import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import webpack, { type Configuration, type Stats } from 'webpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hecateOmEsbuild from '@hecate-om/unplugin/esbuild';
import hecateOmWebpack from '@hecate-om/unplugin/webpack';
import { TempDirs, compileOnce, expectSameTextFiles, fixturesDir, releaseArtifacts, sortedEntries, unpackTarball, webpackLikeReleaseOptions } from './support/builds.js';

// webpack reads no TypeScript without a loader: the fixture's contract is plain JavaScript.
const jsService = join(fixturesDir, 'build-js-service');

function webpackConfig(context: string, outdir: string, cacheDir: string, service?: string): Configuration {
  return {
    ...webpackLikeReleaseOptions(context, outdir),
    experiments: { outputModule: true },
    plugins: [hecateOmWebpack({ cacheDir, ...(service === undefined ? {} : { service }) })],
  };
}

function compile(config: Configuration): Promise<Stats> {
  return compileOnce(webpack(config));
}

describe('a JavaScript service built through the /webpack entry', () => {
  const temp = new TempDirs();
  let outdir: string;
  let esbuildOut: string;

  beforeAll(async () => {
    outdir = await temp.make('webpack');
    esbuildOut = await temp.make('webpack-esbuild');
    const cacheDir = await temp.make('webpack-cache');
    const stats = await compile(webpackConfig(jsService, outdir, cacheDir, 'src/service.js'));
    expect(stats.toJson({ all: false, errors: true }).errors).toEqual([]);
    await build({ absWorkingDir: jsService, outdir: esbuildOut, logLevel: 'silent', plugins: [hecateOmEsbuild({ service: 'src/service.js', cacheDir })] });
  });
  afterAll(() => temp.removeAll());

  it('emits every artifact beside main.js and derives the same manifest as esbuild', async () => {
    expect(await sortedEntries(outdir)).toEqual(releaseArtifacts({ name: 'js-service', version: '2.1.0' }));
    await expectSameTextFiles(outdir, esbuildOut, ['manifest.json', 'ucan-request.json', 'Containerfile', 'js-service.container']);
  });

  it("packs webpack's own main.js into the release tarball", async () => {
    const unpacked = await temp.make('webpack-unpacked');
    await unpackTarball(join(outdir, 'js-service-2.1.0.tar.gz'), unpacked);
    expect(await readFile(join(unpacked, 'js-service-2.1.0', 'main.js'))).toEqual(await readFile(join(outdir, 'main.js')));
  });

  it('fails a broken contract with file:line:column of every problem in the message text', async () => {
    const root = join(fixturesDir, 'broken-contract');
    const brokenOut = await temp.make('webpack-broken');
    const cacheDir = await temp.make('webpack-broken-cache');
    // A compilation error, not a fatal one: webpack's watcher goes on after it (see watch-recovery.test.ts).
    const stats = await compile(webpackConfig(root, brokenOut, cacheDir));
    const errors = stats.toJson({ all: false, errors: true }).errors ?? [];
    const failure = errors.find(({ message }) => message.startsWith('[hecate-om]'));
    const service = join(root, 'src/service.ts');
    expect(failure?.message.split('\n').slice(0, 1)).toEqual(['[hecate-om] the service contract has 4 problems:']);
    for (const position of ['3:22', '7:21', '10:83', '13:48']) expect(failure?.message).toContain(`\n  ${service}:${position}: `);
    expect(await sortedEntries(brokenOut)).toEqual([]);
  });

  it('refuses output that is not an ES module before writing anything, naming output.module and what to set', async () => {
    const cjsOut = await temp.make('webpack-cjs');
    // What an earlier build left there stays: nothing is written or removed.
    await writeFile(join(cjsOut, 'earlier.txt'), 'earlier');
    const { output, ...config } = webpackConfig(jsService, cjsOut, await temp.make('webpack-cjs-cache'), 'src/service.js');
    // development mode emits despite errors: the plugin must stop the emit itself.
    const stats = await compile({ ...config, mode: 'development', experiments: {}, output: { path: output!.path!, filename: '[name].js' } });
    const messages = (stats.toJson({ all: false, errors: true }).errors ?? []).map(({ message }) => message);
    expect(messages).toEqual([
      `[hecate-om] webpack config: output.module is not true, so main.js would be CommonJS, but the release's package.json says "type": "module" and Node would fail at its first require(): set output: { module: true, chunkFormat: 'module', library: { type: 'module' } } (and experiments: { outputModule: true } where this webpack version asks for it)`,
    ]);
    expect(await sortedEntries(cjsOut)).toEqual(['earlier.txt']);
  });
});
