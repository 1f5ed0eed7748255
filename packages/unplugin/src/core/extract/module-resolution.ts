import { statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve, sep } from 'node:path';
import { ts } from 'ts-morph';
import type { SourceFiles } from './source-files.js';

/** What an import specifier names, as the bundler would resolve it. */
export type Resolution =
  | { readonly kind: 'file'; readonly path: string }
  /** A third-party package: a bare specifier no tsconfig `paths`/`baseUrl` maps, or a file under node_modules. */
  | { readonly kind: 'package' }
  | { readonly kind: 'missing' }
  /** Files exist that different bundlers would choose between, or that the reader does not parse. */
  | { readonly kind: 'uncertain'; readonly why: string };

/** esbuild's default `resolveExtensions`, in its order. */
const RESOLVE_EXTENSIONS = ['.tsx', '.ts', '.jsx', '.js', '.css', '.json'];
/** An import of `x.js` may name `x.ts`: TypeScript's convention, which esbuild follows when `x.js` is absent. */
const TS_REWRITES: Readonly<Record<string, readonly string[]>> = { '.js': ['.ts', '.tsx'], '.jsx': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };
/** What the reader parses: TypeScript, JavaScript and JSON modules. */
const READABLE_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json']);

interface PathMapping {
  /** The folder `paths` targets and a bare `baseUrl` lookup are relative to. */
  readonly baseDir: string;
  readonly paths: ReadonlyMap<string, readonly string[]>;
  readonly hasBaseUrl: boolean;
}

/**
 * Resolves import specifiers to files the way the bundlers do: a relative import names the file
 * as written first (so `./desc.js` is `desc.js` when it exists, as esbuild, vite, rollup and webpack
 * all read it), then `desc.ts`; a bare specifier goes through the nearest tsconfig.json's `paths`
 * and `baseUrl` (as esbuild and vite-tsconfig-paths do), and is a package otherwise. Each specifier
 * is resolved once per folder, and every path tried and not found is noted: if it appears, the
 * import names another file, so a cached analysis is stale.
 */
export class ModuleResolver {
  readonly #resolved = new Map<string, Resolution>();
  readonly #mappings = new Map<string, PathMapping | undefined>();

  constructor(readonly files: SourceFiles) {}

  resolve(fromFile: string, specifier: string): Resolution {
    const fromDir = dirname(fromFile);
    const key = `${fromDir}\0${specifier}`;
    let resolution = this.#resolved.get(key);
    if (resolution === undefined) {
      resolution = this.#resolve(fromDir, specifier);
      this.#resolved.set(key, resolution);
    }
    return resolution;
  }

