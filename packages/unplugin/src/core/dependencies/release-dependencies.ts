import { isBuiltin } from 'node:module';
import { type PackageAddonNeed, addonNeedOf, nodeMajorOfAbi, requiredNodeAbis } from './addon-abi.js';
import type { FileDigests } from './file-digests.js';
import { nativeCodeOf } from './native-packages.js';
import { layoutNodeModules } from './node-modules-layout.js';
import type { InstalledPackage, PackageGraph } from './package-graph.js';
import { packageFiles } from './package-files.js';
import { type NativePlatform, buildPlatform } from './platform.js';

/** A package of the project that holds native code, and how that was told. */
export interface NativePackage {
  readonly name: string;
  readonly version: string;
  readonly reason: string;
}

/** What the bundler leaves out of the bundle: as the build config says it, and as the bundle shows it. */
export interface BundlerExternals {
  /**
   * The config's own `external` patterns (esbuild's syntax: `*` matches any run of characters): one
   * that no installed package matches is a warning.
   */
  readonly patterns: readonly string[];
  /** Every bare import left out (esbuild's `packages: 'external'`). */
  readonly allPackages: boolean;
  /**
   * The packages the finished bundle imports (see packageImportsOf): one that is not installed is
   * an optional import the bundler could not resolve either (pg's `pg-native`), and ships nothing.
   */
  readonly imports: readonly string[];
}

/** What the release ships besides the bundle. */
export interface ShippedDependencies {
  /** `node_modules/...` files, sorted by path: `source` is the installed file, read only to pack a tarball. */
  readonly files: readonly { readonly path: string; readonly source: string; readonly sha256: string }[];
  /** The release package.json's `dependencies`: each package the bundle imports, at its exact version. */
  readonly dependencies: Readonly<Record<string, string>>;
  readonly platform: NativePlatform | undefined;
  /** The native packages shipped, by name. */
  readonly nativePackages: readonly string[];
  /** What the build should tell the user (an external that no installed package provides). */
  readonly warnings: readonly string[];
}

/**
 * The project's installed production dependencies as the release needs them: which packages are
 * native (so must stay out of the bundle), and, once the bundler's externals are known, the
 * `node_modules` that ships what the bundle does not hold.
 */
export class ReleaseDependencies {
  readonly native: readonly NativePackage[];
  /** Where native code ships (always, when there is some), the platform it was compiled for. */
  readonly platform: NativePlatform | undefined;
  /** What each native package's addons need of the Node that loads them. */
  readonly addonNeeds: readonly PackageAddonNeed[];
  /** Why no Node can load every addon (each built for another ABI), or undefined. */
  readonly abiConflict: string | undefined;
  readonly #nativeDirs: ReadonlySet<string>;

