import { build } from 'tsdown';
import hecateOm from '@hecate-om/unplugin/rolldown';
import { describeRelease } from '../support/release-matrix.js';

// The README's tsdown recipe (tsdown 0.21, the last line that runs on Node 20.19). tsdown requires
// an entry and takes no virtual module: the plugin builds its generated entry where the entry is the
// service module. tsdown writes main.mjs unless fixedExtension is off, and leaves package.json
// dependencies external; the release has no node_modules.
describeRelease('tsdown (rolldown, /rolldown entry)', async ({ root, outdir, cacheDir }) => {
  await build({
    config: false,
    cwd: root,
    logLevel: 'silent',
    entry: { main: 'src/service.ts' },
    platform: 'node',
    sourcemap: true,
    fixedExtension: false,
    deps: { alwaysBundle: [/./] },
    outDir: outdir,
    plugins: [hecateOm({ cacheDir })],
  });
});
