import type { Manifest } from '@hecate-om/contract';

/** The bundle a build produced: the generated entry and its source map. */
export interface ReleaseBundle {
  readonly code: string | Uint8Array;
  readonly map: string | Uint8Array;
}

/** The file names inside the release (see the unplugin README, "`<name>-<version>.tar.gz`: the release"). */
export const BUNDLE_FILE = 'main.js';
export const SOURCE_MAP_FILE = 'main.js.map';

export function manifestJson(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The release's own package.json: just enough for `node main.js` to run it as ESM. */
export function releasePackageJson(manifest: Manifest): string {
  const packageJson = {
    name: manifest.name,
    version: manifest.version,
    private: true,
    type: 'module',
    main: BUNDLE_FILE,
    engines: { node: manifest.runtime.node },
  };
  return `${JSON.stringify(packageJson, null, 2)}\n`;
}

/** What the release tarball holds under `<name>-<version>/`. */
export function releaseFiles(manifest: Manifest, bundle: ReleaseBundle): { path: string; content: string | Uint8Array }[] {
  return [
    { path: BUNDLE_FILE, content: bundle.code },
    { path: SOURCE_MAP_FILE, content: bundle.map },
    { path: 'manifest.json', content: manifestJson(manifest) },
    { path: 'package.json', content: releasePackageJson(manifest) },
  ];
}
