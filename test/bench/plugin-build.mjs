// What the build plugin costs, on the example service (issue 2, "Speed"): bare esbuild against
// the plugin cold (no cache), warm (cache hit: no ts-morph, no zod) and in watch mode, measured
// in one run so that the ratios compare like with like.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
const IN_PROCESS_RUNS = 61;
const WATCH_REBUILDS = 301;

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

/** ABBA order: whatever the first of two back-to-back builds pays (or leaves to the second) evens out. */
async function inAlternatingOrder(run, first, second) {
  if (run % 2 === 0) {
    await first();
    await second();
  } else {
    await second();
    await first();
  }
}

async function timed(run) {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** The generated entry, written as a file so that bare esbuild bundles the same modules. */
async function bareEntry(dir, manifestPath) {
  const runtime = createRequire(join(exampleRoot, 'package.json')).resolve('@hecate-om/runtime');
  const entry = join(dir, 'bare-entry.mjs');
  await writeFile(
    entry,
    [
      `import Service from ${JSON.stringify(join(exampleRoot, 'src/service.ts'))};`,
      `import manifest from ${JSON.stringify(manifestPath)} with { type: 'json' };`,
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
    const bareCalls = [];
    const warmCalls = [];
    for (let run = 0; run < IN_PROCESS_RUNS; run += 1)
      await inAlternatingOrder(run, async () => bareCalls.push(await timed(bareBuild)), async () => warmCalls.push(await timed(pluginBuild)));

    const bareContext = await context({ ...common, outdir: bareOutdir, entryPoints: { main: entry } });
    const pluginContext = await context({ ...common, outdir, plugins: [hecateOm({ cacheDir })] });
    await bareContext.rebuild();
    await pluginContext.rebuild();
    const bareRebuilds = [];
    const pluginRebuilds = [];
    for (let run = 0; run < WATCH_REBUILDS; run += 1)
      await inAlternatingOrder(
        run,
        async () => bareRebuilds.push(await timed(() => bareContext.rebuild())),
        async () => pluginRebuilds.push(await timed(() => pluginContext.rebuild())),
      );
    await bareContext.dispose();
    await pluginContext.dispose();

    const bareProcess = median(bareRuns);
    const warmProcess = median(warmRuns);
    const coldProcess = median(coldRuns);
    const bareCall = median(bareCalls);
    const warmCall = median(warmCalls);
    // Rebuilds alternate, so each pair shares the machine's load at that moment: the median of the
    // pairwise differences is what the plugin adds, with less of other processes' noise in it.
    const watchAdded = median(pluginRebuilds.map((time, index) => time - bareRebuilds[index]));
    return {
      title: [
        `esbuild build of examples/hecate-echo, medians (whole process n=${WHOLE_PROCESS_RUNS}, cold n=${COLD_RUNS}, in-process n=${IN_PROCESS_RUNS}, watch n=${WATCH_REBUILDS})`,
        `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (on a busy machine every figure is noisier)`,
      ].join('\n'),
      rows: [
        { measure: 'bare esbuild, whole process (s)', value: seconds(bareProcess) },
        { measure: 'plugin warm, whole process (s)', value: seconds(warmProcess), budget: `≤ ${seconds(bareProcess + 150)} (bare + 0.15)`, ok: warmProcess <= bareProcess + 150 },
        { measure: 'plugin cold, whole process (s)', value: seconds(coldProcess), budget: `≤ ${seconds(bareProcess + 800)} (bare + 0.8)`, ok: coldProcess <= bareProcess + 800 },
        { measure: 'warm - bare, whole process (s)', value: seconds(warmProcess - bareProcess) },
        { measure: 'cold - bare, whole process (s)', value: seconds(coldProcess - bareProcess) },
        { measure: 'bare build() in process (ms)', value: millis(bareCall) },
        { measure: 'plugin warm build() in process (ms)', value: millis(warmCall) },
        { measure: 'warm / bare build() ratio', value: Number((warmCall / bareCall).toFixed(3)), budget: '≤ 1.10', ok: warmCall / bareCall <= 1.1 },
        { measure: 'bare watch rebuild (ms)', value: millis(median(bareRebuilds)) },
        { measure: 'plugin watch rebuild, unchanged contract (ms)', value: millis(median(pluginRebuilds)) },
        { measure: 'watch rebuild added, median of pairs (ms)', value: millis(watchAdded), budget: '< 2', ok: watchAdded < 2 },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
