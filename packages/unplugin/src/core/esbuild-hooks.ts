import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { BuildOptions, BuildResult, LogLevel, Message, OutputFile, PartialMessage, PluginBuild } from 'esbuild';
import type { UnpluginOptions } from 'unplugin';
import type { Artifact } from './artifacts.js';
import { missingBuiltinProblem } from './builtin-requires.js';
import { packageImportsOf } from './bundler-externals.js';
import { withEsmRequire } from './esm-require.js';
import { removeStaleOutputs } from './outputs-index.js';
import { releaseEntry, takesReleaseEntry } from './release-entry.js';
import { BUNDLE_FILE, type ReleaseBundle, SOURCE_MAP_FILE } from './release-files.js';
import type { ReleaseFile } from './release-tarball.js';
import { esbuildErrorsOf, esbuildWarningsOf } from './report.js';
import type { AnalysisOutcome, ServiceBuild } from './service-build.js';
import { MAIN_MODULE_ID, MANIFEST_MODULE_ID, VIRTUAL_MODULE_FILTER } from './virtual-modules.js';
import { ArtifactWriter } from './write-file-atomic.js';

type EsbuildHooks = NonNullable<UnpluginOptions['esbuild']>;

const FAILED_NAMESPACE = 'hecate-om-failed';

/**
 * Under esbuild the plugin uses esbuild's own callbacks, which keep the location of an error (the
 * terminal shows the source line), and as few of them as it can: each one is a round trip between
 * esbuild and JavaScript on every rebuild. The build's analysis runs when esbuild resolves a virtual
 * module (the entry, the first thing it resolves), which then resolves to its file under `generatedModulesDir`;
 * the artifacts are written in `onEnd`. So an unchanged watch-mode rebuild crosses into JavaScript
 * twice.
 */
export function esbuildHooks(service: ServiceBuild): EsbuildHooks {
  return {
    setup(build: PluginBuild): void {
      const reader = new BundleReader();
      const writer = new ArtifactWriter();
      const workingDir = build.initialOptions.absWorkingDir ?? process.cwd();
      const configExternals = { patterns: [...(build.initialOptions.external ?? [])], allPackages: build.initialOptions.packages === 'external' };
      service.configure(workingDir);
      const optionsProblem = applyReleaseDefaults(build.initialOptions, service.options?.service, workingDir);
      if (optionsProblem !== undefined) {
        build.onStart(() => ({ errors: [{ text: optionsProblem }] }));
        return;
      }
      // esbuild reads the options after every plugin's setup: native packages stay out of the bundle.
      if (service.externalPackages.length > 0)
        build.initialOptions.external = [...(build.initialOptions.external ?? []), ...service.externalPackages.flatMap((name) => [name, `${name}/*`])];
      let analysis: Promise<AnalysisOutcome> | undefined; // this build's, from its first need to its end
      const analyzeOnce = (): Promise<AnalysisOutcome> => (analysis ??= service.analyze());

      build.onResolve({ filter: VIRTUAL_MODULE_FILTER }, async ({ path }) => {
        const outcome = await analyzeOnce();
        // esbuild watches what the bundle reads; the analysis also reads package.json, and after a
        // failure esbuild never loads the service: name them, so that a fix triggers a rebuild.
        // esbuild ignores watchFiles (with a warning) on a result without a path: this one names the
        // module that failed, in a namespace of its own, so the build stops at the errors alone.
        if (!outcome.ok)
          return { errors: esbuildErrorsOf(outcome.failure, workingDir), path, namespace: FAILED_NAMESPACE, watchFiles: [...outcome.inputs] };
        const { analysis } = outcome;
        return {
          path: service.moduleFileOf(path === MAIN_MODULE_ID ? MAIN_MODULE_ID : MANIFEST_MODULE_ID, analysis),
          watchFiles: [...analysis.inputs, ...analysis.absent],
        };
      });
      build.onEnd(async (result) => {
        const outcome = await analyzeOnce();
        analysis = undefined;
        if (!outcome.ok) return result.errors.length > 0 ? undefined : { errors: esbuildErrorsOf(outcome.failure, workingDir) };
        if (result.errors.length > 0) return undefined;
        const outdir = resolve(workingDir, build.initialOptions.outdir ?? '.');
        const bundle = await reader.read(result, workingDir, outdir);
        if (!bundle.ok) return { errors: [bundle.error] };
        // Besides the config's externals, what another plugin left external (tsup's, for the
        // package.json dependencies) is imported by the bundle: it ships too.
        const imported = Object.values(result.metafile?.outputs ?? {}).flatMap(({ imports }) => imports.flatMap(({ path, external }) => (external === true ? [path] : [])));
        service.useBundlerExternals({ ...configExternals, imports: packageImportsOf(imported) });
        const loadImports = Object.values(result.metafile?.outputs ?? {}).flatMap(({ imports }) => imports.flatMap(({ path, kind }) => (kind === 'import-statement' ? [path] : [])));
        const missingBuiltin = missingBuiltinProblem(loadImports, service.options!.baseImage);
        if (missingBuiltin !== undefined) return { errors: [{ text: missingBuiltin }] };
        const { artifacts, warnings } = await service.artifacts(bundle.value);
        if (build.initialOptions.write === false) result.outputFiles?.push(...artifacts.map((artifact) => outputFileOf(outdir, artifact)));
        else {
          removeStaleOutputs(outdir, artifacts.map(({ fileName }) => fileName));
          for (const { fileName, content } of artifacts) writer.write(join(outdir, fileName), content);
        }
        // esbuild logs the messages an onEnd callback returns under a context (watch, rebuild) but
        // not under build(), whose log is written before the callbacks run: returned, these
        // warnings would reach result.warnings alone, and the terminal never. Logged here instead,
        // once under either, and added to the result.
        const messages = esbuildWarningsOf(warnings);
        result.warnings.push(...messages);
        await logWarnings(build, messages);
        return undefined;
      });
    },
  };
}

