import { dirname, resolve } from 'node:path';
import type { UnpluginOptions } from 'unplugin';
import { removeStaleOutputs } from './outputs-index.js';
import { BUNDLE_FILE, SOURCE_MAP_FILE } from './release-files.js';
import type { ServiceBuild } from './service-build.js';
import { MAIN_MODULE_ID } from './virtual-modules.js';

type RollupHooks = NonNullable<UnpluginOptions['rollup']>;
type ViteHooks = NonNullable<UnpluginOptions['vite']>;

/** What rollup's and vite's (rolldown's) generateBundle contexts and bundles have in common here. */
interface EmitContext {
  error(message: string): never;
  warn(message: string): void;
  emitFile(file: { type: 'asset'; fileName: string; source: string | Uint8Array }): string;
}
type OutputEntry =
  | { readonly type: 'chunk'; readonly code: string; readonly map: { toString(): string } | null }
  | { readonly type: 'asset'; readonly source: string | Uint8Array };

/** The folder rollup writes to: `dir`, else the folder of `file`, else the working directory. */
function outdirOf(outputOptions: { dir?: string | undefined; file?: string | undefined }): string {
  return resolve(outputOptions.dir ?? (outputOptions.file === undefined ? '.' : dirname(outputOptions.file)));
}

/**
 * Emits the artifacts once rollup (or vite) has the finished bundle, through its own emitFile:
 * every other file of the bundle (an asset another plugin emitted, a worker chunk) ships with it.
 */
async function emitArtifacts(
  service: ServiceBuild,
  context: EmitContext,
  outputOptions: { dir?: string | undefined; file?: string | undefined },
  bundle: Record<string, OutputEntry>,
): Promise<void> {
  const chunk = bundle[BUNDLE_FILE];
  const mapAsset = bundle[SOURCE_MAP_FILE];
  const map = mapAsset?.type === 'asset' ? mapAsset.source : chunk?.type === 'chunk' ? chunk.map?.toString() : undefined;
  if (chunk?.type !== 'chunk')
    return context.error(
      `[hecate-om] the release needs ${BUNDLE_FILE} in the output, but the build did not produce it: leave the input to the plugin (it adds main: '${MAIN_MODULE_ID}')`,
    );
  const assets = Object.entries(bundle)
    .filter(([fileName]) => fileName !== BUNDLE_FILE && fileName !== SOURCE_MAP_FILE)
    .map(([fileName, entry]) => ({ path: fileName, content: entry.type === 'chunk' ? entry.code : entry.source }));
  const outdir = outdirOf(outputOptions);
  const { artifacts, warnings } = await service.artifacts({ code: chunk.code, map, assets, outdir });
  for (const warning of warnings) context.warn(`[hecate-om] ${warning}`);
  removeStaleOutputs(outdir, artifacts.map(({ fileName }) => fileName));
  for (const { fileName, content } of artifacts) context.emitFile({ type: 'asset', fileName, source: content });
}

/** rollup's CLI and watch() hand plugins `input: []` where the config names none. */
function namesNoInput(input: unknown): boolean {
  if (input === undefined || input === null) return true;
  if (Array.isArray(input)) return input.length === 0;
  return typeof input === 'object' && Object.keys(input).length === 0;
}

export function rollupHooks(service: ServiceBuild): RollupHooks {
  return {
    options(inputOptions) {
      return namesNoInput(inputOptions.input) ? { ...inputOptions, input: { main: MAIN_MODULE_ID } } : null;
    },
    outputOptions(outputOptions) {
      return {
        ...outputOptions,
        format: outputOptions.format ?? 'es',
        sourcemap: outputOptions.sourcemap ?? true,
        // The release holds main.js alone: a chunk split off for a dynamic import would be missing.
        inlineDynamicImports: outputOptions.inlineDynamicImports ?? true,
      };
    },
    generateBundle(outputOptions, bundle) {
      return emitArtifacts(service, this, outputOptions, bundle);
    },
  };
}

/** An SSR build for node that bundles every dependency: the release has no node_modules. */
export function viteHooks(service: ServiceBuild): ViteHooks {
  return {
    config(config) {
      const build = config.build ?? {};
      const namesEntry = typeof build.ssr === 'string' || build.rolldownOptions?.input !== undefined || build.rollupOptions?.input !== undefined;
      return {
        build: {
          ssr: build.ssr ?? true,
          sourcemap: build.sourcemap ?? true,
          rolldownOptions: {
            ...(namesEntry ? {} : { input: { main: MAIN_MODULE_ID } }),
            // The release holds main.js alone: a chunk split off for a dynamic import would be missing.
            output: { format: 'es', entryFileNames: '[name].js', codeSplitting: false },
          },
        },
        ssr: { noExternal: true, target: 'node' },
      };
    },
    configResolved(config) {
      service.configure(config.root);
    },
    generateBundle(outputOptions, bundle) {
      return emitArtifacts(service, this, outputOptions, bundle);
    },
  };
}