  #resolve(fromDir: string, specifier: string): Resolution {
    if (isRelative(specifier) || isAbsolute(specifier)) return this.#file(resolve(fromDir, specifier));
    const mapping = this.#mappingFor(fromDir);
    if (mapping !== undefined) {
      for (const target of mappedTargets(mapping, specifier)) {
        const found = this.#file(target);
        if (found.kind !== 'missing') return found;
      }
      if (mapping.hasBaseUrl) {
        const found = this.#file(join(mapping.baseDir, specifier));
        if (found.kind !== 'missing') return found;
      }
    }
    return { kind: 'package' };
  }

  /** The file at `base`, tried as esbuild tries it: as written, with an extension, as TypeScript's source, as a folder's index. */
  #file(base: string): Resolution {
    const extension = extname(base);
    const stem = base.slice(0, base.length - extension.length);
    if (this.#exists(base)) return this.#readable(base);
    const appended = RESOLVE_EXTENSIONS.map((candidate) => `${base}${candidate}`).filter((candidate) => this.#exists(candidate));
    if (appended.length > 1)
      return {
        kind: 'uncertain',
        why: `${appended.map((path) => this.files.relativePath(path)).join(' and ')} all exist, and bundlers differ in which an import without an extension names: write the extension`,
      };
    if (appended[0] !== undefined) return this.#readable(appended[0]);
    for (const rewritten of TS_REWRITES[extension] ?? []) if (this.#exists(`${stem}${rewritten}`)) return this.#readable(`${stem}${rewritten}`);
    if (this.#exists(join(base, 'package.json')))
      return { kind: 'uncertain', why: `${this.files.relativePath(base)} is a folder with a package.json, whose entry the reader does not follow: import the file itself` };
    for (const candidate of RESOLVE_EXTENSIONS) if (this.#exists(join(base, `index${candidate}`))) return this.#readable(join(base, `index${candidate}`));
    return { kind: 'missing' };
  }

  #readable(path: string): Resolution {
    if (path.split(sep).includes('node_modules')) return { kind: 'package' };
    if (!READABLE_EXTENSIONS.has(extname(path)))
      return { kind: 'uncertain', why: `${this.files.relativePath(path)} is not a TypeScript, JavaScript or JSON module` };
    return { kind: 'file', path };
  }

  #exists(path: string): boolean {
    if (isFile(path)) return true;
    this.files.noteAbsent(path);
    return false;
  }

  /**
   * The `paths` and `baseUrl` of the tsconfig.json nearest to `dir` (the one esbuild applies to files
   * there), looked for up to the project root: a tsconfig above the project is not the project's
   * (one it `extends` is read, though).
   */
  #mappingFor(dir: string): PathMapping | undefined {
    if (this.#mappings.has(dir)) return this.#mappings.get(dir);
    const configPath = join(dir, 'tsconfig.json');
    const parent = dirname(dir);
    const atTop = dir === this.files.root || parent === dir || !isInside(parent, this.files.root);
    const mapping = this.#exists(configPath) ? this.#readMapping(configPath) : atTop ? undefined : this.#mappingFor(parent);
    this.#mappings.set(dir, mapping);
    return mapping;
  }

  #readMapping(configPath: string): PathMapping | undefined {
    // The compiler's own reading, for `extends` and comments; with no directory listing, so a large
    // `include` costs nothing, and with every file it reads recorded as an input of the analysis.
    const host: ts.ParseConfigHost = {
      useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
      readDirectory: () => [],
      fileExists: (path) => this.#exists(path),
      readFile: (path) => this.files.readText(path),
    };
    const text = this.files.readText(configPath);
    if (text === undefined) return undefined;
    const json = ts.parseConfigFileTextToJson(configPath, text);
    if (json.error !== undefined) return undefined;
    const options = ts.parseJsonConfigFileContent(json.config, host, dirname(configPath), undefined, configPath).options;
    const paths = options.paths ?? {};
    const baseDir = options.baseUrl ?? (options as { pathsBasePath?: string }).pathsBasePath ?? dirname(configPath);
    if (options.baseUrl === undefined && Object.keys(paths).length === 0) return undefined;
    return { baseDir, paths: new Map(Object.entries(paths)), hasBaseUrl: options.baseUrl !== undefined };
  }
}

/** The targets of the `paths` pattern that matches `specifier` with the longest prefix, as TypeScript chooses. */
function mappedTargets(mapping: PathMapping, specifier: string): string[] {
  let best: { prefix: string; star: string; targets: readonly string[] } | undefined;
  for (const [pattern, targets] of mapping.paths) {
    const star = pattern.indexOf('*');
    if (star === -1) {
      if (pattern === specifier) return targets.map((target) => resolve(mapping.baseDir, target));
      continue;
    }
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (specifier.length >= prefix.length + suffix.length && specifier.startsWith(prefix) && specifier.endsWith(suffix))
      if (best === undefined || prefix.length > best.prefix.length)
        best = { prefix, star: specifier.slice(prefix.length, specifier.length - suffix.length), targets };
  }
  if (best === undefined) return [];
  const { star, targets } = best;
  return targets.map((target) => resolve(mapping.baseDir, target.replace('*', star)));
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}${sep}`);
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..';
}

function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false; // ENOTDIR and the like: `x/index.ts` where `x` is a file is simply not a candidate
  }
}
