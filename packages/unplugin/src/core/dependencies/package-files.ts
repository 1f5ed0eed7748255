import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InstalledPackage } from './package-graph.js';

/** One file of an installed package, relative to the package's folder. */
export interface PackageFile {
  readonly path: string;
  readonly content: Uint8Array;
}

/** What only a compiler reads: C and C++ sources and headers, and node-gyp's project files. */
const COMPILER_INPUT = /\.(?:c|cc|cpp|cxx|h|hh|hpp|hxx|gyp|gypi)$/;

/**
 * Every file of an installed package, sorted by path, without its own `node_modules` (its
 * dependencies are laid out from the graph). For a native package, without what only the compiler
 * reads: C/C++ sources and gyp files, and under `build/` everything but the `.node` addon
 * (objects, makefiles): better-sqlite3 ships 20 MB installed and 2 MB like this. Symbolic links are
 * followed to files and never to folders, so a link cycle cannot loop.
 */
export function packageFiles(pkg: InstalledPackage, native: boolean): PackageFile[] {
  const files: PackageFile[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = `${prefix}${entry.name}`;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (prefix === '' && entry.name === 'node_modules') continue;
        walk(full, `${path}/`);
      } else if (entry.isFile() || (entry.isSymbolicLink() && statSync(full, { throwIfNoEntry: false })?.isFile() === true)) {
        if (native && (COMPILER_INPUT.test(path) || (path.startsWith('build/') && !path.endsWith('.node')))) continue;
        files.push({ path, content: readFileSync(full) });
      }
    }
  };
  walk(pkg.dir, '');
  return files;
}
