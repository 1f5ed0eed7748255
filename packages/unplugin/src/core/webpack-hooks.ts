import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { packageImportPattern, packageImportsOf } from './bundler-externals.js';
import { removeStaleOutputs } from './outputs-index.js';
import { BUNDLE_FILE, SOURCE_MAP_FILE } from './release-files.js';
import { failureMessage } from './report.js';
import type { AnalysisOutcome, ServiceBuild } from './service-build.js';
import { MAIN_MODULE_ID, MANIFEST_MODULE_ID, VIRTUAL_MODULE_FILTER } from './virtual-modules.js';

const NAME = 'hecate-om';

/**
 * What webpack's and rspack's compilers have in common here (rspack mirrors webpack's API), typed
 * structurally so that neither bundler's types are needed to build this package.
 */
interface Source {
  buffer(): Buffer;
}
/** webpack's LazySet and rspack's FileSystemDependencies. */
interface Dependencies extends Iterable<string> {
  add(path: string): unknown;
  delete(path: string): boolean;
}
interface Compilation {
  readonly modules: Iterable<object>;
  getAsset(name: string): { source: Source } | undefined;
  getAssets(): readonly { name: string; source: Source }[];
  warnings: Error[];
  emitAsset(name: string, source: Source): void;
  errors: Error[];
  fileDependencies: Dependencies;
  contextDependencies: Dependencies;
  missingDependencies: Dependencies;
  hooks: {
    processAssets: { tapPromise(options: { name: string; stage: number }, run: () => Promise<void>): void };
  };
}
interface NormalModuleFactory {
  /** `context`: the folder the request is resolved from (the importing module's). */
  hooks: { beforeResolve: { tapPromise(name: string, run: (data: { request: string; context: string }) => Promise<false | undefined>): void } };
}
export interface WebpackLikeCompiler {
  context: string;
  /** Read once the config's defaults are applied (from thisCompilation on). */
  options: { output: { module?: boolean | undefined; devtoolModuleFilenameTemplate?: unknown } };
  /** `output.path`, absolute: where the bundle and the artifacts are written. */
  outputPath: string;
  webpack: {
    Compilation: { PROCESS_ASSETS_STAGE_REPORT: number };
    sources: { RawSource: new (source: Buffer) => Source };
    WebpackError: new (message: string) => Error;
    optimize: { LimitChunkCountPlugin: new (options: { maxChunks: number }) => { apply(compiler: WebpackLikeCompiler): void } };
    ExternalsPlugin: new (type: string, externals: RegExp[]) => { apply(compiler: WebpackLikeCompiler): void };
    /** A module left to the host: its `userRequest` is the import as written (`better-sqlite3`, `node:fs`). */
    ExternalModule: abstract new (...args: never[]) => { readonly userRequest: string };
  };
  hooks: {
    shouldEmit: { tap(name: string, run: (compilation: Compilation) => false | undefined): void };
    thisCompilation: { tap(name: string, run: (compilation: Compilation) => void): void };
    make: { tapPromise(name: string, run: (compilation: Compilation) => Promise<void>): void };
    afterCompile: { tap(name: string, run: (compilation: Compilation) => void): void };
    normalModuleFactory: { tap(name: string, run: (factory: NormalModuleFactory) => void): void };
  };
}

/**
 * webpack reads `virtual:` as a URI scheme and never asks the resolver (so unplugin's resolveId)
 * about it: the ids are rewritten before resolution to the files the plugin generates.
 * A failed analysis drops the request, so that the only error is the one analyzeEachCompilation
 * reports (rspack would add that it cannot read the `virtual:` scheme).
 *
 * webpack and rspack resolve a module to its real path. Where the project's node_modules is a
 * symbolic link (to a shared or cached folder), the generated entry then lives outside the project,
 * and its imports, relative to where it is written (`../../../../src/service.ts`), would be resolved
 * from there: they are resolved from the folder the plugin wrote them in instead.
 */
export function resolveVirtualModulesToFiles(compiler: WebpackLikeCompiler, service: ServiceBuild): void {
  let real: string | undefined; // found once, by the first resolution after the folder is written
  compiler.hooks.normalModuleFactory.tap(NAME, (factory) => {
    factory.hooks.beforeResolve.tapPromise(NAME, async (data) => {
      const generated = service.generatedModulesDir;
      if (generated !== undefined) real ??= realGeneratedDir(generated);
      if (generated !== undefined && real !== undefined && real !== generated && isWithin(real, data.context))
        data.context = join(generated, relative(real, data.context));
      if (!VIRTUAL_MODULE_FILTER.test(data.request)) return undefined;
      const outcome = await service.currentAnalysis();
      if (!outcome.ok) return false;
      data.request = service.moduleFileOf(data.request === MAIN_MODULE_ID ? MAIN_MODULE_ID : MANIFEST_MODULE_ID, outcome.analysis);
      return undefined;
    });
  });
}