  constructor(
    private readonly graph: PackageGraph,
    /** Real folder of @hecate-om/runtime: shipped too when every package is external. */
    private readonly runtimeDir: string | undefined,
    private readonly digests: FileDigests,
  ) {
    const native: NativePackage[] = [];
    const dirs = new Set<string>();
    for (const pkg of [...graph.packages.values()].sort(byNameThenDir)) {
      const reason = nativeCodeOf(pkg);
      if (reason === undefined) continue;
      dirs.add(pkg.dir);
      if (!native.some(({ name }) => name === pkg.name)) native.push({ name: pkg.name, version: pkg.version, reason });
    }
    this.native = native;
    const build = { abi: Number(process.versions.modules), cpu: process.arch };
    this.addonNeeds = native.map(({ name }) => ({ name, need: addonNeedOf(this.#packageNamed(name)!.dir, build) }));
    const required = requiredNodeAbis(this.addonNeeds);
    this.abiConflict = required.ok ? undefined : required.message;
    const abis = required.ok ? required.abis : undefined;
    const majors = abis?.flatMap((abi) => nodeMajorOfAbi(abi) ?? []);
    this.platform = native.length > 0 ? { ...buildPlatform(), ...(abis === undefined ? {} : { nodeAbi: [...abis], nodeMajors: majors! }) } : undefined;
    this.#nativeDirs = dirs;
  }

  /** The native packages whose addons load under one Node ABI only (not Node-API). */
  get abiTiedNames(): string[] {
    return this.addonNeeds.filter(({ need }) => need.kind === 'abi').map(({ name }) => name);
  }

  /** The package names the bundler must leave out: every native one. */
  get externalNames(): string[] {
    return this.native.map(({ name }) => name);
  }

  /** Lays out what ships: the native packages and the bundler's externals, with their closures. */
  ship(externals: BundlerExternals): ShippedDependencies {
    const warnings: string[] = [];
    const roots = new Map<string, InstalledPackage>();
    const add = (pkg: InstalledPackage): void => {
      if (!roots.has(pkg.name)) roots.set(pkg.name, pkg);
    };
    for (const { name } of this.native) add(this.#packageNamed(name)!);
    if (externals.allPackages) {
      for (const dir of this.graph.roots.values()) add(this.graph.packages.get(dir)!);
      const runtime = this.runtimeDir === undefined ? undefined : this.graph.packages.get(this.runtimeDir);
      if (runtime !== undefined) add(runtime);
    }
    for (const name of externals.imports) {
      const pkg = this.#packageNamed(packageNameOf(name) ?? name);
      if (pkg !== undefined) add(pkg);
    }
    for (const pattern of externals.patterns) {
      const name = packageNameOf(pattern);
      if (name === undefined || isBuiltin(name)) continue;
      const matches = name.includes('*') ? this.#packagesMatching(name) : [this.#packageNamed(name)].flatMap((pkg) => pkg ?? []);
      if (matches.length === 0)
        warnings.push(
          `external "${pattern}" names no installed production dependency of the service: the release will not have it, so importing it fails at run time unless the service guards the import (move it to "dependencies", or bundle it)`,
        );
      for (const pkg of matches) add(pkg);
    }
    const placed = layoutNodeModules(this.graph, [...roots.values()].map(({ dir }) => dir));
    const files = placed.flatMap(({ path, pkg }) =>
      packageFiles(pkg, this.#nativeDirs.has(pkg.dir), this.digests).map((file) => ({ ...file, path: `${path}/${file.path}` })),
    );
    this.digests.save();
    const dependencies = Object.fromEntries([...roots.values()].sort(byNameThenDir).map(({ name, version }) => [name, version]));
    return {
      files,
      dependencies,
      platform: this.platform,
      nativePackages: this.externalNames,
      warnings,
    };
  }

  /** The installed package of that name: the project's own dependency, else the first copy by real path. */
  #packageNamed(name: string): InstalledPackage | undefined {
    const direct = this.graph.roots.get(name);
    if (direct !== undefined) return this.graph.packages.get(direct);
    return [...this.graph.packages.values()].filter((pkg) => pkg.name === name).sort(byNameThenDir).at(0);
  }

  #packagesMatching(pattern: string): InstalledPackage[] {
    const regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
    const names = [...new Set([...this.graph.packages.values()].map(({ name }) => name))].filter((name) => regex.test(name)).sort();
    return names.flatMap((name) => this.#packageNamed(name) ?? []);
  }
}

/** `pg`, `@scope/name` and `pkg/sub/path` → the package name; a path or a file pattern → undefined. */
function packageNameOf(pattern: string): string | undefined {
  if (pattern.startsWith('.') || pattern.startsWith('/') || pattern.startsWith('*') || pattern.includes(':') && !pattern.startsWith('node:')) return undefined;
  const segments = pattern.split('/');
  return pattern.startsWith('@') ? segments.slice(0, 2).join('/') : segments[0];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function byNameThenDir(a: InstalledPackage, b: InstalledPackage): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0;
}
