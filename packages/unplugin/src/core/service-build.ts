import { createHash } from 'node:crypto';
import { join, relative, resolve, sep } from 'node:path';
import { debug } from './debug.js';
import type { Diagnostic } from './diagnostic.js';
import { type Artifact, ArtifactRenderer } from './artifacts.js';
import { type AnalysisKey, AnalysisCache, type CachedAnalysis, pluginVersion } from './cache.js';
import { analysisOptionsOf, type Options, optionsProblem, type ResolvedOptions, resolveOptions } from './options.js';
import type { ReleaseBundle } from './release-files.js';
import { readSourceDateEpoch } from './release-tarball.js';
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
  /** The tarball entries' time (SOURCE_DATE_EPOCH), read once. */
  readonly mtime: Date;
}

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

  constructor(private readonly userOptions: Options | undefined) {}

  /** Resolves the options against the bundler's root; the first call wins. */
  configure(bundlerRoot: string): void {
    if (this.#setup !== undefined) return;
    const root = resolve(bundlerRoot, this.userOptions?.root ?? '.');
    const project = readServiceProject(root);
    if (!project.ok) {
      this.#setup = project;
      return;
    }
    const options = resolveOptions(this.userOptions, bundlerRoot, project.value.packageJson);
    const problem = optionsProblem(options);
    if (problem !== undefined) {
      this.#setup = { ok: false, error: { code: 'bad-option', message: problem } };
      return;
    }
    // A SOURCE_DATE_EPOCH the tarball cannot use fails the build before bundling, not after main.js is written.
    const mtime = options.tarball ? readSourceDateEpoch(process.env) : { ok: true as const, value: new Date(0) };
    if (!mtime.ok) {
      this.#setup = { ok: false, error: { code: 'bad-environment', message: mtime.message } };
      return;
    }
    const key: AnalysisKey = { pluginVersion: pluginVersion(), runtimeVersion: project.value.runtime.version, ...analysisOptionsOf(options) };
    this.#setup = { ok: true, value: { options, project: project.value, cache: new AnalysisCache(options.cacheDir), key, mtime: mtime.value } };
  }

  get options(): ResolvedOptions | undefined {
    return this.#setup?.ok === true ? this.#setup.value.options : undefined;
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
    debug('cache: analysing %s with ts-morph', options.service);
    const { analyzeService } = await import('./analyze-service.js');
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
   * The file a virtual module resolves to: both modules are written under `cacheDir` (rewritten only
   * when they change). esbuild then caches them between rebuilds like any source file and reads them
   * without a round trip into JavaScript, where a module served by onLoad costs one per module per
   * rebuild; webpack, which takes `virtual:` for a URI scheme, gets a path it can resolve. Their folder is named by the manifest, not by anything of the
   * machine: its path is printed into the bundle, which must not depend on where it was built.
   */
  moduleFileOf(id: typeof MAIN_MODULE_ID | typeof MANIFEST_MODULE_ID, analysis: CachedAnalysis): string {
    const modules = this.#modulesOf(analysis);
    // Written (or found unchanged, at the cost of a stat) on every call: a cleared cacheDir is refilled.
    this.#moduleWriter.write(modules.manifest.path, modules.manifest.text);
    this.#moduleWriter.write(modules.main.path, modules.main.text);
    return id === MAIN_MODULE_ID ? modules.main.path : modules.manifest.path;
  }

  /** The two modules' paths and texts, rendered and hashed once per analysis, not on every resolve. */
  #modulesOf(analysis: CachedAnalysis): GeneratedModules {
    if (this.#modules?.analysis === analysis) return this.#modules;
    if (this.#setup?.ok !== true) throw new Error('hecate-om: moduleFileOf() ran before a successful configure()');
    const { options, project } = this.#setup.value;
    const manifestModule = renderManifestModule(analysis.manifest);
    const dir = join(options.cacheDir, `modules-${createHash('sha256').update(manifestModule).digest('hex').slice(0, 16)}`);
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

  /** The artifacts of this build, from its analysis and the finished bundle. */
  async artifacts(bundle: ReleaseBundle): Promise<Artifact[]> {
    const outcome = await this.#outcome;
    if (outcome === undefined || !outcome.ok || this.#setup?.ok !== true)
      throw new Error('hecate-om: artifacts were requested before a successful analysis of the service');
    return this.#renderer.render(outcome.analysis, bundle, this.#setup.value.options, this.#setup.value.mtime);
  }
}


/** `../../src/service.ts`: how a module in `fromDir` imports `path`, the same on every platform. */
function relativeSpecifier(fromDir: string, path: string): string {
  const specifier = relative(fromDir, path).split(sep).join('/');
  return specifier.startsWith('.') ? specifier : `./${specifier}`;
}