/** The real path of the generated modules' folder, once it exists (the first resolution writes it). */
function realGeneratedDir(generated: string): string | undefined {
  try {
    return realpathSync(generated);
  } catch {
    return undefined; // not written yet: nothing resolves from it either
  }
}

/**
 * Analyses the service once per compilation and reports a failure as a compilation error, not as a
 * fatal one: webpack's and rspack's watchers stop for good on a fatal error, and go on after a
 * compilation error, rebuilding when a watched file changes. The files the analysis read are
 * watched, since a failed analysis keeps the bundler from loading the service itself.
 *
 * The analysis starts in `thisCompilation`, before `make` adds the entry whose resolution awaits it.
 */
export function analyzeEachCompilation(compiler: WebpackLikeCompiler, service: ServiceBuild): void {
  service.configure(compiler.context);
  const { WebpackError } = compiler.webpack;
  const outcomes = new WeakMap<Compilation, Promise<AnalysisOutcome>>();
  compiler.hooks.thisCompilation.tap(NAME, (compilation) => {
    outcomes.set(compilation, service.analyze());
  });
  compiler.hooks.make.tapPromise(NAME, async (compilation) => {
    const outcome = await outcomes.get(compilation);
    if (outcome === undefined) return; // a child compilation: the parent analysed the service
    for (const input of outcome.ok ? outcome.analysis.inputs : outcome.inputs) compilation.fileDependencies.add(input);
    if (!outcome.ok) compilation.errors.push(new WebpackError(failureMessage(outcome.failure)));
  });
  // The generated modules change only when the analysis inputs do, which are watched. Written during
  // the first compilation of a cold cache, they (and their new folders, up to node_modules/.cache,
  // which the resolver records as it follows the path) would look to the watcher like edits made
  // after it started, and every first watch build would run twice.
  compiler.hooks.afterCompile.tap(NAME, (compilation) => {
    const generated = service.generatedModulesDir;
    const root = service.options?.root;
    if (generated === undefined || root === undefined) return;
    // By its real path too, where node_modules is a symbolic link (see resolveVirtualModulesToFiles).
    const real = realGeneratedDir(generated);
    const written = (path: string): boolean =>
      isWithin(generated, path) || (real !== undefined && isWithin(real, path)) || (path !== root && isWithin(root, path) && isWithin(path, generated));
    for (const dependencies of [compilation.fileDependencies, compilation.contextDependencies, compilation.missingDependencies])
      for (const path of [...dependencies]) if (written(path)) dependencies.delete(path);
  });
}

function isWithin(dir: string, path: string): boolean {
  const fromDir = relative(dir, path);
  return fromDir === '' || (fromDir !== '..' && !fromDir.startsWith(`..${sep}`) && !isAbsolute(fromDir));
}

/**
 * Keeps the bundle in one chunk, and emits the artifacts at the REPORT stage of processAssets,
 * when `main.js` and the source map the devtool plugin added are final. A compilation whose
 * analysis failed or whose output cannot run emits none (analyzeEachCompilation and
 * refuseOutputThatCannotRun reported why), and removes nothing an earlier build wrote.
 */
