import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InstalledPackage } from './package-graph.js';

/**
 * Packages that load a compiled addon through one of these find their binary on disk at run time
 * (`build/Release/*.node`, `prebuilds/<platform>/`), so a bundle cannot hold them.
 */
const ADDON_LOADERS = ['bindings', 'node-gyp-build', 'node-gyp-build-optional-packages', 'prebuild-install', '@mapbox/node-pre-gyp', 'node-pre-gyp'];

/**
 * Where packages keep compiled addons: the package's top folder (the per-platform packages of
 * `@swc/core`, `@parcel/watcher`), and below these folders (`build/Release/x.node`,
 * `prebuilds/linux-x64/x.node`, `lib/x.node` in `@img/sharp-linux-x64`, `bin/<abi>/x.node`). Only
 * they are searched, a few levels deep: a walk of every folder of every package (zod alone has
 * hundreds) would cost a warm build more than the rest of the plugin.
 */
const ADDON_FOLDERS = new Set(['build', 'prebuilds', 'lib', 'bin', 'binding', 'bindings', 'dist', 'native', 'napi']);
const MAX_ADDON_DEPTH = 3;

/**
 * Why a package holds native code, or undefined: `gypfile: true` or a `binding.gyp` (node-gyp
 * compiles it on install), a dependency on an addon loader (node-gyp-build, prebuild-install,
 * bindings, node-pre-gyp), or a `.node` file of its own (a prebuilt binary, as in the per-platform
 * optional packages of `@swc/core` or `@parcel/watcher`).
 */
export function nativeCodeOf(pkg: InstalledPackage): string | undefined {
  if (pkg.packageJson.gypfile === true) return 'its package.json says "gypfile": true';
  if (statSync(join(pkg.dir, 'binding.gyp'), { throwIfNoEntry: false }) !== undefined) return 'it has a binding.gyp';
  const loader = ADDON_LOADERS.find((name) => pkg.dependencies.has(name));
  if (loader !== undefined) return `it depends on ${loader}`;
  const addon = findAddon(pkg.dir, MAX_ADDON_DEPTH, '', ADDON_FOLDERS);
  return addon === undefined ? undefined : `it holds ${addon}`;
}

/** A `.node` file in `dir` or, `depth` levels down, in its folders (at the top, only `folders`). */
function findAddon(dir: string, depth: number, prefix: string, folders: ReadonlySet<string> | undefined): string | undefined {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined; // unreadable: nothing the release could ship either
  }
  for (const entry of entries) {
    if (entry.isFile() && entry.name.endsWith('.node')) return `${prefix}${entry.name}`;
  }
  if (depth === 0) return undefined;
  for (const entry of entries) {
    if (!entry.isDirectory() || (folders !== undefined && !folders.has(entry.name)) || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const found = findAddon(join(dir, entry.name), depth - 1, `${prefix}${entry.name}/`, undefined);
    if (found !== undefined) return found;
  }
  return undefined;
}
