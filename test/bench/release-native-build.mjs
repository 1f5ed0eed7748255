// What a release that ships a native dependency in node_modules costs to build (issue 8, "Speed"):
// test/fixtures/release-dependencies (express, pg, pino bundled; better-sqlite3 and its production
// closure shipped in node_modules; a file-loader output and a run-time file), bare esbuild against
// the plugin warm (analysis, package file digests and tarball cached) and cold (no cache), whole
// processes, one run.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seconds } from './support/stats.mjs';
import { bareWarmCold, generatedEntryFile } from './support/whole-process-builds.mjs';
import { runWhenMain } from './support/report.mjs';

const root = fileURLToPath(new URL('../fixtures/release-dependencies/', import.meta.url));
const WHOLE_PROCESS_RUNS = 5;
const COLD_RUNS = 3;
const esbuildOptions = { loader: { '.txt': 'file' } };
const pluginOptions = { files: ['sql/*.sql'] };

export default async function releaseNativeBuild() {
  const dir = await mkdtemp(join(tmpdir(), 'hecate-bench-native-'));
  const loadBefore = loadavg()[0];
  try {
    const cacheDir = join(dir, 'cache');
    const outdir = join(dir, 'dist');
    const entry = await generatedEntryFile({ root, cacheDir, outdir: join(dir, 'generated'), esbuild: esbuildOptions, plugin: pluginOptions });
    // Bare esbuild leaves the native addon out as the plugin does, and packs nothing.
    const bare = { root, outdir: join(dir, 'bare'), entry, esbuild: { ...esbuildOptions, external: ['better-sqlite3', 'better-sqlite3/*'] } };
    const plugin = { root, outdir, cacheDir, esbuild: esbuildOptions, plugin: pluginOptions };
    const builds = await bareWarmCold({ bare, plugin, runs: WHOLE_PROCESS_RUNS, coldRuns: COLD_RUNS });
    const tarball = await stat(join(outdir, 'release-dependencies-1.0.0.tar.gz'));
    return {
      title: [
        `esbuild build of test/fixtures/release-dependencies (better-sqlite3 shipped in node_modules), medians (whole process n=${WHOLE_PROCESS_RUNS}, cold n=${COLD_RUNS})`,
        `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (on a busy machine every figure is noisier)`,
      ].join('\n'),
      rows: [
        { measure: 'bare esbuild, whole process (s)', value: seconds(builds.bare) },
        { measure: 'plugin warm, whole process (s)', value: seconds(builds.warm) },
        { measure: 'plugin cold, whole process (s)', value: seconds(builds.cold) },
        { measure: 'warm - bare, whole process (s)', value: seconds(builds.warm - builds.bare) },
        { measure: 'cold - bare, whole process (s)', value: seconds(builds.cold - builds.bare) },
        { measure: 'warm / bare, whole process', value: Number((builds.warm / builds.bare).toFixed(3)) },
        { measure: 'release tarball (MB)', value: Number((tarball.size / 1e6).toFixed(2)) },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await runWhenMain(import.meta.url, releaseNativeBuild);
