import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Configuration, type Stats, rspack } from '@rspack/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hecateOm from '@hecate-om/unplugin/rspack';
import { exampleRoot, run, sortedEntries, tempDir } from './support/builds.js';

/** rspack needs the ESM-for-node settings spelled out; the plugin supplies the entry's module. */
function rspackConfig(outdir: string, cacheDir: string): Configuration {
  return {
    context: exampleRoot,
    mode: 'production',
    target: 'node20',
    devtool: 'source-map',
    entry: { main: 'virtual:hecate-om/main' },
    output: { path: outdir, filename: '[name].js', module: true, chunkFormat: 'module', library: { type: 'module' } },
    optimization: { minimize: false },
    resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
    module: {
      rules: [{ test: /\.ts$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' } } }, type: 'javascript/auto' }],
    },
    plugins: [hecateOm({ cacheDir })],
  };
}

function compile(config: Configuration): Promise<Stats> {
  const compiler = rspack(config);
  return new Promise((resolve, reject) =>
    compiler.run((error, stats) => {
      compiler.close(() => (error || stats === undefined ? reject(error ?? new Error('no stats')) : resolve(stats)));
    }),
  );
}

describe('the example service built through the /rspack entry', () => {
  const dirs: string[] = [];
  let outdir: string;
  let esbuildOut: string;

  beforeAll(async () => {
    outdir = await tempDir('rspack');
    esbuildOut = await tempDir('rspack-esbuild');
    const cacheDir = await tempDir('rspack-cache');
    dirs.push(outdir, esbuildOut, cacheDir);
    const stats = await compile(rspackConfig(outdir, cacheDir));
    expect(stats.toJson({ all: false, errors: true }).errors).toEqual([]);
    await run(process.execPath, ['build.mjs', esbuildOut], { cwd: exampleRoot });
  });
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('emits every artifact beside main.js and derives the same manifest as esbuild', async () => {
    expect(await sortedEntries(outdir)).toEqual([
      'Containerfile',
      'hecate-echo-0.1.0.tar.gz',
      'hecate-echo.container',
      'main.js',
      'main.js.map',
      'manifest.json',
      'ucan-request.json',
    ]);
    for (const file of ['manifest.json', 'ucan-request.json', 'Containerfile', 'hecate-echo.container'])
      expect(await readFile(join(outdir, file), 'utf8'), file).toBe(await readFile(join(esbuildOut, file), 'utf8'));
  });

  it("packs rspack's own main.js into the release tarball", async () => {
    const unpacked = await tempDir('rspack-unpacked');
    dirs.push(unpacked);
    await run('tar', ['-xzf', join(outdir, 'hecate-echo-0.1.0.tar.gz'), '-C', unpacked]);
    expect(await readFile(join(unpacked, 'hecate-echo-0.1.0', 'main.js'))).toEqual(await readFile(join(outdir, 'main.js')));
  });
});
