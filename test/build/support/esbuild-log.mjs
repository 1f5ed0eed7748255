// An esbuild build through the plugin in a process of its own, so that its terminal log (stderr)
// can be read as a user sees it. HECATE_BUILD holds { root, outdir, options, external, logLevel?,
// api }: api 'build' calls build(), 'context' calls context() then rebuild() once. Prints the
// texts of result.warnings as JSON on stdout.
import { build, context } from 'esbuild';
import hecateOm from '@hecate-om/unplugin/esbuild';

const { root, outdir, options, external, logLevel, api } = JSON.parse(process.env.HECATE_BUILD);
const config = { absWorkingDir: root, outdir, external, ...(logLevel === undefined ? {} : { logLevel }), plugins: [hecateOm(options)] };
let result;
if (api === 'build') result = await build(config);
else {
  const ctx = await context(config);
  result = await ctx.rebuild();
  await ctx.dispose();
}
console.log(JSON.stringify(result.warnings.map(({ text }) => text)));
