import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BuildOptions, BuildResult, OutputFile, PartialMessage, PluginBuild } from 'esbuild';
import type { UnpluginOptions } from 'unplugin';
import type { Artifact } from './artifacts.js';
import { BUNDLE_FILE, type ReleaseBundle, SOURCE_MAP_FILE } from './release-files.js';
import { esbuildErrorsOf } from './report.js';
import type { AnalysisOutcome, ServiceBuild } from './service-build.js';
import { MAIN_MODULE_ID, MANIFEST_MODULE_ID, VIRTUAL_MODULE_FILTER } from './virtual-modules.js';
import { ArtifactWriter } from './write-file-atomic.js';

type EsbuildHooks = NonNullable<UnpluginOptions['esbuild']>;

/**
 * Under esbuild the plugin uses esbuild's own callbacks, which keep the location of an error (the
 * terminal shows the source line), and as few of them as it can: each one is a round trip between
 * esbuild and JavaScript on every rebuild. The build's analysis runs when esbuild resolves a virtual
 * module (the entry, the first thing it resolves), which then resolves to its file under `cacheDir`;
 * the artifacts are written in `onEnd`. So an unchanged watch-mode rebuild crosses into JavaScript
 * twice.
 */
export function esbuildHooks(service: ServiceBuild): EsbuildHooks {
  return {
    setup(build: PluginBuild): void {
      const reader = new BundleReader();
      const writer = new ArtifactWriter();
      const workingDir = build.initialOptions.absWorkingDir ?? process.cwd();
      const optionsProblem = applyReleaseDefaults(build.initialOptions);
      if (optionsProblem !== undefined) {
        build.onStart(() => ({ errors: [{ text: optionsProblem }] }));
        return;
      }
      service.configure(workingDir);
      let analysis: Promise<AnalysisOutcome> | undefined; // this build's, from its first need to its end
      const analyzeOnce = (): Promise<AnalysisOutcome> => (analysis ??= service.analyze());

      build.onResolve({ filter: VIRTUAL_MODULE_FILTER }, async ({ path }) => {
        const outcome = await analyzeOnce();
        // esbuild watches what the bundle reads; the analysis also reads package.json, and after a
        // failure esbuild never loads the service: name them, so that a fix triggers a rebuild.
        if (!outcome.ok) return { errors: esbuildErrorsOf(outcome.failure, workingDir), watchFiles: [...outcome.inputs] };
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
        const bundle = await reader.read(result, outdir);
        if (!bundle.ok) return { errors: [bundle.error] };
        const artifacts = await service.artifacts(bundle.value);
        if (build.initialOptions.write === false) result.outputFiles?.push(...artifacts.map((artifact) => outputFileOf(outdir, artifact)));
        else for (const { fileName, content } of artifacts) writer.write(join(outdir, fileName), content);
        return undefined;
      });
    },
  };
}

/**
 * The release runs `node main.js` next to `main.js.map`, so the build must be an ESM bundle for
 * node written to a directory. Fills in what the config leaves open (esbuild reads the options
 * after the plugins' setup) and returns what it cannot work with, to fail the build clearly rather
 * than drop the artifacts.
 */
export function applyReleaseDefaults(options: BuildOptions): string | undefined {
  if (options.outfile !== undefined)
    return `hecate-om: esbuild "outfile" is set (${options.outfile}), but the plugin writes main.js, main.js.map, manifest.json, ucan-request.json, Containerfile, the Quadlet unit and the release tarball side by side: use "outdir" instead (e.g. outdir: 'dist')`;
  if (options.outdir === undefined)
    return `hecate-om: esbuild "outdir" is not set: the plugin writes the bundle and its artifacts there (e.g. outdir: 'dist')`;
  if (options.splitting === true)
    return 'hecate-om: esbuild "splitting" is on, but the release holds main.js alone, so a chunk split off for a dynamic import would be missing from it: leave "splitting" off';
  const entryPoints = options.entryPoints;
  if (entryPoints === undefined || (Array.isArray(entryPoints) ? entryPoints.length === 0 : Object.keys(entryPoints).length === 0))
    options.entryPoints = { main: MAIN_MODULE_ID };
  options.bundle ??= true;
  options.platform ??= 'node';
  options.format ??= 'esm';
  options.sourcemap ??= true;
  return undefined;
}

type BundleResult = { ok: true; value: ReleaseBundle } | { ok: false; error: PartialMessage };

/**
 * Reads the bundle esbuild wrote, or takes it from `outputFiles`. An incremental rebuild does not
 * rewrite unchanged files, so when both still have the size and mtime they had, the last bundle is
 * returned as is: nothing downstream is read, hashed or rendered again.
 */
class BundleReader {
  #last: { readonly stamp: string; readonly bundle: ReleaseBundle } | undefined;

  async read(result: BuildResult, outdir: string): Promise<BundleResult> {
    if (result.outputFiles !== undefined) return bundleFromOutputFiles(result.outputFiles, outdir);
    const stamp = stampOf(join(outdir, BUNDLE_FILE), join(outdir, SOURCE_MAP_FILE));
    if (stamp !== undefined && this.#last?.stamp === stamp) return { ok: true, value: this.#last.bundle };
    const read = await bundleFromDisk(outdir);
    if (read.ok && stamp !== undefined) this.#last = { stamp, bundle: read.value };
    return read;
  }
}

function stampOf(...paths: string[]): string | undefined {
  let stamp = '';
  for (const path of paths) {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) return undefined;
    stamp += `${stat.size}:${stat.mtimeMs}|`;
  }
  return stamp;
}

function missingBundle(outdir: string): PartialMessage {
  return {
    text: `hecate-om: the release needs ${join(outdir, BUNDLE_FILE)} and ${join(outdir, SOURCE_MAP_FILE)}, but the build did not produce them: leave "entryPoints" to the plugin (or name your entry "main") and keep "sourcemap" on (true, "linked" or "external")`,
  };
}

function bundleFromOutputFiles(outputFiles: readonly OutputFile[], outdir: string): BundleResult {
  const code = outputFiles.find(({ path }) => path === join(outdir, BUNDLE_FILE));
  const map = outputFiles.find(({ path }) => path === join(outdir, SOURCE_MAP_FILE));
  return code === undefined || map === undefined ? { ok: false, error: missingBundle(outdir) } : { ok: true, value: { code: code.contents, map: map.contents } };
}

async function bundleFromDisk(outdir: string): Promise<BundleResult> {
  try {
    const [code, map] = await Promise.all([readFile(join(outdir, BUNDLE_FILE)), readFile(join(outdir, SOURCE_MAP_FILE))]);
    return { ok: true, value: { code, map } };
  } catch {
    return { ok: false, error: missingBundle(outdir) }; // the message names both files and how to get them
  }
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
