// What the build plugin costs, on the example service (issue 2, "Speed"): bare esbuild against
// the plugin cold (no cache), warm (cache hit: no ts-morph, no zod) and in watch mode, measured
// in one run so that the ratios compare like with like.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, context } from 'esbuild';
import hecateOm from '@hecate-om/unplugin/esbuild';
import { median, seconds } from './support/stats.mjs';
import { bareWarmCold, generatedEntryFile, wholeProcessBuild } from './support/whole-process-builds.mjs';
import { runWhenMain } from './support/report.mjs';

const exampleRoot = fileURLToPath(new URL('../../examples/hecate-echo/', import.meta.url));
const WHOLE_PROCESS_RUNS = 7;
const COLD_RUNS = 3;
const IN_PROCESS_BLOCKS = 12; // pairs of blocks
const IN_PROCESS_PER_BLOCK = 5;
const WATCH_BLOCKS = 50;
const WATCH_PER_BLOCK = 10;

const millis = (ms) => Number(ms.toFixed(2));

/**
 * Every side shares one esbuild process, whose Go garbage collector runs every few builds, and a
 * machine whose load comes and goes. So each side runs in blocks (a block's mean carries its share
 * of collections), the order of the sides rotates from one round to the next (no side always goes
 * last), and results are medians over rounds, differences and ratios taken within each round,
 * under the same load. The first side is the baseline.
 */
async function interleavedBlocks(rounds, perBlock, sides) {
  const names = Object.keys(sides);
  const means = Object.fromEntries(names.map((name) => [name, []]));
  const blockMean = async (run) => {
    const started = performance.now();
    for (let index = 0; index < perBlock; index += 1) await run();
    return (performance.now() - started) / perBlock;
  };
  for (let round = 0; round < rounds; round += 1)
    for (let turn = 0; turn < names.length; turn += 1) {
      const name = names[(round + turn) % names.length];
      means[name].push(await blockMean(sides[name]));
    }
  const [baseline] = names;
  return Object.fromEntries(
    names.map((name) => [
      name,
      {
        median: median(means[name]),
        minusBaseline: median(means[name].map((time, round) => time - means[baseline][round])),
        overBaseline: median(means[name].map((time, round) => time / means[baseline][round])),
      },
    ]),
  );
}

/**
 * What any esbuild plugin pays per rebuild for the two callbacks this one needs (the entry resolved
 * by a plugin, and an end callback), doing no work in them: the floor under the plugin's figure.
 */
function callbackFloorPlugin(entryFile) {
  return {
    name: 'callback-floor',
    setup(build) {
      build.onResolve({ filter: /^virtual:hecate-om\/main$/ }, () => ({ path: entryFile }));
      build.onEnd(() => undefined);
    },
  };
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
    wholeProcessBuild(plugin); // fills the cache and writes manifest.json for the bare entry
    const entry = await bareEntry(dir, join(outdir, 'manifest.json'));
    const bare = { root: exampleRoot, outdir: bareOutdir, entry };
    const builds = await bareWarmCold({ bare, plugin, runs: WHOLE_PROCESS_RUNS, coldRuns: COLD_RUNS });

    const common = { absWorkingDir: exampleRoot, bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'error' };
    const bareBuild = () => build({ ...common, outdir: bareOutdir, entryPoints: { main: entry } });
    const pluginBuild = () => build({ ...common, outdir, plugins: [hecateOm({ cacheDir })] });
    await bareBuild();
    await pluginBuild();
    const calls = await interleavedBlocks(IN_PROCESS_BLOCKS, IN_PROCESS_PER_BLOCK, { bare: bareBuild, plugin: pluginBuild });

    const bareContext = await context({ ...common, outdir: bareOutdir, entryPoints: { main: entry } });
    const pluginContext = await context({ ...common, outdir, plugins: [hecateOm({ cacheDir })] });
    const floorContext = await context({
      ...common,
      outdir: join(dir, 'floor'),
      entryPoints: { main: 'virtual:hecate-om/main' },
      plugins: [callbackFloorPlugin(await generatedEntryFile({ root: exampleRoot, cacheDir, outdir: join(dir, 'generated') }))],
    });
    const contexts = { bare: bareContext, floor: floorContext, plugin: pluginContext };
    for (const watched of Object.values(contexts)) await watched.rebuild();
    const rebuilds = await interleavedBlocks(WATCH_BLOCKS, WATCH_PER_BLOCK, {
      bare: () => bareContext.rebuild(),
      floor: () => floorContext.rebuild(),
      plugin: () => pluginContext.rebuild(),
    });
    for (const watched of Object.values(contexts)) await watched.dispose();

    const { bare: bareProcess, warm: warmProcess, cold: coldProcess } = builds;
    return {
      title: [
        `esbuild build of examples/hecate-echo, medians (whole process n=${WHOLE_PROCESS_RUNS}, cold n=${COLD_RUNS}; in process ${IN_PROCESS_BLOCKS} rounds of ${IN_PROCESS_PER_BLOCK}, watch ${WATCH_BLOCKS} rounds of ${WATCH_PER_BLOCK})`,
        `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (on a busy machine every figure is noisier)`,
      ].join('\n'),
      rows: [
        { measure: 'bare esbuild, whole process (s)', value: seconds(bareProcess) },
        { measure: 'plugin warm, whole process (s)', value: seconds(warmProcess), budget: `≤ ${seconds(bareProcess + 150)} (bare + 0.15)`, ok: warmProcess <= bareProcess + 150 },
        { measure: 'plugin cold, whole process (s)', value: seconds(coldProcess), budget: `≤ ${seconds(bareProcess + 800)} (bare + 0.8)`, ok: coldProcess <= bareProcess + 800 },
        { measure: 'warm - bare, whole process (s)', value: seconds(warmProcess - bareProcess) },
        { measure: 'cold - bare, whole process (s)', value: seconds(coldProcess - bareProcess) },
        { measure: 'bare build() in process (ms)', value: millis(calls.bare.median) },
        { measure: 'plugin warm build() in process (ms)', value: millis(calls.plugin.median) },
        { measure: 'warm / bare build() ratio', value: Number(calls.plugin.overBaseline.toFixed(3)), budget: '≤ 1.10', ok: calls.plugin.overBaseline <= 1.1 },
        { measure: 'bare watch rebuild (ms)', value: millis(rebuilds.bare.median) },
        { measure: 'no-op plugin with the same callbacks, rebuild (ms)', value: millis(rebuilds.floor.median) },
        { measure: 'plugin watch rebuild, unchanged contract (ms)', value: millis(rebuilds.plugin.median) },
        { measure: "esbuild's callback floor: no-op plugin - bare (ms)", value: millis(rebuilds.floor.minusBaseline) },
        { measure: 'watch rebuild added: plugin - bare (ms)', value: millis(rebuilds.plugin.minusBaseline), budget: '< 2', ok: rebuilds.plugin.minusBaseline < 2 },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await runWhenMain(import.meta.url, pluginBuild);