/** The log levels under which esbuild prints warnings; `warning` is its default for build() and context(). */
const LEVELS_LOGGING_WARNINGS: ReadonlySet<LogLevel> = new Set(['verbose', 'debug', 'info', 'warning']);

/** Writes warnings to stderr as esbuild writes its own, when the build's log level shows warnings. */
async function logWarnings(build: PluginBuild, messages: Message[]): Promise<void> {
  if (messages.length === 0 || !LEVELS_LOGGING_WARNINGS.has(build.initialOptions.logLevel ?? 'warning')) return;
  const color = build.initialOptions.color ?? process.stderr.isTTY === true;
  process.stderr.write((await build.esbuild.formatMessages(messages, { kind: 'warning', color })).join(''));
}

/**
 * The release runs `node main.js` next to `main.js.map`, so the build must be an ESM bundle for
 * node written to a directory, whose `main` entry is the generated one. Fills in what the config
 * leaves open (esbuild reads the options after the plugins' setup), builds the generated entry
 * where the config names the service module alone (see takesReleaseEntry), and returns what it
 * cannot work with, naming the setting and what to do, so that the build fails before anything is
 * written rather than produce a release that cannot start.
 */
export function applyReleaseDefaults(options: BuildOptions, service: string | undefined, workingDir: string): string | undefined {
  // Assigned only once the options pass: a refused build keeps the config's entries, so esbuild
  // reports the refusal alone, not also a generated entry that no plugin resolves.
  const entryPoints = takesReleaseEntry(options.entryPoints, service, workingDir) ? releaseEntry() : options.entryPoints;
  const problem = releaseOptionsProblem({ ...options, entryPoints });
  if (problem !== undefined) return `hecate-om: ${problem}`;
  options.entryPoints = entryPoints;
  if (!Array.isArray(entryPoints)) options.entryPoints = { ...entryPoints, main: MAIN_MODULE_ID };
  options.bundle ??= true;
  options.platform ??= 'node';
  options.format ??= 'esm';
  options.sourcemap ??= true;
  // The outputs of this build, by name: only they go into the release, never a file an earlier build left in outdir.
  options.metafile = true;
  options.banner = { ...options.banner, js: withEsmRequire(options.banner?.['js']) };
  return undefined;
}

function releaseOptionsProblem(options: BuildOptions): string | undefined {
  if (options.outfile !== undefined)
    return `esbuild "outfile" is set (${options.outfile}), but the plugin writes main.js, main.js.map, manifest.json, ucan-request.json, Containerfile, the Quadlet unit and the release tarball side by side: use "outdir" instead (e.g. outdir: 'dist')`;
  if (options.outdir === undefined) return `esbuild "outdir" is not set: the plugin writes the bundle and its artifacts there (e.g. outdir: 'dist')`;
  if (options.splitting === true)
    return 'esbuild "splitting" is on, but the release holds main.js alone, so a chunk split off for a dynamic import would be missing from it: leave "splitting" off';
  if (options.format !== undefined && options.format !== 'esm')
    return `esbuild "format" is ${JSON.stringify(options.format)}, but the release's package.json says "type": "module", so Node runs main.js as an ES module: set format: 'esm' (or leave it out)`;
  if (options.bundle === false)
    return 'esbuild "bundle" is false, but the release holds main.js without the sources and packages it would import (the service, @hecate-om/runtime): leave "bundle" on (or leave it out)';
  if (options.platform !== undefined && options.platform !== 'node')
    return `esbuild "platform" is ${JSON.stringify(options.platform)}, but the release runs on Node: set platform: 'node' (or leave it out)`;
  const entry = userMainEntry(options.entryPoints);
  if (entry !== undefined)
    return `esbuild "entryPoints" names ${JSON.stringify(entry)} as "main", but main.js must be the entry the plugin generates, which boots the service (yours would load and exit with nothing listening): remove "main" from entryPoints, or leave entryPoints out (the plugin adds main: '${MAIN_MODULE_ID}')`;
  if (Array.isArray(options.entryPoints) && options.entryPoints.length > 0 && !options.entryPoints.some((point) => entryInput(point) === MAIN_MODULE_ID))
    return `esbuild "entryPoints" is an array without the generated entry, so the build has no main.js: write it as an object and leave "main" to the plugin (entryPoints: { worker: 'src/worker.ts' }), or add '${MAIN_MODULE_ID}'`;
  return undefined;
}

