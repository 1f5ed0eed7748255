import type { InstalledPackage, PackageGraph } from './package-graph.js';

/** One package placed in the release: `node_modules/a` or `node_modules/a/node_modules/b`. */
export interface PlacedPackage {
  readonly path: string;
  readonly pkg: InstalledPackage;
}

interface Folder {
  readonly path: string; // '' for the release root
  readonly parent: Folder | undefined;
  readonly children: Map<string, Folder & { readonly pkg: InstalledPackage }>;
}

/**
 * Lays out `roots` (real package folders) and their dependency closure the way npm hoists: each
 * package at the top where Node's lookup (the nearest `node_modules/<name>` up from the importing
 * package) then finds the version that importer resolved at build time, else nested under the
 * importer. Roots are placed first, then their dependencies breadth-first, each level
 * in name order: the layout depends only on the graph, never on the order files were read.
 */
export function layoutNodeModules(graph: PackageGraph, roots: readonly string[]): PlacedPackage[] {
  const top: Folder = { path: '', parent: undefined, children: new Map() };
  const placed: PlacedPackage[] = [];
  const queue: Folder[] = [];

  const place = (parent: Folder, pkg: InstalledPackage): Folder & { pkg: InstalledPackage } => {
    const folder = { path: `${parent.path}${parent.path === '' ? '' : '/'}node_modules/${pkg.name}`, parent, children: new Map(), pkg };
    parent.children.set(pkg.name, folder);
    placed.push({ path: folder.path, pkg });
    queue.push(folder);
    return folder;
  };

  const sortedRoots = [...new Set(roots)].flatMap((dir) => graph.packages.get(dir) ?? []).sort(byName);
  for (const pkg of sortedRoots) if (!top.children.has(pkg.name)) place(top, pkg);

  while (queue.length > 0) {
    const importer = queue.shift()!;
    const pkg = (importer as Folder & { pkg: InstalledPackage }).pkg;
    for (const [name, dir] of pkg.dependencies) {
      const dependency = graph.packages.get(dir);
      if (dependency === undefined) continue;
      const found = lookup(importer, name);
      if (found?.pkg.dir === dir) continue; // already reachable as the importer resolved it
      // Where no folder on the way up holds the name, the top is safe: every importer placed so far
      // that needs the name finds its own below the top. Where another version is in the way, the
      // importer's own folder is: only the importer and what is placed under it later look there.
      place(found === undefined ? top : importer, dependency);
    }
  }
  return placed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** What Node finds for `name` from a module inside `from`: its own node_modules first, then up. */
function lookup(from: Folder, name: string): (Folder & { pkg: InstalledPackage }) | undefined {
  for (let folder: Folder | undefined = from; folder !== undefined; folder = folder.parent) {
    const child = folder.children.get(name);
    if (child !== undefined) return child;
  }
  return undefined;
}

function byName(a: InstalledPackage, b: InstalledPackage): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
