import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { type Configuration, rspack } from '@rspack/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hecateOm from '@hecate-om/unplugin/rspack';
import { TempDirs, buildExample, compileOnce, exampleRoot, expectSameTextFiles, releaseArtifacts, sortedEntries, unpackTarball, webpackLikeReleaseOptions } from './support/builds.js';

/** rspack needs the ESM-for-node settings spelled out; the plugin supplies the entry's module. */
function rspackConfig(outdir: string, cacheDir: string): Configuration {
  return {
    ...webpackLikeReleaseOptions(exampleRoot, outdir),
    resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
    module: {
      rules: [{ test: /\.ts$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' } } }, type: 'javascript/auto' }],
    },
    plugins: [hecateOm({ cacheDir })],
  };
}

describe('the example service built through the /rspack entry', () => {
  const temp = new TempDirs();
  let outdir: string;
  let esbuildOut: string;

  beforeAll(async () => {
    outdir = await temp.make('rspack');
    esbuildOut = await temp.make('rspack-esbuild');
    const cacheDir = await temp.make('rspack-cache');
    const stats = await compileOnce(rspack(rspackConfig(outdir, cacheDir)));
    expect(stats.toJson({ all: false, errors: true }).errors).toEqual([]);
    await buildExample(esbuildOut);
  });
  afterAll(() => temp.removeAll());

  it('emits every artifact beside main.js and derives the same manifest as esbuild', async () => {
    expect(await sortedEntries(outdir)).toEqual(releaseArtifacts({ name: 'hecate-echo', version: '0.1.0' }));
    await expectSameTextFiles(outdir, esbuildOut, ['manifest.json', 'ucan-request.json', 'Containerfile', 'hecate-echo.container']);
  });

  it("packs rspack's own main.js into the release tarball", async () => {
    const unpacked = await temp.make('rspack-unpacked');
    await unpackTarball(join(outdir, 'hecate-echo-0.1.0.tar.gz'), unpacked);
    expect(await readFile(join(unpacked, 'hecate-echo-0.1.0', 'main.js'))).toEqual(await readFile(join(outdir, 'main.js')));
  });

  it('refuses output that is not an ES module before writing anything, naming output.module and what to set', async () => {
    const cjsOut = await temp.make('rspack-cjs');
    await writeFile(join(cjsOut, 'earlier.txt'), 'earlier');
    const { output, ...config } = rspackConfig(cjsOut, await temp.make('rspack-cjs-cache'));
    const stats = await compileOnce(rspack({ ...config, mode: 'development', output: { path: output!.path!, filename: '[name].js' } }));
    // rspack frames each message, `  × <message>\n`, in color where it thinks a terminal reads it (CI=true does).
    const messages = (stats.toJson({ all: false, errors: true }).errors ?? []).map(({ message }) =>
      stripVTControlCharacters(message).replace(/^\s*× /, '').trimEnd(),
    );
    expect(messages).toEqual([
      `[hecate-om] rspack config: output.module is not true, so main.js would be CommonJS, but the release's package.json says "type": "module" and Node would fail at its first require(): set output: { module: true, chunkFormat: 'module', library: { type: 'module' } }`,
    ]);
    expect(await sortedEntries(cjsOut)).toEqual(['earlier.txt']);
  });
});
