import { build } from 'tsup';
import hecateOm from '@hecate-om/unplugin/esbuild';
import { describeRelease } from '../support/release-matrix.js';

// The README's tsup recipe. tsup requires an entry and takes no virtual module: the plugin builds
// its generated entry where the entry is the service module. tsup builds CommonJS and splits ESM
// unless told, and leaves package.json dependencies external; the release has no node_modules.
describeRelease('tsup (esbuild, /esbuild entry)', async ({ root, outdir, cacheDir }) => {
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
      noExternal: [/./],
      esbuildPlugins: [hecateOm({ cacheDir })],
      esbuildOptions: (options) => {
        options.absWorkingDir = root;
      },
    });
  } finally {
    process.chdir(cwd);
  }
});
