import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FileDigests } from './file-digests.js';
import type { InstalledPackage } from './package-graph.js';

/** One file of an installed package: its path in the package's folder, where it is on disk, and its content's sha256. */
export interface PackageFile {
  readonly path: string;
  readonly source: string;
  readonly sha256: string;
}

/** What only a compiler reads: C and C++ sources and headers, and node-gyp's project files. */
const COMPILER_INPUT = /\.(?:c|cc|cpp|cxx|h|hh|hpp|hxx|gyp|gypi)$/;

/**
 * Every file of an installed package, sorted by path, without its own `node_modules` (its
 * dependencies are laid out from the graph). For a native package, without what only the compiler
 * reads: C/C++ sources and gyp files, and under `build/` everything but the `.node` addon
 * (objects, makefiles): better-sqlite3 ships 20 MB installed and 2 MB like this. Symbolic links are
 * followed to files and never to folders, so a link cycle cannot loop. Contents are not read here:
 * `digests` knows most of them by size and mtime, and the tarball reads them only to pack.
 */
export function packageFiles(pkg: InstalledPackage, native: boolean, digests: FileDigests): PackageFile[] {
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
        files.push({ path, source: full, sha256: digests.digestOf(full) });
      }
    }
  };
  walk(pkg.dir, '');
  return files;
}
