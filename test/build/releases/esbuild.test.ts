import { build } from 'esbuild';
import hecateOm from '@hecate-om/unplugin/esbuild';
import { type BuildInto, describeDependenciesRelease, describeRelease } from '../support/release-matrix.js';

// The README's config, with esbuild's file loader for the dependencies fixture's `.txt` import.
const buildWithEsbuild: BuildInto = async ({ root, outdir, cacheDir, files }) => {
  await build({
    absWorkingDir: root,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    loader: { '.txt': 'file' },
    logLevel: 'silent',
    plugins: [hecateOm({ cacheDir, files })],
  });
};

describeRelease('/esbuild', buildWithEsbuild);
describeDependenciesRelease('/esbuild', buildWithEsbuild);
