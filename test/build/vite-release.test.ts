import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hecateOm from '@hecate-om/unplugin/vite';
import {
  TempDirs,
  buildExample,
  exampleRoot,
  expectReleaseSourceMap,
  expectSameTextFiles,
  releaseArtifacts,
  sortedEntries,
  unpackTarball,
} from './support/builds.js';

describe('the example service built through the /vite entry', () => {
  const temp = new TempDirs();
  let viteOut: string;
  let esbuildOut: string;

  beforeAll(async () => {
    viteOut = await temp.make('vite');
    esbuildOut = await temp.make('vite-esbuild');
    await build({
      root: exampleRoot,
      configFile: false,
      logLevel: 'silent',
      build: { outDir: viteOut, emptyOutDir: true },
      plugins: [hecateOm()],
    });
    await buildExample(esbuildOut);
  });
  afterAll(() => temp.removeAll());

  it('emits the bundle, its source map and every artifact', async () => {
    expect(await sortedEntries(viteOut)).toEqual(releaseArtifacts({ name: 'hecate-echo', version: '0.1.0' }));
  });

  it('derives the same manifest, UCAN request, Containerfile and Quadlet unit as the esbuild build', async () => {
    await expectSameTextFiles(viteOut, esbuildOut, ['manifest.json', 'ucan-request.json', 'Containerfile', 'hecate-echo.container']);
  });

  it("packs vite's own main.js and main.js.map into the release tarball", async () => {
    const unpacked = await temp.make('vite-unpacked');
    await unpackTarball(join(viteOut, 'hecate-echo-0.1.0.tar.gz'), unpacked);
    expect(await sortedEntries(join(unpacked, 'hecate-echo-0.1.0'))).toEqual(['main.js', 'main.js.map', 'manifest.json', 'package.json']);
    expect(await readFile(join(unpacked, 'hecate-echo-0.1.0', 'main.js'))).toEqual(await readFile(join(viteOut, 'main.js')));
    await expectReleaseSourceMap(join(unpacked, 'hecate-echo-0.1.0', 'main.js.map'), join(viteOut, 'main.js.map'), viteOut, exampleRoot);
    expect(await readFile(join(viteOut, 'main.js'), 'utf8')).toMatch(
      /boot\(typeof EchoService === "function" \? EchoService : EchoService\?\.default, \{ manifest: manifest_default \}\);/,
    );
  });
});
