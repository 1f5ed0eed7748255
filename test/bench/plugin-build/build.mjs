// One whole-process esbuild build of the example service, configured by BENCH_BUILD (JSON):
// { root, outdir, entry?, cacheDir? }. With `entry` it is the bare build (no plugin) of an entry
// equivalent to the generated one; without, the plugin generates the entry.
import { build } from 'esbuild';

const { root, outdir, entry, cacheDir } = JSON.parse(process.env.BENCH_BUILD);
const common = { absWorkingDir: root, outdir, bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'error' };
if (entry !== undefined) await build({ ...common, entryPoints: { main: entry } });
else {
  const { default: hecateOm } = await import('@hecate-om/unplugin/esbuild');
  await build({ ...common, plugins: [hecateOm({ cacheDir })] });
}
