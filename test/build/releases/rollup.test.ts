import commonjsTyped from '@rollup/plugin-commonjs';
import jsonTyped from '@rollup/plugin-json';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { isBuiltin } from 'node:module';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';
import hecateOm from '@hecate-om/unplugin/rollup';
import { fileUrlLoader } from '../support/file-url-loader.js';
import { type BuildInto, describeDependenciesRelease, describeRelease } from '../support/release-matrix.js';

// Both plugins declare an ES default export in type files that NodeNext reads as CommonJS; at run
// time node loads their ES builds, whose default export is the plugin.
const commonjs = commonjsTyped as unknown as typeof commonjsTyped.default;
const json = jsonTyped as unknown as typeof jsonTyped.default;

// rollup needs its usual plugins for a TypeScript service with dependencies, as the plugin README's
// recipe gives them (commonjs leaving requires of builtins as calls); it has no root of its own, so
// the plugin is told where the service project is.
const buildWithRollup: BuildInto = async ({ root, outdir, cacheDir, files }) => {
  const bundle = await rollup({
    plugins: [
      hecateOm({ root, cacheDir, files }),
      fileUrlLoader(),
      nodeResolve({ preferBuiltins: true, exportConditions: ['node'], extensions: ['.ts', '.js', '.json'] }),
      commonjs({ ignore: (id) => id.startsWith('node:') || isBuiltin(id) }),
      json(),
      esbuild({ target: 'node20', tsconfig: `${root}/tsconfig.json` }),
    ],
    onwarn: () => {},
  });
  await bundle.write({ dir: outdir });
  await bundle.close();
};

describeRelease('/rollup', buildWithRollup);
describeDependenciesRelease('/rollup', buildWithRollup);
