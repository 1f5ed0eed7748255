import { createHash } from 'node:crypto';
import { lstatSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Manifest } from '@hecate-om/contract';
import { debug } from './debug.js';
import type { Diagnostic } from './diagnostic.js';
import { type Artifact, ArtifactRenderer } from './artifacts.js';
import { type AnalysisKey, AnalysisCache, type CachedAnalysis, pluginVersion } from './cache.js';
import { FileDigests } from './dependencies/file-digests.js';
import { readPackageGraph } from './dependencies/package-graph.js';
import { describeAbis } from './dependencies/addon-abi.js';
import { nodeImageCheck, platformMismatch } from './dependencies/platform.js';
import { type BundlerExternals, ReleaseDependencies, type ShippedDependencies } from './dependencies/release-dependencies.js';
import { DEFAULT_NODE_MAJOR, DEFAULTS, analysisOptionsOf, type Options, optionsProblem, type ResolvedOptions, resolveCacheDir, resolveOptions } from './options.js';
import type { ReleaseBundle } from './release-files.js';
import { type ReleaseFile, readSourceDateEpoch } from './release-tarball.js';
import { bundlerOutputProblem, findServiceFiles, readServiceFiles } from './service-files.js';
import { type ServiceProject, type ServiceProjectError, readServiceProject } from './service-project.js';
import { MAIN_MODULE_ID, MANIFEST_MODULE_ID, renderEntryModule, renderManifestModule } from './virtual-modules.js';
import { ArtifactWriter } from './write-file-atomic.js';

/** Why a build cannot go on: the contract's diagnostics, or a service project the plugin cannot use. */
export type BuildFailure =
  | { readonly kind: 'diagnostics'; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: 'project'; readonly error: ServiceProjectError };

export type AnalysisOutcome =
  | { readonly ok: true; readonly analysis: CachedAnalysis; readonly source: 'memory' | 'disk' | 'analysis' }
  /** `inputs`: the files the failed analysis read, for a watcher to rebuild when one is fixed. */
  | { readonly ok: false; readonly failure: BuildFailure; readonly inputs: readonly string[] };

/** The generated entry and manifest modules of one analysis. */
interface GeneratedModules {
  readonly analysis: CachedAnalysis;
  readonly main: { readonly path: string; readonly text: string };
  readonly manifest: { readonly path: string; readonly text: string };
}

interface Setup {
  readonly options: ResolvedOptions;
  readonly project: ServiceProject;
  readonly cache: AnalysisCache;
  readonly key: AnalysisKey;
  readonly dependencies: ReleaseDependencies;
  /** The tarball entries' time (SOURCE_DATE_EPOCH), read once. */
  readonly mtime: Date;
  /** What the user should hear about the setup (the Node of the base image). */
  readonly warnings: readonly string[];
}

/** The artifacts of a build, and what the user should hear about the release they describe. */
export interface BuildArtifacts {
  readonly artifacts: readonly Artifact[];
  readonly warnings: readonly string[];
}

/** No external but the native packages: what a bundler that says nothing of externals gets. */
const NO_EXTERNALS: BundlerExternals = { patterns: [], allPackages: false, imports: [] };

/**
 * The state one plugin instance keeps across the builds of a bundler (watch mode rebuilds included):
 * options resolved once, the service project read once, the last analysis, and the virtual modules.
 */
export class ServiceBuild {
  #setup: { ok: true; value: Setup } | { ok: false; error: ServiceProjectError } | undefined;
  #outcome: Promise<AnalysisOutcome> | undefined;
  readonly #renderer = new ArtifactRenderer();
  readonly #moduleWriter = new ArtifactWriter();
  #modules: GeneratedModules | undefined;
  #externals: BundlerExternals = NO_EXTERNALS;
  #lastServiceFiles: readonly ReleaseFile[] | undefined;
  #shipped: { readonly externals: string; readonly value: ShippedDependencies } | undefined;

  constructor(private readonly userOptions: Options | undefined) {}

  /** Resolves the options against the bundler's root; the first call wins. */
  configure(bundlerRoot: string): void {
    this.#setup ??= setUp(this.userOptions, bundlerRoot);
  }

  /** The folder the generated modules are written under (see moduleFileOf); undefined before a successful configure(). */
  get generatedModulesDir(): string | undefined {
    return this.#setup?.ok === true ? join(this.#setup.value.options.root, GENERATED_MODULES_DIR) : undefined;
  }

