import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Options as TsupOptions, build as tsup } from 'tsup';
import { build as tsdown } from 'tsdown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hecateOmEsbuild from '@hecate-om/unplugin/esbuild';
import hecateOmRolldown from '@hecate-om/unplugin/rolldown';
import { copyOfProject, sortedEntries } from './support/builds.js';
import { releaseFixture } from './support/release-matrix.js';

// The natural configs of tsup and tsdown, short of the settings their recipes add: what the plugin
// fixes, and what it refuses with the setting named. The working recipes are built and run in releases/.
let root: string;
beforeAll(async () => {
  root = await copyOfProject(releaseFixture);
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** tsup resolves its entry from the working directory, as when it runs in the project. */
async function buildWithTsup(options: TsupOptions): Promise<void> {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    await tsup({
      config: false,
      silent: true,
      platform: 'node',
      sourcemap: true,
      noExternal: [/./],
      esbuildPlugins: [hecateOmEsbuild({ cacheDir: join(root, '.cache') })],
      esbuildOptions: (esbuildOptions) => {
        esbuildOptions.absWorkingDir = root;
      },
      ...options,
    });
  } finally {
    process.chdir(cwd);
  }
}

describe('tsup', () => {
  it('builds the generated entry, which boots the service, where the entry list names the service module', async () => {
    const outDir = join(root, 'tsup-list');
    await buildWithTsup({ entry: ['src/service.ts'], format: 'esm', splitting: false, outDir });
    expect(await sortedEntries(outDir)).toContain('main.js');
    expect(await readFile(join(outDir, 'main.js'), 'utf8')).toMatch(/\nboot\(Service, \{ manifest: manifest_default \}\);\n/);
  });

  it('refuses its default CommonJS format, naming the setting, before writing anything', async () => {
    const outDir = join(root, 'tsup-cjs');
    await expect(buildWithTsup({ entry: { main: 'src/service.ts' }, splitting: false, outDir })).rejects.toMatchObject({
      errors: [
        expect.objectContaining({
          text: `hecate-om: esbuild "format" is "cjs", but the release's package.json says "type": "module", so Node runs main.js as an ES module: set format: 'esm' (or leave it out)`,
        }),
      ],
    });
    await expect(sortedEntries(outDir)).rejects.toThrow(/ENOENT/);
  });

  it('refuses its default code splitting for ESM, naming the setting', async () => {
    const outDir = join(root, 'tsup-splitting');
    await expect(buildWithTsup({ entry: { main: 'src/service.ts' }, format: 'esm', outDir })).rejects.toMatchObject({
      errors: [expect.objectContaining({ text: expect.stringContaining('hecate-om: esbuild "splitting" is on') })],
    });
  });
});

describe('tsdown', () => {
  it('fails naming fixedExtension when it writes main.mjs, and writes no release', async () => {
    const outDir = join(root, 'tsdown-mjs');
    await expect(
      tsdown({
        config: false,
        cwd: root,
        logLevel: 'silent',
        entry: { main: 'src/service.ts' },
        platform: 'node',
        sourcemap: true,
        deps: { alwaysBundle: [/./] },
        outDir,
        plugins: [hecateOmRolldown({ cacheDir: join(root, '.cache') })],
      }),
    ).rejects.toThrow(
      "the release needs main.js in the output, but the build produced main.mjs, main.mjs.map: leave the input to the plugin (it adds main: 'virtual:hecate-om/main') and name entry files [name].js (tsdown: fixedExtension: false)",
    );
    expect((await sortedEntries(outDir).catch(() => [])).filter((file) => file.endsWith('.tar.gz'))).toEqual([]);
  });
});
