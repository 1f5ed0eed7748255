import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One installed package of the project's production dependency closure. */
export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  /** Real path of the package's folder (pnpm's symlinks resolved), the key of the graph. */
  readonly dir: string;
  readonly packageJson: PackageManifest;
  /** What each dependency name resolves to from this package, by real path; sorted by name. */
  readonly dependencies: ReadonlyMap<string, string>;
}

/** The fields of a package.json this module reads. */
export interface PackageManifest {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly gypfile?: boolean;
}

/** The project's installed production closure, keyed by real path. */
export interface PackageGraph {
  /** What each of the project's own `dependencies` resolves to, by real path. */
  readonly roots: ReadonlyMap<string, string>;
  readonly packages: ReadonlyMap<string, InstalledPackage>;
  /** Dependencies that are declared but not installed (an optional one skipped on this platform). */
  readonly missing: readonly { readonly from: string; readonly name: string; readonly optional: boolean }[];
}

/**
 * Reads what the project's `dependencies` and `optionalDependencies` resolve to, and theirs, the way
 * Node resolves a bare specifier (the nearest `node_modules/<name>` up from the importing package's
 * real folder): the same answer with npm, yarn's node_modules linker and pnpm's symlinked store.
 * Synchronous: a few hundred small reads cost less than their thread-pool round trips.
 */
export function readPackageGraph(root: string, rootManifest: PackageManifest): PackageGraph {
  const packages = new Map<string, InstalledPackage>();
  const missing: { from: string; name: string; optional: boolean }[] = [];
  const pending: string[] = [];
  const queued = new Set<string>();

  const resolveAll = (fromDir: string, manifest: PackageManifest, from: string): Map<string, string> => {
    const resolved = new Map<string, string>();
    const optional = manifest.optionalDependencies ?? {};
    const names = [...new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(optional)])].sort();
    for (const name of names) {
      const dir = findPackageDir(fromDir, name);
      if (dir === undefined) {
        missing.push({ from, name, optional: name in optional });
        continue;
      }
      resolved.set(name, dir);
      if (!queued.has(dir)) {
        queued.add(dir);
        pending.push(dir);
      }
    }
    return resolved;
  };

  const roots = resolveAll(root, rootManifest, 'package.json');
  while (pending.length > 0) {
    const dir = pending.shift()!;
    const packageJson = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
    const name = packageJson.name ?? dir;
    const version = packageJson.version ?? '0.0.0';
    packages.set(dir, { name, version, dir, packageJson, dependencies: resolveAll(dir, packageJson, `${name}@${version}`) });
  }
  return { roots, packages, missing };
}

/** The real folder of `name` as Node finds it from a module in `fromDir`, or undefined. */
export function findPackageDir(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (statSync(join(candidate, 'package.json'), { throwIfNoEntry: false })?.isFile() === true) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}