  get options(): ResolvedOptions | undefined {
    return this.#setup?.ok === true ? this.#setup.value.options : undefined;
  }

  /**
   * The package names the bundler must leave out of the bundle: the native ones among the
   * project's production dependencies (a `.node` addon is loaded from disk by its package's own
   * code). They ship in the release's node_modules. Empty before a successful configure().
   */
  get externalPackages(): readonly string[] {
    return this.#setup?.ok === true ? this.#setup.value.dependencies.externalNames : [];
  }

  /**
   * What the build leaves out of the bundle besides externalPackages: it ships too. esbuild names
   * it from its config before bundling; rollup, rolldown, vite, webpack and rspack from the bundle
   * they finished (its imports of packages), before artifacts().
   */
  useBundlerExternals(externals: BundlerExternals): void {
    this.#externals = externals;
  }

  /** Starts this build's analysis: from memory, else from the disk cache, else with ts-morph. */
  analyze(): Promise<AnalysisOutcome> {
    this.configure(process.cwd());
    this.#outcome = this.#analyze();
    return this.#outcome;
  }

  async #analyze(): Promise<AnalysisOutcome> {
    const setup = this.#setup;
    if (setup === undefined) throw new Error('hecate-om: analyze() ran before configure()');
    if (!setup.ok) return { ok: false, failure: { kind: 'project', error: setup.error }, inputs: [] };
    const { cache, key, options } = setup.value;
    const remembered = cache.fromMemory(key);
    if (remembered !== undefined) return { ok: true, analysis: remembered, source: 'memory' };
    const stored = await cache.fromDisk(key);
    if (stored !== undefined) return { ok: true, analysis: stored, source: 'disk' };
    // ts-morph and zod cost about 0.6 s to load: only a changed contract pays for them.
    const { analyzeService } = await import('./analyze-service.js');
    debug('cache: analysing %s with ts-morph', options.service);
    const result = await analyzeService({ ...analysisOptionsOf(options), runtimeVersion: key.runtimeVersion });
    if (!result.ok) return { ok: false, failure: { kind: 'diagnostics', diagnostics: result.diagnostics }, inputs: result.inputs };
    const analysis: CachedAnalysis = { manifest: result.manifest, ucanRequest: result.ucanRequest, inputs: result.inputs, absent: result.absent };
    cache.store(key, analysis);
    return { ok: true, analysis, source: 'analysis' };
  }

  /** This build's analysis, started by its buildStart (or now, when a bundler asks first). */
  currentAnalysis(): Promise<AnalysisOutcome> {
    return this.#outcome ?? this.analyze();
  }

  /**
   * The file a virtual module resolves to: both modules are written under the service root's
   * `node_modules/.cache/hecate-om` (rewritten only when they change). esbuild then caches them
   * between rebuilds like any source file and reads them without a round trip into JavaScript,
   * where a module served by onLoad costs one per module per rebuild; webpack, which takes
   * `virtual:` for a URI scheme, gets a path it can resolve.
   *
   * Their folder is named by a hash of everything the two files hold (the manifest, the service
   * module, the runtime, this plugin's version): two services of one project that declare the
   * same contract, built at once, each get their own folder, and files are written whole (a
   * temporary file renamed into place), so no build reads another's entry or a half-written one.
   * It lies under the service root even when `cacheDir` does not, since the bundle's comments and
   * source map name it relative to the project: no path of the build machine gets into them.
   */
  moduleFileOf(id: typeof MAIN_MODULE_ID | typeof MANIFEST_MODULE_ID, analysis: CachedAnalysis): string {
    const modules = this.#modulesOf(analysis);
    // Written (or found unchanged, at the cost of a stat) on every call: a cleared cache is refilled.
    this.#moduleWriter.write(modules.manifest.path, modules.manifest.text);
    this.#moduleWriter.write(modules.main.path, modules.main.text);
    return id === MAIN_MODULE_ID ? modules.main.path : modules.manifest.path;
  }

  /** The file a virtual id resolves to (see moduleFileOf); undefined for any other id, and while the contract is broken. */
  async resolveVirtualModule(id: string): Promise<string | undefined> {
    if (id !== MAIN_MODULE_ID && id !== MANIFEST_MODULE_ID) return undefined;
    const outcome = await this.currentAnalysis();
    return outcome.ok ? this.moduleFileOf(id, outcome.analysis) : undefined;
  }

  /** The two modules' paths and texts, rendered and hashed once per analysis, not on every resolve. */
  #modulesOf(analysis: CachedAnalysis): GeneratedModules {
    if (this.#modules?.analysis === analysis) return this.#modules;
    if (this.#setup?.ok !== true) throw new Error('hecate-om: moduleFileOf() ran before a successful configure()');
    const { options, project } = this.#setup.value;
    const manifestModule = renderManifestModule(this.#releaseManifest(analysis));
    const key = createHash('sha256')
      .update(JSON.stringify([pluginVersion(), manifestModule, relative(options.root, options.service), relative(options.root, project.runtime.entry)]))
      .digest('hex');
    const dir = join(options.root, GENERATED_MODULES_DIR, `modules-${key.slice(0, 16)}`);
    // Relative imports: the entry's text is in the source map, so it must not hold this machine's paths.
    const entry = renderEntryModule({
      service: relativeSpecifier(dir, options.service),
      manifest: './manifest.js',
      runtime: relativeSpecifier(dir, project.runtime.entry),
    });
    this.#modules = {
      analysis,
      main: { path: join(dir, 'main.js'), text: entry },
      manifest: { path: join(dir, 'manifest.js'), text: manifestModule },
    };
    return this.#modules;
  }

  /** The manifest the release carries: the analysis's, and the platform when native code ships. */
  #releaseManifest(analysis: CachedAnalysis): Manifest {
    const platform = this.#setup?.ok === true ? this.#setup.value.dependencies.platform : undefined;
    return platform === undefined ? analysis.manifest : { ...analysis.manifest, platform };
  }

  /**
   * The release's node_modules, laid out once per set of externals (dependencies do not change in
   * watch mode). Compared by value: rollup, vite and webpack name their externals anew each build.
   */
  #shippedDependencies(): ShippedDependencies {
    if (this.#setup?.ok !== true) throw new Error('hecate-om: dependencies were requested before a successful configure()');
    const externals = JSON.stringify(this.#externals);
    if (this.#shipped?.externals !== externals) this.#shipped = { externals, value: this.#setup.value.dependencies.ship(this.#externals) };
    return this.#shipped.value;
  }

  #serviceFiles(root: string, paths: readonly string[]): readonly ReleaseFile[] {
    const files = readServiceFiles(root, paths);
    if (this.#lastServiceFiles === undefined || !sameFiles(this.#lastServiceFiles, files)) this.#lastServiceFiles = files;
    return this.#lastServiceFiles;
  }

  /** The artifacts of this build, from its analysis and the finished bundle, and the warnings about them. */
  async artifacts(bundle: ReleaseBundle): Promise<BuildArtifacts> {
    const outcome = await this.#outcome;
    if (outcome === undefined || !outcome.ok || this.#setup?.ok !== true)
      throw new Error('hecate-om: artifacts were requested before a successful analysis of the service');
    const { options } = this.#setup.value;
    const dependencies = this.#shippedDependencies();
    const files = findServiceFiles(options.root, options.files);
    if (files.problem !== undefined) throw new Error(`hecate-om: ${files.problem}`);
    const clash = bundlerOutputProblem(options.files, files, bundle.assets.map(({ path }) => path));
    if (clash !== undefined) throw new Error(`hecate-om: ${clash}`);
    const contents = {
      manifest: this.#releaseManifest(outcome.analysis),
      bundle,
      dependencies,
      serviceFiles: this.#serviceFiles(options.root, files.paths),
      root: options.root,
    };
    const artifacts = await this.#renderer.render(contents, outcome.analysis.ucanRequest, options, this.#setup.value.mtime);
    const mismatch = dependencies.platform === undefined ? undefined : platformMismatch(dependencies.platform, options.baseImage, dependencies.nativePackages);
    return { artifacts, warnings: [...this.#setup.value.warnings, ...dependencies.warnings, ...(mismatch === undefined ? [] : [mismatch])] };
  }
}

/** The same array as last time when the files are unchanged, so an unchanged rebuild renders nothing again. */
function sameFiles(a: readonly ReleaseFile[], b: readonly ReleaseFile[]): boolean {
  return a.length === b.length && a.every((file, index) => file.path === b[index]!.path && Buffer.from(file.content).equals(Buffer.from(b[index]!.content)));
}

/** Where the generated modules live, under the service root (see ServiceBuild.moduleFileOf). */
const GENERATED_MODULES_DIR = join('node_modules', '.cache', 'hecate-om');

/**
 * Everything a build needs before bundling, in order: the service project and its installed
 * dependencies (the addons they ship decide the default base image), the options resolved against
 * them and checked, the environment, the `files` patterns, the Node the base image runs. The first
 * step that fails is the build's failure: nothing has been written yet.
 */
function setUp(userOptions: Options | undefined, bundlerRoot: string): { ok: true; value: Setup } | { ok: false; error: ServiceProjectError } {
  const root = resolve(bundlerRoot, userOptions?.root ?? DEFAULTS.root);
  const project = readServiceProject(root);
  if (!project.ok) return project;
  // The package file digests live in the cache folder, needed before the other options are resolved.
  const cacheDir = resolveCacheDir(userOptions, root);
  const cacheProblem = cacheDirProblem(cacheDir);
  if (cacheProblem !== undefined) return { ok: false, error: { code: 'bad-option', message: cacheProblem } };
  let dependencies: ReleaseDependencies;
  try {
    const digests = new FileDigests(join(cacheDir, 'package-file-digests.json'));
    dependencies = new ReleaseDependencies(readPackageGraph(root, project.value.packageJson), project.value.runtime.dir, digests);
  } catch (error) {
    const message = `cannot read the installed dependencies of ${root} (${(error as Error).message}): install them again (pnpm install)`;
    return { ok: false, error: { code: 'bad-dependencies', message } };
  }
  if (dependencies.abiConflict !== undefined)
    return { ok: false, error: { code: 'bad-dependencies', message: dependencies.abiConflict, hint: `install them all under the Node the release runs on (or run \`npm rebuild ${dependencies.abiTiedNames.join(' ')}\` with it)` } };
  const options = resolveOptions(userOptions, bundlerRoot, project.value.packageJson, dependencies.platform?.nodeMajors);
  const problem = optionsProblem(options) ?? findServiceFiles(options.root, options.files).problem;
  if (problem !== undefined) return { ok: false, error: { code: 'bad-option', message: problem } };
  // A SOURCE_DATE_EPOCH the tarball cannot use fails the build before bundling, not after main.js is written.
  const mtime = options.tarball ? readSourceDateEpoch(process.env) : { ok: true as const, value: new Date(0) };
  if (!mtime.ok) return { ok: false, error: { code: 'bad-environment', message: mtime.message } };
  const warnings: string[] = [];
  if (dependencies.platform !== undefined) {
    const check = nodeImageCheck(dependencies.platform, options.baseImage, dependencies.abiTiedNames);
    if (check.kind === 'refuse') return { ok: false, error: { code: 'node-abi-mismatch', message: check.message, hint: check.hint } };
    if (check.kind === 'warn') warnings.push(check.message);
    if (userOptions?.baseImage === undefined && options.baseImage !== DEFAULTS.baseImage)
      warnings.push(
        `the base image is ${options.baseImage}, not the default ${DEFAULTS.baseImage}: the release's native addons (${dependencies.abiTiedNames.join(', ')}) were built for ${describeAbis(dependencies.platform.nodeAbi!)}; install them under Node ${DEFAULT_NODE_MAJOR} to ship on its image, or set the baseImage option`,
      );
  }
  const key: AnalysisKey = { pluginVersion: pluginVersion(), runtimeVersion: project.value.runtime.version, ...analysisOptionsOf(options) };
  return { ok: true, value: { options, project: project.value, cache: new AnalysisCache(options.cacheDir), key, dependencies, mtime: mtime.value, warnings } };
}

/**
 * The plugin writes its analysis cache and last tarball in the cache folder, so a cacheDir that is
 * a file, or lies under one, fails the build at once with the option's name, not with a raw ENOTDIR
 * from deep inside a write.
 */
function cacheDirProblem(cacheDir: string): string | undefined {
  for (let path = cacheDir; ; path = dirname(path)) {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat !== undefined) {
      if (stat.isDirectory() || (stat.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isDirectory() === true)) return undefined;
      return `the cacheDir option is ${cacheDir}, which ${path === cacheDir ? 'is a file' : `lies under ${path}, a file`}: the plugin keeps its analysis cache and last tarball in that folder, so name a folder (or a path that does not exist yet)`;
    }
    if (dirname(path) === path) return undefined;
  }
}

/** `../../src/service.ts`: how a module in `fromDir` imports `path`, the same on every platform. */
function relativeSpecifier(fromDir: string, path: string): string {
  const specifier = relative(fromDir, path).split(sep).join('/');
  return specifier.startsWith('.') ? specifier : `./${specifier}`;
}
