// What the build plugin costs, on the example service (issue 2, "Speed"): bare esbuild against
// the plugin cold (no cache), warm (cache hit: no ts-morph, no zod) and in watch mode, measured
// in one run so that the ratios compare like with like.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, context } from 'esbuild';
import hecateOm from '@hecate-om/unplugin/esbuild';

const exampleRoot = fileURLToPath(new URL('../../examples/hecate-echo/', import.meta.url));
const childScript = fileURLToPath(new URL('./plugin-build/build.mjs', import.meta.url));
const WHOLE_PROCESS_RUNS = 7;
const COLD_RUNS = 3;
const IN_PROCESS_BLOCKS = 12; // pairs of blocks
const IN_PROCESS_PER_BLOCK = 5;
const WATCH_BLOCKS = 30;
const WATCH_PER_BLOCK = 10;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms) => Number((ms / 1000).toFixed(3));
const millis = (ms) => Number(ms.toFixed(2));

function wholeProcess(config) {
  const started = performance.now();
  const child = spawnSync(process.execPath, [childScript], { env: { ...process.env, BENCH_BUILD: JSON.stringify(config) }, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (child.status !== 0) throw new Error(`benchmark build failed: ${child.stderr}`);
  return elapsed;
}

/**
 * Both sides share one esbuild process, whose Go garbage collector runs every few builds, and a
 * machine whose load comes and goes. So each side runs in blocks (a block's mean carries its share
 * of collections), blocks alternate in ABBA order (neither side always goes second), and the result
 * is the median over block pairs, each pair measured under the same load.
 */
async function pairedBlocks(blocks, perBlock, runA, runB) {
  const blockMean = async (run) => {
    const started = performance.now();
    for (let index = 0; index < perBlock; index += 1) await run();
    return (performance.now() - started) / perBlock;
  };
  const a = [];
  const b = [];
  for (let pair = 0; pair < blocks; pair += 1) {
    if (pair % 2 === 0) {
      a.push(await blockMean(runA));
      b.push(await blockMean(runB));
    } else {
      b.push(await blockMean(runB));
      a.push(await blockMean(runA));
    }
  }
  return { a: median(a), b: median(b), bMinusA: median(b.map((time, index) => time - a[index])), bOverA: median(b.map((time, index) => time / a[index])) };
}

/**
 * The generated entry and manifest module, written as files, so that bare esbuild bundles the very
 * modules the plugin generates and the comparison is of the plugin's cost alone.
 */
async function bareEntry(dir, manifestPath) {
  const runtime = createRequire(join(exampleRoot, 'package.json')).resolve('@hecate-om/runtime');
  const manifestModule = join(dir, 'bare-manifest.js');
  await writeFile(manifestModule, `export default ${JSON.stringify(JSON.parse(await readFile(manifestPath, 'utf8')), null, 2)};\n`);
  const entry = join(dir, 'bare-entry.js');
  await writeFile(
    entry,
    [
      `import Service from ${JSON.stringify(join(exampleRoot, 'src/service.ts'))};`,
      `import manifest from './bare-manifest.js';`,
      `import { boot } from ${JSON.stringify(runtime)};`,
      'boot(Service, { manifest });',
      '',
    ].join('\n'),
  );
  return entry;
}

export default async function pluginBuild() {
  const dir = await mkdtemp(join(tmpdir(), 'hecate-bench-'));
  const loadBefore = loadavg()[0];
  try {
    const cacheDir = join(dir, 'cache');
    const outdir = join(dir, 'dist');
    const bareOutdir = join(dir, 'bare');
    const plugin = { root: exampleRoot, outdir, cacheDir };
    wholeProcess(plugin); // fills the cache and writes manifest.json for the bare entry
    const entry = await bareEntry(dir, join(outdir, 'manifest.json'));
    const bare = { root: exampleRoot, outdir: bareOutdir, entry };
    wholeProcess(bare);

    const bareRuns = [];
    const warmRuns = [];
    for (let run = 0; run < WHOLE_PROCESS_RUNS; run += 1) {
      bareRuns.push(wholeProcess(bare));
      warmRuns.push(wholeProcess(plugin));
    }
    const coldRuns = [];
    for (let run = 0; run < COLD_RUNS; run += 1) {
      await rm(cacheDir, { recursive: true, force: true });
      coldRuns.push(wholeProcess(plugin));
    }

    const common = { absWorkingDir: exampleRoot, bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'error' };
    const bareBuild = () => build({ ...common, outdir: bareOutdir, entryPoints: { main: entry } });
    const pluginBuild = () => build({ ...common, outdir, plugins: [hecateOm({ cacheDir })] });
    await bareBuild();
    await pluginBuild();
    const calls = await pairedBlocks(IN_PROCESS_BLOCKS, IN_PROCESS_PER_BLOCK, bareBuild, pluginBuild);

    const bareContext = await context({ ...common, outdir: bareOutdir, entryPoints: { main: entry } });
    const pluginContext = await context({ ...common, outdir, plugins: [hecateOm({ cacheDir })] });
    await bareContext.rebuild();
    await pluginContext.rebuild();
    const rebuilds = await pairedBlocks(WATCH_BLOCKS, WATCH_PER_BLOCK, () => bareContext.rebuild(), () => pluginContext.rebuild());
    await bareContext.dispose();
    await pluginContext.dispose();

    const bareProcess = median(bareRuns);
    const warmProcess = median(warmRuns);
    const coldProcess = median(coldRuns);
    return {
      title: [
        `esbuild build of examples/hecate-echo, medians (whole process n=${WHOLE_PROCESS_RUNS}, cold n=${COLD_RUNS}; in process ${IN_PROCESS_BLOCKS} block pairs of ${IN_PROCESS_PER_BLOCK}, watch ${WATCH_BLOCKS} block pairs of ${WATCH_PER_BLOCK})`,
        `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (on a busy machine every figure is noisier)`,
      ].join('\n'),
      rows: [
        { measure: 'bare esbuild, whole process (s)', value: seconds(bareProcess) },
        { measure: 'plugin warm, whole process (s)', value: seconds(warmProcess), budget: `≤ ${seconds(bareProcess + 150)} (bare + 0.15)`, ok: warmProcess <= bareProcess + 150 },
        { measure: 'plugin cold, whole process (s)', value: seconds(coldProcess), budget: `≤ ${seconds(bareProcess + 800)} (bare + 0.8)`, ok: coldProcess <= bareProcess + 800 },
        { measure: 'warm - bare, whole process (s)', value: seconds(warmProcess - bareProcess) },
        { measure: 'cold - bare, whole process (s)', value: seconds(coldProcess - bareProcess) },
        { measure: 'bare build() in process (ms)', value: millis(calls.a) },
        { measure: 'plugin warm build() in process (ms)', value: millis(calls.b) },
        { measure: 'warm / bare build() ratio', value: Number(calls.bOverA.toFixed(3)), budget: '≤ 1.10', ok: calls.bOverA <= 1.1 },
        { measure: 'bare watch rebuild (ms)', value: millis(rebuilds.a) },
        { measure: 'plugin watch rebuild, unchanged contract (ms)', value: millis(rebuilds.b) },
        { measure: 'watch rebuild added (ms)', value: millis(rebuilds.bMinusA), budget: '< 2', ok: rebuilds.bMinusA < 2 },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
