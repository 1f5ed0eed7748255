import { rspack } from '@rspack/core';
import hecateOm from '@hecate-om/unplugin/rspack';
import { compileOnce, webpackLikeReleaseOptions } from '../support/builds.js';
import { type BuildInto, describeDependenciesRelease, describeRelease } from '../support/release-matrix.js';

// As under webpack; rspack also reads `new URL(path, import.meta.url)` with a variable path as a
// context of files to bundle, unless told not to (url: false).
const buildWithRspack: BuildInto = async ({ root, outdir, cacheDir, files }) => {
  const stats = await compileOnce(
    rspack({
      ...webpackLikeReleaseOptions(root, outdir),
      resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
      module: {
        parser: { javascript: { importMeta: false, url: false } },
        rules: [
          { test: /\.txt$/, type: 'asset/resource', generator: { filename: '[name]-[hash:8][ext]', publicPath: './' } },
          { test: /\.ts$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' } } }, type: 'javascript/auto' },
        ],
      },
      plugins: [hecateOm({ cacheDir, files })],
    }),
  );
  if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
};

describeRelease('/rspack', buildWithRspack);
describeDependenciesRelease('/rspack', buildWithRspack);
