import { type Options, build } from 'tsup';
import hecateOm from '@hecate-om/unplugin/esbuild';
import { type BuildInto, describeDependenciesRelease, describeRelease } from '../support/release-matrix.js';

/**
 * The README's tsup recipe. tsup requires an entry and takes no virtual module: the plugin builds
 * its generated entry where the entry is the service module. tsup builds CommonJS and splits ESM
 * unless told. It leaves package.json dependencies external through a plugin of its own, and the
 * plugin ships what the bundle imports in the release's node_modules; `noExternal: [/./]` bundles
 * them instead, all but the native ones, which ship either way.
 */
function buildWithTsup(extra: Options): BuildInto {
  return async ({ root, outdir, cacheDir, files }) => {
    const cwd = process.cwd();
    // tsup resolves its entry and reads tsconfig.json and package.json from the working directory, as
    // when it runs in the project; esbuild, started before this test changed directory, is told.
    process.chdir(root);
    try {
      await build({
        config: false,
        silent: true,
        entry: { main: 'src/service.ts' },
        format: 'esm',
        splitting: false,
        platform: 'node',
        target: 'node20',
        sourcemap: true,
        outDir: outdir,
        loader: { '.txt': 'file' },
        ...extra,
        esbuildPlugins: [hecateOm({ cacheDir, files })],
        esbuildOptions: (options) => {
          options.absWorkingDir = root;
        },
      });
    } finally {
      process.chdir(cwd);
    }
  };
}

describeRelease('tsup (esbuild, /esbuild entry) with noExternal: [/./]', buildWithTsup({ noExternal: [/./] }));
describeDependenciesRelease('tsup (esbuild, /esbuild entry), its dependencies external', buildWithTsup({}));
