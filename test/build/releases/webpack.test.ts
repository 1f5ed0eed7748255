import { createRequire } from 'node:module';
import webpack from 'webpack';
import hecateOm from '@hecate-om/unplugin/webpack';
import { compileOnce, webpackLikeReleaseOptions } from '../support/builds.js';
import { type BuildInto, describeDependenciesRelease, describeRelease } from '../support/release-matrix.js';

// By path: webpack looks for a loader named bare from the project, and the fixture copies
// test:node installs under each Node live outside this checkout, with no ts-loader above them.
const tsLoader = createRequire(import.meta.url).resolve('ts-loader');

/**
 * webpack with ts-loader (transpileOnly). A `.txt` import is an asset/resource written beside
 * main.js, its path relative to it; import.meta.url is left to run time (importMeta: false), where
 * serviceFile and the banner's URL read it.
 */
function buildWithWebpack(compilerOptions: Record<string, string>): BuildInto {
  return async ({ root, outdir, cacheDir, files }) => {
    const stats = await compileOnce(
      webpack({
        ...webpackLikeReleaseOptions(root, outdir),
        experiments: { outputModule: true },
        resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
        module: {
          parser: { javascript: { importMeta: false } },
          rules: [
            { test: /\.txt$/, type: 'asset/resource', generator: { filename: '[name]-[hash:8][ext]', publicPath: './' } },
            { test: /\.ts$/, loader: tsLoader, options: { transpileOnly: true, compilerOptions } },
          ],
        },
        plugins: [hecateOm({ cacheDir, files })],
      }),
    );
    if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
  };
}

// Compiled to CommonJS, as a webpack project's tsconfig often says: the generated entry's default
// import then receives the whole module.exports (the class is under .default), which the entry must
// unwrap for the release to boot.
describeRelease(
  '/webpack with ts-loader (transpileOnly, CommonJS)',
  buildWithWebpack({ module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0' }),
);
// A service that reads import.meta.url (serviceFile, a file next to main.js) is an ES module.
describeDependenciesRelease('/webpack with ts-loader (transpileOnly, ES modules)', buildWithWebpack({ module: 'esnext', moduleResolution: 'bundler' }));