export function emitArtifactsUnder(compiler: WebpackLikeCompiler, service: ServiceBuild): void {
  const { Compilation, sources, WebpackError, optimize, ExternalModule } = compiler.webpack;
  // The release holds main.js alone: a chunk split off for a dynamic import would be missing.
  new optimize.LimitChunkCountPlugin({ maxChunks: 1 }).apply(compiler);
  compiler.hooks.thisCompilation.tap(NAME, (compilation) => {
    compilation.hooks.processAssets.tapPromise({ name: NAME, stage: Compilation.PROCESS_ASSETS_STAGE_REPORT }, async () => {
      if (cannotRun(compiler) || !(await service.currentAnalysis()).ok) return;
      const code = compilation.getAsset(BUNDLE_FILE);
      if (code === undefined) {
        compilation.errors.push(
          new WebpackError(
            `[${NAME}] the release needs ${BUNDLE_FILE} in the output, but the build did not produce it: make the generated module the "main" entry (entry: { main: '${MAIN_MODULE_ID}' })`,
          ),
        );
        return;
      }
      const assets = compilation
        .getAssets()
        .filter(({ name }) => name !== BUNDLE_FILE && name !== SOURCE_MAP_FILE)
        .map(({ name, source }) => ({ path: name, content: source.buffer() }));
      const outdir = compiler.outputPath;
      // What the bundle loads from packages at run time was left external (the native packages, the
      // config's externals): the release's node_modules ships it.
      const externals = [...compilation.modules].flatMap((module) => (module instanceof ExternalModule ? [module.userRequest] : []));
      service.useBundlerExternals({ patterns: [], allPackages: false, imports: packageImportsOf(externals) });
      const bundle = { code: code.source.buffer(), map: compilation.getAsset(SOURCE_MAP_FILE)?.source.buffer(), assets, outdir };
      const { artifacts, warnings } = await service.artifacts(bundle);
      for (const warning of warnings) compilation.warnings.push(new WebpackError(`[${NAME}] ${warning}`));
      removeStaleOutputs(outdir, artifacts.map(({ fileName }) => fileName));
      for (const { fileName, content } of artifacts) compilation.emitAsset(fileName, new sources.RawSource(Buffer.from(content)));
    });
  });
}

/**
 * Leaves the native packages out of the bundle, loaded at run time by Node's own `require` (the
 * `node-commonjs` external type: `createRequire(import.meta.url)` in an ES module), from the
 * release's node_modules, where they ship. Applied as the compiler is set up, before the first
 * module is resolved.
 */
export function leaveNativePackagesExternal(compiler: WebpackLikeCompiler, service: ServiceBuild): void {
  const names = service.externalPackages;
  if (names.length === 0) return;
  new compiler.webpack.ExternalsPlugin('node-commonjs', names.map(packageImportPattern)).apply(compiler);
}

/**
 * webpack and rspack name each source of the map `webpack://<namespace>/<path>?<loaders>` unless
 * told otherwise: a URL, which the release's map keeps as it is (release-files.ts), so the stacks
 * of a release run with source maps would read `webpack://release-dependencies/src/service.ts`.
 * A module with a file is named by its absolute path instead, made relative to the service root
 * like every other bundler's source, and stacks name the file in the release; the others (an
 * external, the bundler's runtime) keep their URL, which holds no path. Set before the config's
 * defaults are applied; a template of yours stands.
 */
export function nameSourcesByPath(compiler: WebpackLikeCompiler): void {
  compiler.options.output.devtoolModuleFilenameTemplate ??= ({ absoluteResourcePath, namespace, resourcePath }: ModuleFilenameInfo) =>
    isAbsolute(absoluteResourcePath) ? absoluteResourcePath : `webpack://${namespace}/${resourcePath}`;
}

/** What webpack and rspack tell a devtoolModuleFilenameTemplate function of a module. */
interface ModuleFilenameInfo {
  readonly absoluteResourcePath: string;
  readonly namespace: string;
  readonly resourcePath: string;
}

/**
 * Refuses output that is not an ES module, before anything is written: the release's package.json
 * says `"type": "module"`, so Node runs `main.js` as one, and webpack's and rspack's default output
 * for node (CommonJS chunks) dies at its first `require`. The compilation fails naming the setting,
 * and nothing is emitted (in development mode webpack would emit despite errors).
 */
export function refuseOutputThatCannotRun(compiler: WebpackLikeCompiler, bundler: 'webpack' | 'rspack'): void {
  const { WebpackError } = compiler.webpack;
  compiler.hooks.thisCompilation.tap(NAME, (compilation) => {
    if (cannotRun(compiler))
      compilation.errors.push(
        new WebpackError(
          `[${NAME}] ${bundler} config: output.module is not true, so main.js would be CommonJS, but the release's package.json says "type": "module" and Node would fail at its first require(): set output: { module: true, chunkFormat: 'module', library: { type: 'module' } }${bundler === 'webpack' ? " (and experiments: { outputModule: true } where this webpack version asks for it)" : ''}`,
        ),
      );
  });
  compiler.hooks.shouldEmit.tap(NAME, () => (cannotRun(compiler) ? false : undefined));
}

/** Whether the output is CommonJS, which the release cannot run (see refuseOutputThatCannotRun). */
function cannotRun(compiler: WebpackLikeCompiler): boolean {
  return compiler.options.output.module !== true;
}