type EntryPoint = string | { in: string; out: string };

function entryInput(point: EntryPoint): string {
  return typeof point === 'string' ? point : point.in;
}

/** The input of an entry point that esbuild would write as main.js and that is not the generated entry. */
function userMainEntry(entryPoints: BuildOptions['entryPoints']): string | undefined {
  if (entryPoints === undefined) return undefined;
  const named: [string, string][] = Array.isArray(entryPoints)
    ? (entryPoints as EntryPoint[]).map((point) => (typeof point === 'string' ? [basename(point).replace(/\.[^.]*$/, ''), point] : [point.out, point.in]))
    : Object.entries(entryPoints);
  return named.find(([out, input]) => out === 'main' && input !== MAIN_MODULE_ID)?.[1];
}

type BundleResult = { ok: true; value: ReleaseBundle } | { ok: false; error: PartialMessage };

/**
 * Reads the files esbuild wrote for this build (its metafile names them), or takes them from
 * `outputFiles`. An incremental rebuild does not rewrite unchanged files, so when every output
 * still has the size and mtime it had, the last bundle is returned as is: nothing downstream is
 * read, hashed or rendered again.
 */
class BundleReader {
  #last: { readonly stamp: string; readonly bundle: ReleaseBundle } | undefined;

  async read(result: BuildResult, workingDir: string, outdir: string): Promise<BundleResult> {
    const outputs = Object.keys(result.metafile?.outputs ?? {})
      .map((path) => resolve(workingDir, path))
      .sort();
    if (!outputs.includes(join(outdir, BUNDLE_FILE))) return { ok: false, error: missingBundle(outdir) };
    if (result.outputFiles !== undefined) return { ok: true, value: bundleOf(outdir, new Map(result.outputFiles.map((file) => [file.path, file.contents]))) };
    const stamp = sizeAndMtimeStampOf(outputs);
    if (stamp !== undefined && this.#last?.stamp === stamp) return { ok: true, value: this.#last.bundle };
    const contents = await Promise.all(outputs.map(async (path) => [path, await readFile(path)] as const));
    const bundle = bundleOf(outdir, new Map(contents));
    if (stamp !== undefined) this.#last = { stamp, bundle };
    return { ok: true, value: bundle };
  }
}

function bundleOf(outdir: string, contents: ReadonlyMap<string, Uint8Array>): ReleaseBundle {
  const assets: ReleaseFile[] = [];
  for (const [path, content] of contents) {
    const name = relative(outdir, path).split(sep).join('/');
    if (name !== BUNDLE_FILE && name !== SOURCE_MAP_FILE) assets.push({ path: name, content });
  }
  return { code: contents.get(join(outdir, BUNDLE_FILE))!, map: contents.get(join(outdir, SOURCE_MAP_FILE)), assets, outdir };
}

/** The paths with their sizes and mtimes, as one string to compare; undefined when one is gone. */
function sizeAndMtimeStampOf(paths: readonly string[]): string | undefined {
  let stamp = '';
  for (const path of paths) {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) return undefined;
    stamp += `${path}:${stat.size}:${stat.mtimeMs}|`;
  }
  return stamp;
}

function missingBundle(outdir: string): PartialMessage {
  return {
    text: `hecate-om: the release needs ${join(outdir, BUNDLE_FILE)}, but the build did not produce it: leave "entryPoints" to the plugin (it adds main: '${MAIN_MODULE_ID}')`,
  };
}

/** With `write: false` the artifacts join esbuild's own output files instead of the disk. */
function outputFileOf(outdir: string, { fileName, content }: Artifact): OutputFile {
  const contents = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return {
    path: join(outdir, fileName),
    contents,
    hash: createHash('sha256').update(contents).digest('base64url').slice(0, 8),
    get text(): string {
      return new TextDecoder().decode(contents);
    },
  };
}
