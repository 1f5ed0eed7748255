// A whole-process esbuild build through the plugin, configured by the JSON in HECATE_BUILD:
// { root, outdir, options }. Prints esbuild's errors as JSON and exits 1 when the build failed.
import { build } from 'esbuild';
import hecateOm from '@hecate-om/unplugin/esbuild';

const { root, outdir, options } = JSON.parse(process.env.HECATE_BUILD);
try {
  await build({ absWorkingDir: root, outdir, logLevel: 'silent', plugins: [hecateOm(options)] });
  console.log(JSON.stringify({ errors: [] }));
} catch (error) {
  console.log(JSON.stringify({ errors: error.errors ?? [{ text: String(error) }] }));
  process.exitCode = 1;
}
