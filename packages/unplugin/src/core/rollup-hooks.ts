import { dirname, posix, resolve } from 'node:path';
import type { InputOptions } from 'rollup';
import type { UnpluginOptions } from 'unplugin';
import { missingBuiltinProblem, withBuiltinRequiresIgnored } from './builtin-requires.js';
import { type RollupExternal, packageImportsOf, withNativeExternals } from './bundler-externals.js';
import { withEsmRequireBanner } from './esm-require.js';
import { removeStaleOutputs } from './outputs-index.js';
import { packageSideEffects } from './package-side-effects.js';
import { BUNDLE_FILE, SOURCE_MAP_FILE } from './release-files.js';
import type { ServiceBuild } from './service-build.js';
import { releaseEntry, takesReleaseEntry } from './release-entry.js';
import { MAIN_MODULE_ID, VIRTUAL_MODULE_FILTER } from './virtual-modules.js';

type RollupHooks = NonNullable<UnpluginOptions['rollup']>;
type RolldownHooks = NonNullable<UnpluginOptions['rolldown']>;
type ViteHooks = NonNullable<UnpluginOptions['vite']>;

/** What rollup's, rolldown's and vite's generateBundle contexts and bundles have in common here. */
interface EmitContext {
  error(message: string): never;
  warn(message: string): void;
  emitFile(file: { type: 'asset'; fileName: string; source: string | Uint8Array }): string;
}
type OutputEntry =
  | {
      readonly type: 'chunk';
      readonly code: string;
      readonly map: { toString(): string } | null;
      readonly imports: readonly string[];
      readonly dynamicImports: readonly string[];
    }
  | { readonly type: 'asset'; readonly source: string | Uint8Array };

/** The folder rollup writes to: `dir`, else the folder of `file`, else the working directory. */
function outdirOf(outputOptions: { dir?: string | undefined; file?: string | undefined }): string {
  return resolve(outputOptions.dir ?? (outputOptions.file === undefined ? '.' : dirname(outputOptions.file)));
}

/**
 * Emits the artifacts once rollup (rolldown, vite) has the finished bundle, through its own emitFile:
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
      `the release needs ${BUNDLE_FILE} in the output, but the build produced ${producedFiles(bundle)}: leave the input to the plugin (it adds main: '${MAIN_MODULE_ID}') and name entry files [name].js (tsdown: fixedExtension: false)`,
    );
  const assets = Object.entries(bundle)
    .filter(([fileName]) => fileName !== BUNDLE_FILE && fileName !== SOURCE_MAP_FILE)
    .map(([fileName, entry]) => ({ path: fileName, content: entry.type === 'chunk' ? entry.code : entry.source }));
  const baseImage = service.options?.baseImage;
  const missingBuiltin = baseImage === undefined ? undefined : missingBuiltinProblem(chunk.imports, baseImage);
  if (missingBuiltin !== undefined) return context.error(missingBuiltin);
  const outdir = outdirOf(outputOptions);
  // What the bundle still imports from packages was left external (the native packages, the
  // config's external, vite's ssr.external): the release's node_modules ships it.
  const imports = Object.values(bundle).flatMap((entry) => (entry.type === 'chunk' ? [...entry.imports, ...entry.dynamicImports] : []));
  service.useBundlerExternals({ patterns: [], allPackages: false, imports: packageImportsOf(imports) });
  const { artifacts, warnings } = await service.artifacts({ code: chunk.code, map, assets, outdir });
  // rollup, rolldown and vite name the plugin before what it reports (`[plugin hecate-om] ...`).
  for (const warning of warnings) context.warn(warning);
  removeStaleOutputs(outdir, artifacts.map(({ fileName }) => fileName));
  for (const { fileName, content } of artifacts) context.emitFile({ type: 'asset', fileName, source: content });
}

function producedFiles(bundle: Record<string, OutputEntry>): string {
  const names = Object.keys(bundle).sort();
  return names.length === 0 ? 'nothing' : names.join(', ');
}

type TreeshakeOption = InputOptions['treeshake'];

/**
 * rollup alone decides a module's side effects by whichever resolution reaches it first (see
 * package-side-effects.ts), which makes two builds differ; the release must be reproducible. A
 * choice the user made (`treeshake: false`, a preset, their own moduleSideEffects) stands.
 */
function reproducibleTreeshake(treeshake: TreeshakeOption): TreeshakeOption {
  if (treeshake === undefined || treeshake === true) return { moduleSideEffects: packageSideEffects() };
  if (typeof treeshake !== 'object' || treeshake.preset !== undefined || treeshake.moduleSideEffects !== undefined) return treeshake;
  return { ...treeshake, moduleSideEffects: packageSideEffects() };
}

