import { resolve } from 'node:path';
import { MAIN_MODULE_ID } from './virtual-modules.js';

/** The entry every release is built from: `main.js`, the generated module that boots the service. */
export function releaseEntry(): { main: string } {
  return { main: MAIN_MODULE_ID };
}

/**
 * Whether a config names no entry (rollup's CLI and watch() pass `input: []`, esbuild `{}`), or
 * names the service module alone. tsup and tsdown take no virtual module as an entry, so their
 * users name the service module (`entry: { main: 'src/service.ts' }`); built as is, `main.js`
 * would define the class and never boot it, exit 0 and listen nowhere. Either way the plugin
 * builds its generated entry instead, which imports the service module and boots it.
 * `baseDir` is what a relative entry is relative to (esbuild's absWorkingDir, rolldown's cwd).
 */
export function takesReleaseEntry(entries: unknown, service: string | undefined, baseDir: string): boolean {
  if (entries === undefined || entries === null) return true;
  const paths = typeof entries === 'string' ? [entries] : Array.isArray(entries) ? entries : typeof entries === 'object' ? Object.values(entries) : [];
  if (paths.length === 0) return true;
  return service !== undefined && paths.length === 1 && typeof paths[0] === 'string' && resolve(baseDir, paths[0]) === service;
}
