import webpack from 'webpack';
import hecateOm from '@hecate-om/unplugin/webpack';
import { compileOnce, webpackLikeReleaseOptions } from '../support/builds.js';
import { describeRelease } from '../support/release-matrix.js';

// ts-loader with transpileOnly, compiling to CommonJS as a webpack project's tsconfig often says:
// the generated entry's default import then receives the whole module.exports (the class is under
// .default), which the entry must unwrap for the release to boot.
describeRelease('/webpack with ts-loader (transpileOnly, CommonJS)', async ({ root, outdir, cacheDir }) => {
  const stats = await compileOnce(
    webpack({
      ...webpackLikeReleaseOptions(root, outdir),
      experiments: { outputModule: true },
      resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
      module: {
        rules: [{ test: /\.ts$/, loader: 'ts-loader', options: { transpileOnly: true, compilerOptions: { module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0' } } }],
      },
      plugins: [hecateOm({ cacheDir })],
    }),
  );
  if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
});
