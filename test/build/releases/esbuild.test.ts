import { build } from 'esbuild';
import hecateOm from '@hecate-om/unplugin/esbuild';
import { describeRelease } from '../support/release-matrix.js';

// The README's config.
describeRelease('/esbuild', async ({ root, outdir, cacheDir }) => {
  await build({
    absWorkingDir: root,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'silent',
    plugins: [hecateOm({ cacheDir })],
  });
});
