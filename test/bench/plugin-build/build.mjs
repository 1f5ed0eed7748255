// One whole-process esbuild build of a service, configured by BENCH_BUILD (JSON):
// { root, outdir, entry?, cacheDir?, esbuild?, plugin? }. With `entry` it is the bare build (no
// plugin) of an entry equivalent to the generated one; without, the plugin generates the entry.
// `esbuild` adds build options (a loader, externals), `plugin` the plugin's options.
import { build } from 'esbuild';

const { root, outdir, entry, cacheDir, esbuild = {}, plugin = {} } = JSON.parse(process.env.BENCH_BUILD);
const common = { absWorkingDir: root, outdir, bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'error', ...esbuild };
if (entry !== undefined) await build({ ...common, entryPoints: { main: entry } });
else {
  const { default: hecateOm } = await import('@hecate-om/unplugin/esbuild');
  await build({ ...common, plugins: [hecateOm({ cacheDir, ...plugin })] });
}
