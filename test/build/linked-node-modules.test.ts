import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { rspack } from '@rspack/core';
import webpack from 'webpack';
import { afterAll, describe, expect, it } from 'vitest';
import hecateOmRspack from '@hecate-om/unplugin/rspack';
import hecateOmWebpack from '@hecate-om/unplugin/webpack';
import { httpGet, runRelease } from '../runtime/fixture-release.mjs';
import { compileOnce, copyOfProjectWithLinkedNodeModules, tempDir, unpackTarball, webpackLikeReleaseOptions } from './support/builds.js';
import { RELEASE_TARBALL, releaseFixture } from './support/release-matrix.js';

// webpack and rspack resolve the generated entry to its real path, outside the project when
// node_modules is a link: its relative imports of the service and the runtime must still resolve.
const typescript = {
  webpack: { test: /\.ts$/, loader: 'ts-loader', options: { transpileOnly: true } },
  rspack: { test: /\.ts$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' } } }, type: 'javascript/auto' },
};

describe.each(['webpack', 'rspack'] as const)('a project whose node_modules is a symbolic link, built through /%s', (bundler) => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('builds, and its release runs from an empty directory until /health/ready answers 200', async () => {
    const root = await copyOfProjectWithLinkedNodeModules(releaseFixture);
    dirs.push(dirname(root));
    const outdir = join(root, 'dist');
    const config = {
      ...webpackLikeReleaseOptions(root, outdir),
      resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
      module: { rules: [typescript[bundler]] },
    };
    const cacheDir = join(root, '.cache');
    const stats =
      bundler === 'webpack'
        ? await compileOnce(webpack({ ...config, experiments: { outputModule: true }, plugins: [hecateOmWebpack({ cacheDir })] }))
        : await compileOnce(rspack({ ...config, plugins: [hecateOmRspack({ cacheDir })] }));
    expect(stats.toJson({ all: false, errors: true }).errors).toEqual([]);
    const unpacked = await tempDir('linked-run');
    dirs.push(unpacked);
    await unpackTarball(join(outdir, RELEASE_TARBALL), unpacked);
    const release = runRelease(join(unpacked, 'release-service-1.2.0'));
    try {
      const port = await release.ready();
      expect((await httpGet(port, '/health/ready')).status).toBe(200);
    } finally {
      release.kill('SIGKILL');
    }
  });
});
