import type { InlineConfig } from 'vite';
import { build as vite8 } from 'vite';
import { build as vite6 } from 'vite6';
import { build as vite7 } from 'vite7';
import hecateOm from '@hecate-om/unplugin/vite';
import { type BuildInto, describeRelease } from '../support/release-matrix.js';

// The peer range claims vite >=6: vite 6 and 7 bundle with rollup, vite 8 with rolldown.
function buildWith(build: (config: InlineConfig) => Promise<unknown>): BuildInto {
  return async ({ root, outdir, cacheDir }) => {
    await build({ root, configFile: false, logLevel: 'silent', build: { outDir: outdir, emptyOutDir: true }, plugins: [hecateOm({ cacheDir })] });
  };
}

describeRelease('/vite under vite 6 (the oldest the peer range claims)', buildWith(vite6 as unknown as typeof vite8));
describeRelease('/vite under vite 7', buildWith(vite7 as unknown as typeof vite8));
describeRelease('/vite under vite 8 (the newest)', buildWith(vite8));