export function rollupHooks(service: ServiceBuild): RollupHooks {
  return {
    options(inputOptions) {
      // rollup has no root: the service project is the plugin's root option, else the working directory.
      service.configure(process.cwd());
      const input = takesReleaseEntry(inputOptions.input, service.options?.service, process.cwd()) ? releaseEntry() : inputOptions.input;
      return {
        ...inputOptions,
        input,
        treeshake: reproducibleTreeshake(inputOptions.treeshake),
        external: withNativeExternals(inputOptions.external as RollupExternal | undefined, service.externalPackages) as typeof inputOptions.external,
      };
    },
    outputOptions(outputOptions) {
      return {
        ...outputOptions,
        format: outputOptions.format ?? 'es',
        sourcemap: outputOptions.sourcemap ?? true,
        // The release holds main.js alone: a chunk split off for a dynamic import would be missing.
        inlineDynamicImports: outputOptions.inlineDynamicImports ?? true,
        banner: withEsmRequireBanner(outputOptions.banner),
      };
    },
    generateBundle(outputOptions, bundle) {
      return emitArtifacts(service, this, outputOptions, bundle);
    },
  };
}

/** rollup's hooks with rolldown's name for one chunk: `codeSplitting: false` (`inlineDynamicImports` is deprecated there). */
export function rolldownHooks(service: ServiceBuild): RolldownHooks {
  return {
    options(inputOptions) {
      const cwd = inputOptions.cwd ?? process.cwd();
      service.configure(cwd);
      const input = takesReleaseEntry(inputOptions.input, service.options?.service, cwd) ? releaseEntry() : inputOptions.input;
      return { ...inputOptions, input, external: withNativeExternals(inputOptions.external as RollupExternal | undefined, service.externalPackages) as typeof inputOptions.external };
    },
    outputOptions(outputOptions) {
      const namesSplitting = outputOptions.codeSplitting !== undefined || outputOptions.inlineDynamicImports !== undefined;
      return {
        ...outputOptions,
        format: outputOptions.format ?? 'es',
        sourcemap: outputOptions.sourcemap ?? true,
        ...(namesSplitting ? {} : { codeSplitting: false }),
      };
    },
    generateBundle(outputOptions, bundle) {
      return emitArtifacts(service, this, outputOptions, bundle);
    },
  };
}

/**
 * An SSR build for node that bundles every dependency but the native ones. vite 8
 * bundles with rolldown and reads `build.rolldownOptions` (it warns when a plugin also sets
 * `rollupOptions`); vite 6 and 7 bundle with rollup and read only `build.rollupOptions`, so the
 * options go where this vite reads them. vite 8 (and rolldown-vite) name rolldown in the config
 * hook's `this.meta`; vite 6 passes no context there.
 */
/**
 * The URL of an asset imported by the service (`import url from './prompt.txt?url'`), as vite
 * renders it into the bundle: vite's own is `base` joined with the file (`/assets/prompt-x.txt`),
 * a path from the root of the file system to a service, so under vite alone an imported asset
 * never reads from `dist/` or the release. Here it is the file beside the bundle that imports it,
 * as a `file:` URL (`new URL('./assets/prompt-x.txt', import.meta.url).href`), which `readFile`
 * takes, wherever the release is unpacked. An asset referenced from CSS or HTML keeps vite's.
 */
function assetUrlFromBundle(fileName: string, { hostId, hostType }: { hostId: string; hostType: 'js' | 'css' | 'html' }): { runtime: string } | undefined {
  if (hostType !== 'js') return undefined;
  const path = posix.relative(posix.dirname(hostId), fileName);
  return { runtime: `new URL(${JSON.stringify(path.startsWith('../') ? path : `./${path}`)}, import.meta.url).href` };
}

