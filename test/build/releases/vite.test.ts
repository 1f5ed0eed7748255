import type { InlineConfig } from 'vite';
import { build as vite8 } from 'vite';
import { build as vite6 } from 'vite6';
import { build as vite7 } from 'vite7';
import hecateOm from '@hecate-om/unplugin/vite';
import { fileUrlLoader } from '../support/file-url-loader.js';
import { type BuildInto, describeDependenciesRelease, describeRelease } from '../support/release-matrix.js';

// The peer range claims vite >=6: vite 6 and 7 bundle with rollup, vite 8 with rolldown.
function buildWith(build: (config: InlineConfig) => Promise<unknown>): BuildInto {
  return async ({ root, outdir, cacheDir, files }) => {
    // `vite build` sets NODE_ENV to production where it is unset; vitest sets it to test, under which
    // vite 6 and 7 replace an optional peer dependency that is not installed (pg's pg-native) with a
    // module that throws as the bundle loads. Built as users build.
    const nodeEnv = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'production';
    try {
      await build({ root, configFile: false, logLevel: 'silent', build: { outDir: outdir, emptyOutDir: true }, plugins: [fileUrlLoader(), hecateOm({ cacheDir, files })] });
    } finally {
      if (nodeEnv === undefined) delete process.env['NODE_ENV'];
      else process.env['NODE_ENV'] = nodeEnv;
    }
  };
}

describeRelease('/vite under vite 6 (the oldest the peer range claims)', buildWith(vite6 as unknown as typeof vite8));
describeRelease('/vite under vite 7', buildWith(vite7 as unknown as typeof vite8));
describeRelease('/vite under vite 8 (the newest)', buildWith(vite8));
// vite 6 and 7 leave the native package out through rollup, vite 8 through rolldown: the oldest and the newest.
describeDependenciesRelease('/vite under vite 6', buildWith(vite6 as unknown as typeof vite8));
describeDependenciesRelease('/vite under vite 8', buildWith(vite8));
