import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import commonjsTyped from '@rollup/plugin-commonjs';
import jsonTyped from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { build as esbuild } from 'esbuild';
import { rollup } from 'rollup';
import esbuildPlugin from 'rollup-plugin-esbuild';
import { build as vite7 } from 'vite7';
import { afterAll, describe, expect, it } from 'vitest';
import hecateOmEsbuild from '@hecate-om/unplugin/esbuild';
import hecateOmRollup from '@hecate-om/unplugin/rollup';
import hecateOmVite from '@hecate-om/unplugin/vite';
import { TempDirs, copyOfProject } from './support/builds.js';
import { releaseFixture } from './support/release-matrix.js';

// The plugins' ES default exports, declared in type files that NodeNext reads as CommonJS.
const commonjs = commonjsTyped as unknown as typeof commonjsTyped.default;
const json = jsonTyped as unknown as typeof jsonTyped.default;

const NODE_20_IMAGE = 'docker.io/library/node:20-slim';
/** A top-level import of node:sqlite in main.js (`import "node:sqlite"`, `import x from 'node:sqlite'`). */
const IMPORTS_SQLITE_AT_LOAD = /^import\b[^;]*["']node:sqlite["']/m;

/** A copy of the release-service fixture whose service module starts with `firstLines`, and holds `files`. */
async function serviceWith(roots: string[], firstLines: string, files: Record<string, string> = {}): Promise<string> {
  const root = await copyOfProject(releaseFixture);
  roots.push(root);
  const service = join(root, 'src/service.ts');
  await writeFile(service, `${firstLines}\n${await readFile(service, 'utf8')}`);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

/** undici 7's shape: node:sqlite required only when asked for. */
const LAZY_SQLITE_CJS = "'use strict';\nexports.sqlite = () => require('node:sqlite');\n";

describe('a builtin the base image\'s Node lacks', () => {
  const temp = new TempDirs();
  const roots: string[] = [];
  afterAll(() => Promise.all([temp.removeAll(), ...roots.map((root) => rm(root, { recursive: true, force: true }))]));

  it("fails a rollup build whose CommonJS plugin hoists a lazy require('node:sqlite') into an import, naming the builtin, the Node and the ignore to add", async () => {
    const root = await serviceWith(roots, "import features from './features.cjs';\nexport const sqlite = features.sqlite;", { 'src/features.cjs': LAZY_SQLITE_CJS });
    const outdir = await temp.make('builtin-rollup');
    const build = async () => {
      const bundle = await rollup({
        plugins: [
          hecateOmRollup({ root, baseImage: NODE_20_IMAGE, cacheDir: join(outdir, '.cache') }),
          nodeResolve({ preferBuiltins: true, exportConditions: ['node'], extensions: ['.ts', '.js', '.json'] }),
          commonjs(),
          json(),
          esbuildPlugin({ target: 'node20', tsconfig: join(root, 'tsconfig.json') }),
        ],
        onwarn: () => {},
      });
      try {
        await bundle.write({ dir: outdir });
      } finally {
        await bundle.close();
      }
    };
    await expect(build()).rejects.toThrow(
      /main\.js imports node:sqlite as it loads, which Node 20 \(the base image docker\.io\/library\/node:20-slim\) does not have \(Node 22 and later do\).*commonjs\(\{ ignore: \(id\) => id\.startsWith\('node:'\) \|\| isBuiltin\(id\) \}\)/,
    );
  });

  it('fails an esbuild build whose service imports node:sqlite for a Node 20 image, and builds it for a Node 22 image', async () => {
    const root = await serviceWith(roots, "import 'node:sqlite';");
    const outdir = await temp.make('builtin-esbuild');
    const buildFor = (baseImage: string) =>
      esbuild({ absWorkingDir: root, outdir, logLevel: 'silent', plugins: [hecateOmEsbuild({ baseImage, cacheDir: join(outdir, '.cache') })] });
    await expect(buildFor(NODE_20_IMAGE)).rejects.toThrow(/main\.js imports node:sqlite as it loads, which Node 20 .*set the baseImage option to a Node 22 image/);
    await buildFor('docker.io/library/node:22-slim');
    expect(await readFile(join(outdir, 'main.js'), 'utf8')).toMatch(IMPORTS_SQLITE_AT_LOAD);
  });

  it("keeps a package's lazy require('node:sqlite') a call under vite 7, and the user's own commonjsOptions.ignore list with it", async () => {
    // A package in node_modules, where vite's CommonJS plugin works: node:sqlite, and a package
    // installed nowhere that the user's ignore list leaves to run time (else the build fails to resolve it).
    const root = await serviceWith(roots, "import features from 'lazy-sqlite';\nexport const sqlite = features.sqlite;", {
      'node_modules/lazy-sqlite/package.json': JSON.stringify({ name: 'lazy-sqlite', version: '1.0.0', main: 'index.js' }),
      'node_modules/lazy-sqlite/index.js': `${LAZY_SQLITE_CJS}exports.extra = () => require('left-to-run-time');\n`,
    });
    const outdir = await temp.make('builtin-vite7');
    await vite7({
      root,
      configFile: false,
      logLevel: 'silent',
      build: { outDir: outdir, emptyOutDir: true, commonjsOptions: { ignore: ['left-to-run-time'] } },
      plugins: [hecateOmVite({ cacheDir: join(outdir, '.cache'), tarball: false })],
    } as Parameters<typeof vite7>[0]);
    const main = await readFile(join(outdir, 'main.js'), 'utf8');
    expect(main).not.toMatch(IMPORTS_SQLITE_AT_LOAD);
    expect(main).toMatch(/\brequire\d*\(["']node:sqlite["']\)/);
    expect(main).toMatch(/\brequire\d*\(["']left-to-run-time["']\)/);
  });
});
