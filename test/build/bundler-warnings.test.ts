import { isBuiltin } from 'node:module';
import commonjsTyped from '@rollup/plugin-commonjs';
import jsonTyped from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';
import type { build as vite8 } from 'vite';
import { build as vite7Typed } from 'vite7';
import { afterAll, describe, expect, it } from 'vitest';
import hecateOmRollup from '@hecate-om/unplugin/rollup';
import hecateOmVite from '@hecate-om/unplugin/vite';
import { TempDirs } from './support/builds.js';
import { fileUrlLoader } from './support/file-url-loader.js';
import { dependenciesFixture } from './support/release-matrix.js';

// The plugins' ES default exports, declared in type files that NodeNext reads as CommonJS.
const commonjs = commonjsTyped as unknown as typeof commonjsTyped.default;
const json = jsonTyped as unknown as typeof jsonTyped.default;

// The plugin is typed against vite 8's Plugin; vite 7 takes it at run time.
const vite7 = vite7Typed as unknown as typeof vite8;

/** A base image whose Node the plugin cannot tell: the release ships an addon, so the build warns and goes on. */
const BASE_IMAGE = 'registry.example.com/acme/runtime:3';
const WARNING = new RegExp(`^\\[plugin hecate-om\\] the release ships native addons \\(better-sqlite3\\) built for Node \\d+ \\(ABI \\d+\\), and the base image ${BASE_IMAGE.replaceAll('.', '\\.')} cannot be checked`);
const BUILD_TIMEOUT_MS = 240_000;

/** The plugin's name, once per line: the bundler prints it before each warning, the text does not repeat it. */
const namesOnce = (line: string): boolean => line.split('hecate-om').length - 1 === 1;

describe('warnings under bundlers that name the plugin themselves', () => {
  const temp = new TempDirs();
  afterAll(() => temp.removeAll());

  it('reads "[plugin hecate-om] <warning>" under rollup, the name once', { timeout: BUILD_TIMEOUT_MS }, async () => {
    const outdir = await temp.make('warn-rollup');
    const printed: string[] = [];
    const bundle = await rollup({
      plugins: [
        hecateOmRollup({ root: dependenciesFixture, baseImage: BASE_IMAGE, files: ['sql/*.sql'], tarball: false, cacheDir: await temp.make('warn-rollup-cache') }),
        fileUrlLoader(),
        nodeResolve({ preferBuiltins: true, exportConditions: ['node'], extensions: ['.ts', '.js', '.json'] }),
        commonjs({ ignore: (id) => id.startsWith('node:') || isBuiltin(id) }),
        json(),
        esbuild({ target: 'node20', tsconfig: `${dependenciesFixture}/tsconfig.json` }),
      ],
      // What rollup's CLI prints after its "(!)".
      onwarn: (warning) => {
        if (warning.plugin === 'hecate-om') printed.push(warning.message);
      },
    });
    await bundle.write({ dir: outdir });
    await bundle.close();
    expect(printed).toEqual([expect.stringMatching(WARNING)]);
    expect(printed.every(namesOnce)).toBe(true);
  });

  it('reads "[plugin hecate-om] <warning>" in the log of vite 7, the name once', { timeout: BUILD_TIMEOUT_MS }, async () => {
    const outdir = await temp.make('warn-vite');
    const printed: string[] = [];
    const ignored = (): void => {};
    await vite7({
      root: dependenciesFixture,
      configFile: false,
      logLevel: 'warn',
      customLogger: {
        info: ignored,
        warn: (message: string) => printed.push(message),
        warnOnce: (message: string) => printed.push(message),
        error: ignored,
        clearScreen: ignored,
        hasErrorLogged: () => false,
        hasWarned: false,
      },
      build: { outDir: outdir, emptyOutDir: true },
      plugins: [fileUrlLoader(), hecateOmVite({ baseImage: BASE_IMAGE, files: ['sql/*.sql'], tarball: false, cacheDir: await temp.make('warn-vite-cache') })],
    });
    // vite colours the line: compared without the escapes.
    const ours = printed.map((message) => message.replace(/\u001b\[\d+m/g, '')).filter((message) => message.includes('hecate-om'));
    expect(ours).toEqual([expect.stringMatching(WARNING)]);
    expect(ours.every(namesOnce)).toBe(true);
  });
});
