import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hecateOm from '@hecate-om/unplugin/vite';
import { exampleRoot, run, sortedEntries, tempDir } from './support/builds.js';

describe('the example service built through the /vite entry', () => {
  const dirs: string[] = [];
  let viteOut: string;
  let esbuildOut: string;

  beforeAll(async () => {
    viteOut = await tempDir('vite');
    esbuildOut = await tempDir('vite-esbuild');
    dirs.push(viteOut, esbuildOut);
    await build({
      root: exampleRoot,
      configFile: false,
      logLevel: 'silent',
      build: { outDir: viteOut, emptyOutDir: true },
      plugins: [hecateOm()],
    });
    await run(process.execPath, ['build.mjs', esbuildOut], { cwd: exampleRoot });
  });
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('emits the bundle, its source map and every artifact', async () => {
    expect(await sortedEntries(viteOut)).toEqual([
      'Containerfile',
      'hecate-echo-0.1.0.tar.gz',
      'hecate-echo.container',
      'main.js',
      'main.js.map',
      'manifest.json',
      'ucan-request.json',
    ]);
  });

  it('derives the same manifest, UCAN request, Containerfile and Quadlet unit as the esbuild build', async () => {
    for (const file of ['manifest.json', 'ucan-request.json', 'Containerfile', 'hecate-echo.container'])
      expect(await readFile(join(viteOut, file), 'utf8'), file).toBe(await readFile(join(esbuildOut, file), 'utf8'));
  });

  it("packs vite's own main.js and main.js.map into the release tarball", async () => {
    const unpacked = await tempDir('vite-unpacked');
    dirs.push(unpacked);
    await run('tar', ['-xzf', join(viteOut, 'hecate-echo-0.1.0.tar.gz'), '-C', unpacked]);
    expect(await sortedEntries(join(unpacked, 'hecate-echo-0.1.0'))).toEqual(['main.js', 'main.js.map', 'manifest.json', 'package.json']);
    for (const file of ['main.js', 'main.js.map'])
      expect(await readFile(join(unpacked, 'hecate-echo-0.1.0', file)), file).toEqual(await readFile(join(viteOut, file)));
    expect(await readFile(join(viteOut, 'main.js'), 'utf8')).toMatch(/boot\(EchoService, \{ manifest: manifest_default \}\);/);
  });
});
