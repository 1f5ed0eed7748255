// The bare / warm / cold loop of the build benchmarks: whole-process esbuild builds (each in a fresh
// node, as `node build.mjs` runs), bare esbuild of the same modules against the plugin with its
// cache (warm) and without (cold), so that the plugin's cost is measured in one run, like with like.
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import hecateOm from '@hecate-om/unplugin/esbuild';
import { median } from './stats.mjs';

const childScript = fileURLToPath(new URL('../plugin-build/build.mjs', import.meta.url));

/**
 * One build in a fresh process (plugin-build/build.mjs), configured as that script reads it:
 * { root, outdir, entry?, cacheDir?, esbuild?, plugin? }. Returns its wall time in milliseconds.
 */
export function wholeProcessBuild(config) {
  const started = performance.now();
  const child = spawnSync(process.execPath, [childScript], { env: { ...process.env, BENCH_BUILD: JSON.stringify(config) }, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (child.status !== 0) throw new Error(`benchmark build failed: ${child.stderr}`);
  return elapsed;
}

/**
 * The entry module the plugin generates for the service at `root` (under its
 * node_modules/.cache/hecate-om), as the plugin's own build read it: bare esbuild then bundles the
 * very modules the plugin generates.
 */
export async function generatedEntryFile({ root, cacheDir, outdir, esbuild = {}, plugin = {} }) {
  const { metafile } = await build({
    bundle: true,
    platform: 'node',
    format: 'esm',
    sourcemap: true,
    ...esbuild,
    absWorkingDir: root,
    outdir,
    logLevel: 'error',
    metafile: true,
    plugins: [hecateOm({ cacheDir, ...plugin })],
  });
  const entry = Object.keys(metafile.inputs).find((path) => /modules-[0-9a-f]+\/main\.js$/.test(path));
  if (entry === undefined) throw new Error('the plugin build read no generated entry');
  return join(root, entry);
}

/**
 * After one warm-up of each, `runs` bare and warm builds taken in turns (so both see the same load),
 * then `coldRuns` plugin builds each with its cache folder removed first. Medians in milliseconds.
 * `bare` and `plugin` are wholeProcessBuild configs; `plugin.cacheDir` is the cache removed.
 */
export async function bareWarmCold({ bare, plugin, runs, coldRuns }) {
  wholeProcessBuild(bare);
  wholeProcessBuild(plugin);
  const bareRuns = [];
  const warmRuns = [];
  for (let run = 0; run < runs; run += 1) {
    bareRuns.push(wholeProcessBuild(bare));
    warmRuns.push(wholeProcessBuild(plugin));
  }
  const colds = [];
  for (let run = 0; run < coldRuns; run += 1) {
    await rm(plugin.cacheDir, { recursive: true, force: true });
    colds.push(wholeProcessBuild(plugin));
  }
  return { bare: median(bareRuns), warm: median(warmRuns), cold: median(colds) };
}
