import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Manifest } from '@hecate-om/contract';
import type { ShippedDependencies } from './dependencies/release-dependencies.js';
import type { ReleaseFile } from './release-tarball.js';

/** What a build wrote for the release: the generated entry, its source map, and every other output. */
export interface ReleaseBundle {
  readonly code: string | Uint8Array;
  /** The source map of main.js; undefined when the build writes none (`sourcemap: false`, inline). */
  readonly map: string | Uint8Array | undefined;
  /** Every other file the bundler wrote for this bundle (file-loader outputs, assets), relative to outdir. */
  readonly assets: readonly ReleaseFile[];
  /** The absolute folder the bundle was written to: the source map's `sources` are relative to it. */
  readonly outdir: string;
}

/** The file names inside the release (see the unplugin README, "`<name>-<version>.tar.gz`: the release"). */
export const BUNDLE_FILE = 'main.js';
export const SOURCE_MAP_FILE = 'main.js.map';
const MANIFEST_FILE = 'manifest.json';
const PACKAGE_JSON_FILE = 'package.json';
const NODE_MODULES = 'node_modules';

export function manifestJson(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * The release's own package.json: enough for `node main.js` to run it as ESM, and the packages its
 * `node_modules` ships for the bundle, at the exact versions installed when it was built.
 */
export function releasePackageJson(manifest: Manifest, dependencies: Readonly<Record<string, string>>): string {
  const packageJson = {
    name: manifest.name,
    version: manifest.version,
    private: true,
    type: 'module',
    main: BUNDLE_FILE,
    engines: { node: manifest.runtime.node },
    ...(Object.keys(dependencies).length === 0 ? {} : { dependencies }),
  };
  return `${JSON.stringify(packageJson, null, 2)}\n`;
}

/** Why a path of the release is not the user's to fill, or undefined. */
export function reservedReleasePath(path: string): string | undefined {
  if ([BUNDLE_FILE, SOURCE_MAP_FILE, MANIFEST_FILE, PACKAGE_JSON_FILE].includes(path)) return `${path} is the release's own`;
  if (path === NODE_MODULES || path.startsWith(`${NODE_MODULES}/`)) return `${NODE_MODULES}/ holds the shipped dependencies`;
  return undefined;
}

export interface ReleaseContents {
  readonly manifest: Manifest;
  readonly bundle: ReleaseBundle;
  readonly dependencies: ShippedDependencies;
  /** The files of the `files` option, relative to the service root. */
  readonly serviceFiles: readonly ReleaseFile[];
  /** The service root: the release folder stands for it, so the source map's paths are made relative to it. */
  readonly root: string;
}

/**
 * What the release tarball holds under `<name>-<version>/`, but the shipped `node_modules`
 * (`contents.dependencies.files`), which is read from the installed packages only to pack.
 */
export function releaseOwnFiles({ manifest, bundle, dependencies, serviceFiles, root }: ReleaseContents): ReleaseFile[] {
  return [
    { path: BUNDLE_FILE, content: bundle.map === undefined ? bundle.code : linkingSourceMap(bundle.code) },
    ...(bundle.map === undefined ? [] : [{ path: SOURCE_MAP_FILE, content: relocateSourceMap(bundle.map, bundle.outdir, root) }]),
    ...bundle.assets,
    ...serviceFiles,
    { path: MANIFEST_FILE, content: manifestJson(manifest) },
    { path: PACKAGE_JSON_FILE, content: releasePackageJson(manifest, dependencies.dependencies) },
  ];
}

const SOURCE_MAP_COMMENT = /\/\/[#@] sourceMappingURL=\S+\s*$/;

/**
 * main.js as the release ships it beside its map: Node finds a map only through the
 * `//# sourceMappingURL=` comment at the end of the file (ECMA-426, "Linking generated code"), and
 * some builds leave it to a later step the bundle never sees: tsup runs esbuild with an external map
 * and appends the comment as it writes dist/main.js, after the plugin has read the bundle. Adding it
 * as tsup does gives the release the main.js of dist/.
 */
export function linkingSourceMap(code: string | Uint8Array): string | Uint8Array {
  const text = typeof code === 'string' ? code : Buffer.from(code).toString('utf8');
  if (SOURCE_MAP_COMMENT.test(text)) return code;
  return `${text}${text.endsWith('\n') ? '' : '\n'}//# sourceMappingURL=${SOURCE_MAP_FILE}`;
}

interface SourceMapJson {
  sourceRoot?: string;
  sources?: (string | null)[];
}

/**
 * The source map as the release needs it: `main.js.map` lies at the release's top, which stands
 * for the service root, so each source is made relative to the root (`src/service.ts`) instead of
 * to the folder the bundler wrote into. Where that folder lies outside the project (a temporary
 * directory, a CI workspace), the bundler's paths climb through the build machine's folders
 * (`../../home/<user>/...`); relative to the root they are the same on every checkout. A node
 * running the release with source maps on then names `<release>/src/service.ts:14:5` in stacks.
 */
export function relocateSourceMap(map: string | Uint8Array, outdir: string, root: string): string {
  const text = typeof map === 'string' ? map : Buffer.from(map).toString('utf8');
  const json = JSON.parse(text) as SourceMapJson;
  const base = resolve(outdir, json.sourceRoot ?? '');
  const sources = json.sources?.map((source) => {
    if (source === null || /^[a-z][a-z0-9+.-]*:/i.test(source)) return source; // a URL or a virtual module keeps its name
    const absolute = isAbsolute(source) ? source : resolve(base, source);
    return relative(root, absolute).split(sep).join('/');
  });
  const { sourceRoot: _dropped, ...rest } = json;
  return JSON.stringify({ ...rest, sources });
}
