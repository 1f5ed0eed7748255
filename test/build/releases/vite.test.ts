import type { InlineConfig } from 'vite';
import { build as vite8 } from 'vite';
import { build as vite6 } from 'vite6';
import { build as vite7 } from 'vite7';
import hecateOm from '@hecate-om/unplugin/vite';
import { fileUrlLoader } from '../support/file-url-loader.js';
import { type BuildInto, describeDependenciesRelease, describeRelease } from '../support/release-matrix.js';

// The peer range claims vite >=6: vite 6 and 7 bundle with rollup, vite 8 with rolldown. `vite
// build` sets NODE_ENV to production where it is unset, and leaves a value it finds (vitest sets
// test): under development or test, vite 6 and 7 replaced a missing optional peer dependency (pg's
// pg-native) by a module that threw as the bundle loaded, until the plugin left it to run time.
function buildWith(build: (config: InlineConfig) => Promise<unknown>, nodeEnv: string): BuildInto {
  return async ({ root, outdir, cacheDir, files }) => {
    const previous = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = nodeEnv;
    try {
      await build({ root, configFile: false, logLevel: 'silent', build: { outDir: outdir, emptyOutDir: true }, plugins: [fileUrlLoader(), hecateOm({ cacheDir, files })] });
    } finally {
      if (previous === undefined) delete process.env['NODE_ENV'];
      else process.env['NODE_ENV'] = previous;
    }
  };
}

const vite6Build = vite6 as unknown as typeof vite8;
const vite7Build = vite7 as unknown as typeof vite8;
describeRelease('/vite under vite 6 (the oldest the peer range claims)', buildWith(vite6Build, 'production'));
describeRelease('/vite under vite 7', buildWith(vite7Build, 'production'));
describeRelease('/vite under vite 8 (the newest)', buildWith(vite8, 'production'));
// vite 6 and 7 leave the native package out through rollup, vite 8 through rolldown: the oldest and
// the newest, vite 6 with NODE_ENV=development, where pg-native's stand-in used to kill the release.
describeDependenciesRelease('/vite under vite 6 with NODE_ENV=development', buildWith(vite6Build, 'development'));
describeDependenciesRelease('/vite under vite 8', buildWith(vite8, 'production'));
