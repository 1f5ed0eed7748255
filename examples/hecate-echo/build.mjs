// Builds the release into dist/ (or the directory given as the first argument): the bundle, its
// source map, manifest.json, ucan-request.json, the Containerfile, the Quadlet unit and the tarball.
import { build } from 'esbuild';
import hecateOm from '@hecate-om/unplugin/esbuild';

await build({
  absWorkingDir: import.meta.dirname,
  outdir: process.argv[2] ?? 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [hecateOm({ service: 'src/service.ts' })],
});
