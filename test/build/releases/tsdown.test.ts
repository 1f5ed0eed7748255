import { type UserConfig, build } from 'tsdown';
import hecateOm from '@hecate-om/unplugin/rolldown';
import { fileUrlLoader } from '../support/file-url-loader.js';
import { type BuildInto, describeDependenciesRelease, describeRelease } from '../support/release-matrix.js';

/**
 * The README's tsdown recipe (tsdown 0.21, the last line that runs on Node 20.19). tsdown requires
 * an entry and takes no virtual module: the plugin builds its generated entry where the entry is
 * the service module. tsdown writes main.mjs unless fixedExtension is off. It leaves package.json
 * dependencies external, and the plugin ships what the bundle imports in the release's
 * node_modules; `deps: { alwaysBundle: [/./] }` bundles them instead, all but the native ones.
 */
function buildWithTsdown(extra: UserConfig): BuildInto {
  return async ({ root, outdir, cacheDir, files }) => {
    await build({
      config: false,
      cwd: root,
      logLevel: 'silent',
      entry: { main: 'src/service.ts' },
      platform: 'node',
      sourcemap: true,
      fixedExtension: false,
      outDir: outdir,
      ...extra,
      plugins: [fileUrlLoader(), hecateOm({ cacheDir, files })],
    });
  };
}

describeRelease('tsdown (rolldown, /rolldown entry) with deps.alwaysBundle', buildWithTsdown({ deps: { alwaysBundle: [/./] } }));
describeDependenciesRelease('tsdown (rolldown, /rolldown entry), its dependencies external', buildWithTsdown({}));