export function viteHooks(service: ServiceBuild): ViteHooks {
  let bundlesWithRolldown = false;
  return {
    config(config) {
      bundlesWithRolldown = typeof (this as { meta?: { rolldownVersion?: unknown } } | undefined)?.meta?.rolldownVersion === 'string';
      const build = config.build ?? {};
      const namesEntry = typeof build.ssr === 'string' || build.rolldownOptions?.input !== undefined || build.rollupOptions?.input !== undefined;
      const input = namesEntry ? {} : { input: { main: MAIN_MODULE_ID } };
      // The release holds main.js alone: a chunk split off for a dynamic import would be missing.
      // rolldown prints each module's path relative to its cwd into the bundle (the region comments),
      // and vite leaves cwd at the process's: relative to the project, they are the same on every machine.
      const cwd = build.rolldownOptions?.cwd ?? resolve(config.root ?? '.');
      const bundlerOptions = bundlesWithRolldown
        ? { rolldownOptions: { ...input, cwd, output: { format: 'es' as const, entryFileNames: '[name].js', codeSplitting: false } } }
        : { rollupOptions: { ...input, output: { format: 'es' as const, entryFileNames: '[name].js', inlineDynamicImports: true } } };
      // Set on the config itself: vite's merge of a returned partial would append a function to a user's list.
      if (!bundlesWithRolldown) config.build = { ...build, commonjsOptions: { ...build.commonjsOptions, ignore: withBuiltinRequiresIgnored(build.commonjsOptions?.ignore) } };
      return {
        // A service has no client build to write the assets it imports: the SSR build writes them, and they ship.
        // It reads them as files, as esbuild's file loader gives them: not inlined as data: URLs.
        build: {
          ssr: build.ssr ?? true,
          ssrEmitAssets: build.ssrEmitAssets ?? true,
          assetsInlineLimit: build.assetsInlineLimit ?? 0,
          sourcemap: build.sourcemap ?? true,
          ...bundlerOptions,
        },
        experimental: { renderBuiltUrl: config.experimental?.renderBuiltUrl ?? assetUrlFromBundle },
        ssr: { noExternal: true, target: 'node' },
      };
    },
    configResolved(config) {
      service.configure(config.root);
    },
    // vite bundles every dependency (ssr.noExternal) but the native packages, which cannot be bundled.
    options(inputOptions) {
      return { ...inputOptions, external: withNativeExternals(inputOptions.external as RollupExternal | undefined, service.externalPackages) as typeof inputOptions.external };
    },
    // Under rollup (vite 6 and 7) as under plain rollup; rolldown (vite 8) brings a require of its own.
    outputOptions(outputOptions) {
      return bundlesWithRolldown ? outputOptions : { ...outputOptions, banner: withEsmRequireBanner(outputOptions.banner) };
    },
    // Takes the place of the shared resolveId under vite (unplugin gives a framework's own hooks the
    // last word), so it resolves the virtual ids too; first, to see an optional peer dependency
    // before vite's resolver does (see leaveMissingOptionalPeersToRunTime).
    resolveId: {
      order: 'pre',
      async handler(source, importer, options) {
        if (VIRTUAL_MODULE_FILTER.test(source)) return service.resolveVirtualModule(source);
        return leaveMissingOptionalPeersToRunTime(this, source, importer, options);
      },
    },
    generateBundle(outputOptions, bundle) {
      return emitArtifacts(service, this, outputOptions, bundle);
    },
  };
}

/** The id vite gives an optional peer dependency that is not installed (pg's `pg-native`), vite 6 to 8. */
const VITE_OPTIONAL_PEER_PREFIX = '__vite-optional-peer-dep:';

interface ResolveContext {
  resolve(source: string, importer: string | undefined, options: { skipSelf: boolean }): Promise<{ id: string } | null>;
}

/**
 * vite replaces an optional peer dependency that is not installed (pg's `pg-native`, which pg
 * requires only when `pg.native` is read) by a module of its own: one that throws "Could not
 * resolve" as it is evaluated unless NODE_ENV is production (vite 6 and 7 evaluate it as the
 * bundle loads, so the release dies before boot: any `vite build` run with NODE_ENV=development
 * or test), and an empty object otherwise (where pg would take it for the addon). Node, and the
 * other bundlers (esbuild, webpack, rspack, rolldown), leave the `require` to run time, where it
 * fails with MODULE_NOT_FOUND as the package expects (`pg.native` is null). So does the plugin:
 * such an import stays external, whatever NODE_ENV says; it ships nothing, being installed nowhere.
 */
async function leaveMissingOptionalPeersToRunTime(
  context: ResolveContext,
  source: string,
  importer: string | undefined,
  options: object,
): Promise<{ id: string; external: true } | { id: string } | null> {
  if (importer === undefined || !isBareSpecifier(source)) return null;
  const resolved = await context.resolve(source, importer, { ...options, skipSelf: true });
  return resolved?.id.startsWith(VITE_OPTIONAL_PEER_PREFIX) ? { id: source, external: true } : resolved;
}

/** A package name, possibly with a subpath: not relative, absolute, a URL or another plugin's virtual id. */
function isBareSpecifier(source: string): boolean {
  return !/^[./\\\0]/.test(source) && !/^[a-z][a-z0-9+.-]*:/i.test(source);
}
