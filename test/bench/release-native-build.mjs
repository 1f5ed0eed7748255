// What a release that ships a native dependency in node_modules costs to build (issue 8, "Speed"):
// test/fixtures/release-dependencies (express, pg, pino bundled; better-sqlite3 and its production
// closure shipped in node_modules; a file-loader output and a run-time file), bare esbuild against
// the plugin warm (analysis and tarball cached) and cold (no cache), whole processes, one run.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import hecateOm from '@hecate-om/unplugin/esbuild';

const root = fileURLToPath(new URL('../fixtures/release-dependencies/', import.meta.url));
const childScript = fileURLToPath(new URL('./plugin-build/build.mjs', import.meta.url));
const WHOLE_PROCESS_RUNS = 5;
const COLD_RUNS = 3;
const esbuildOptions = { loader: { '.txt': 'file' } };
const pluginOptions = { files: ['sql/*.sql'] };

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms) => Number((ms / 1000).toFixed(3));

function wholeProcess(config) {
  const started = performance.now();
  const child = spawnSync(process.execPath, [childScript], { env: { ...process.env, BENCH_BUILD: JSON.stringify(config) }, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (child.status !== 0) throw new Error(`benchmark build failed: ${child.stderr}`);
  return elapsed;
}

/** The generated entry, as the plugin's build read it: bare esbuild bundles the same modules. */
async function generatedEntryFile(cacheDir, outdir) {
  const { metafile } = await build({
    ...esbuildOptions,
    absWorkingDir: root,
    outdir,
    logLevel: 'error',
    metafile: true,
    plugins: [hecateOm({ cacheDir, ...pluginOptions })],
  });
  const entry = Object.keys(metafile.inputs).find((path) => /modules-[0-9a-f]+\/main\.js$/.test(path));
  if (entry === undefined) throw new Error('the plugin build read no generated entry');
  return join(root, entry);
}

export default async function releaseNativeBuild() {
  const dir = await mkdtemp(join(tmpdir(), 'hecate-bench-native-'));
  const loadBefore = loadavg()[0];
  try {
    const cacheDir = join(dir, 'cache');
    const outdir = join(dir, 'dist');
    const entry = await generatedEntryFile(cacheDir, join(dir, 'generated'));
    // Bare esbuild leaves the native addon out as the plugin does, and packs nothing.
    const bare = { root, outdir: join(dir, 'bare'), entry, esbuild: { ...esbuildOptions, external: ['better-sqlite3', 'better-sqlite3/*'] } };
    const plugin = { root, outdir, cacheDir, esbuild: esbuildOptions, plugin: pluginOptions };
    wholeProcess(bare);
    wholeProcess(plugin);

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
    const tarball = await stat(join(outdir, 'release-dependencies-1.0.0.tar.gz'));
    const bareProcess = median(bareRuns);
    const warmProcess = median(warmRuns);
    const coldProcess = median(coldRuns);
    return {
      title: [
        `esbuild build of test/fixtures/release-dependencies (better-sqlite3 shipped in node_modules), medians (whole process n=${WHOLE_PROCESS_RUNS}, cold n=${COLD_RUNS})`,
        `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (on a busy machine every figure is noisier)`,
      ].join('\n'),
      rows: [
        { measure: 'bare esbuild, whole process (s)', value: seconds(bareProcess) },
        { measure: 'plugin warm, whole process (s)', value: seconds(warmProcess) },
        { measure: 'plugin cold, whole process (s)', value: seconds(coldProcess) },
        { measure: 'warm - bare, whole process (s)', value: seconds(warmProcess - bareProcess) },
        { measure: 'cold - bare, whole process (s)', value: seconds(coldProcess - bareProcess) },
        { measure: 'release tarball (MB)', value: Number((tarball.size / 1e6).toFixed(2)) },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
