import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import webpack, { type Configuration, type Stats } from 'webpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hecateOmEsbuild from '@hecate-om/unplugin/esbuild';
import hecateOmWebpack from '@hecate-om/unplugin/webpack';
import { fixturesDir, run, sortedEntries, tempDir } from './support/builds.js';

// webpack reads no TypeScript without a loader: the fixture's contract is plain JavaScript.
const jsService = join(fixturesDir, 'build-js-service');

function webpackConfig(context: string, outdir: string, cacheDir: string, service?: string): Configuration {
  return {
    context,
    mode: 'production',
    target: 'node20',
    devtool: 'source-map',
    entry: { main: 'virtual:hecate-om/main' },
    output: { path: outdir, filename: '[name].js', module: true, chunkFormat: 'module', library: { type: 'module' } },
    experiments: { outputModule: true },
    optimization: { minimize: false },
    plugins: [hecateOmWebpack({ cacheDir, ...(service === undefined ? {} : { service }) })],
  };
}

function compile(config: Configuration): Promise<Stats> {
  const compiler = webpack(config);
  return new Promise((resolve, reject) =>
    compiler.run((error, stats) => {
      compiler.close(() => (error || stats === undefined ? reject(error ?? new Error('no stats')) : resolve(stats)));
    }),
  );
}

describe('a JavaScript service built through the /webpack entry', () => {
  const dirs: string[] = [];
  let outdir: string;
  let esbuildOut: string;

  beforeAll(async () => {
    outdir = await tempDir('webpack');
    esbuildOut = await tempDir('webpack-esbuild');
    const cacheDir = await tempDir('webpack-cache');
    dirs.push(outdir, esbuildOut, cacheDir);
    const stats = await compile(webpackConfig(jsService, outdir, cacheDir, 'src/service.js'));
    expect(stats.toJson({ all: false, errors: true }).errors).toEqual([]);
    await build({ absWorkingDir: jsService, outdir: esbuildOut, logLevel: 'silent', plugins: [hecateOmEsbuild({ service: 'src/service.js', cacheDir })] });
  });
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('emits every artifact beside main.js and derives the same manifest as esbuild', async () => {
    expect(await sortedEntries(outdir)).toEqual([
      'Containerfile',
      'js-service-2.1.0.tar.gz',
      'js-service.container',
      'main.js',
      'main.js.map',
      'manifest.json',
      'ucan-request.json',
    ]);
    for (const file of ['manifest.json', 'ucan-request.json', 'Containerfile', 'js-service.container'])
      expect(await readFile(join(outdir, file), 'utf8'), file).toBe(await readFile(join(esbuildOut, file), 'utf8'));
  });

  it("packs webpack's own main.js into the release tarball", async () => {
    const unpacked = await tempDir('webpack-unpacked');
    dirs.push(unpacked);
    await run('tar', ['-xzf', join(outdir, 'js-service-2.1.0.tar.gz'), '-C', unpacked]);
    expect(await readFile(join(unpacked, 'js-service-2.1.0', 'main.js'))).toEqual(await readFile(join(outdir, 'main.js')));
  });

  it('fails a broken contract with file:line:column of every problem in the message text', async () => {
    const root = join(fixturesDir, 'build-broken-contract');
    const brokenOut = await tempDir('webpack-broken');
    const cacheDir = await tempDir('webpack-broken-cache');
    dirs.push(brokenOut, cacheDir);
    const failure = await compile(webpackConfig(root, brokenOut, cacheDir)).then(
      () => undefined,
      (error: Error) => error,
    );
    const service = join(root, 'src/service.ts');
    expect(failure?.message.split('\n').slice(0, 1)).toEqual(['[hecate-om] the service contract has 4 problems:']);
    for (const position of ['3:22', '7:21', '10:83', '13:48']) expect(failure?.message).toContain(`\n  ${service}:${position}: `);
    expect(await sortedEntries(brokenOut)).toEqual([]);
  });
});
