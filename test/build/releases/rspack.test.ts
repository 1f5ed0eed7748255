import { rspack } from '@rspack/core';
import hecateOm from '@hecate-om/unplugin/rspack';
import { compileOnce, webpackLikeReleaseOptions } from '../support/builds.js';
import { describeRelease } from '../support/release-matrix.js';

describeRelease('/rspack', async ({ root, outdir, cacheDir }) => {
  const stats = await compileOnce(
    rspack({
      ...webpackLikeReleaseOptions(root, outdir),
      resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
      module: {
        rules: [{ test: /\.ts$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' } } }, type: 'javascript/auto' }],
      },
      plugins: [hecateOm({ cacheDir })],
    }),
  );
  if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
});
