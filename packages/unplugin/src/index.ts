import { type UnpluginFactory, type UnpluginInstance, type UnpluginOptions, createUnplugin } from 'unplugin';
import { esbuildHooks } from './core/esbuild-hooks.js';
import type { Options } from './core/options.js';
import { failureError } from './core/report.js';
import { rolldownHooks, rollupHooks, viteHooks } from './core/rollup-hooks.js';
import { type AnalysisOutcome, ServiceBuild } from './core/service-build.js';
import { VIRTUAL_MODULE_FILTER } from './core/virtual-modules.js';
import {
  type WebpackLikeCompiler,
  analyzeEachCompilation,
  emitArtifactsUnder,
  leaveNativePackagesExternal,
  nameSourcesByPath,
  refuseOutputThatCannotRun,
  resolveVirtualModulesToFiles,
} from './core/webpack-hooks.js';

export type { Diagnostic, DiagnosticCode } from './core/diagnostic.js';
export { formatDiagnostic } from './core/diagnostic.js';
export type { Options, ResolvedOptions } from './core/options.js';
export { DEFAULTS, resolveOptions } from './core/options.js';
export type { AnalysisOutcome, BuildFailure } from './core/service-build.js';
export { failureMessage } from './core/report.js';
export { MAIN_MODULE_ID, MANIFEST_MODULE_ID } from './core/virtual-modules.js';

export const unpluginFactory: UnpluginFactory<Options | undefined, false> = (options, meta) => {
  const service = new ServiceBuild(options);
  // Under esbuild everything happens in esbuild's own callbacks (see core/esbuild-hooks.ts).
  if (meta.framework === 'esbuild') return { name: 'hecate-om', esbuild: esbuildHooks(service) };
  return {
    name: 'hecate-om',
    // webpack and rspack analyse in their own hooks (analyzeEachCompilation), where a failure can be
    // a compilation error: a throw here would be fatal and end watch mode for good.
    ...(meta.framework === 'webpack' || meta.framework === 'rspack' ? {} : { buildStart: rollupLikeBuildStart(service) }),
    // The virtual ids resolve to the files the plugin keeps in generatedModulesDir (see ServiceBuild.moduleFileOf).
    resolveId: { filter: { id: VIRTUAL_MODULE_FILTER }, handler: (id) => service.resolveVirtualModule(id) },
    rollup: rollupHooks(service),
    rolldown: rolldownHooks(service),
    vite: viteHooks(service),
    // Both compilers are used through the few members core/webpack-hooks.ts types structurally.
    webpack: (compiler) => {
      refuseOutputThatCannotRun(compiler as unknown as WebpackLikeCompiler, 'webpack');
      nameSourcesByPath(compiler as unknown as WebpackLikeCompiler);
      analyzeEachCompilation(compiler as unknown as WebpackLikeCompiler, service);
      leaveNativePackagesExternal(compiler as unknown as WebpackLikeCompiler, service);
      resolveVirtualModulesToFiles(compiler as unknown as WebpackLikeCompiler, service);
      emitArtifactsUnder(compiler as unknown as WebpackLikeCompiler, service);
    },
    rspack: (compiler) => {
      refuseOutputThatCannotRun(compiler as unknown as WebpackLikeCompiler, 'rspack');
      nameSourcesByPath(compiler as unknown as WebpackLikeCompiler);
      analyzeEachCompilation(compiler as unknown as WebpackLikeCompiler, service);
      leaveNativePackagesExternal(compiler as unknown as WebpackLikeCompiler, service);
      resolveVirtualModulesToFiles(compiler as unknown as WebpackLikeCompiler, service);
      emitArtifactsUnder(compiler as unknown as WebpackLikeCompiler, service);
    },
  };
};

/**
 * rollup, rolldown and vite: throwing in buildStart fails the build (there is no this.error there),
 * and their watchers go on after a failed build.
 */
function rollupLikeBuildStart(service: ServiceBuild): UnpluginOptions['buildStart'] {
  return async function buildStart() {
    const outcome = await service.analyze();
    // A watcher follows what the bundle reads; the analysis also reads package.json, and after a
    // failure the service is never loaded: name them, so that a fix triggers a rebuild.
    for (const input of outcome.ok ? outcome.analysis.inputs : outcome.inputs) this.addWatchFile(input);
    if (!outcome.ok) throw failureError(outcome.failure);
  };
}

export const unplugin: UnpluginInstance<Options | undefined, false> = createUnplugin(unpluginFactory);

export default unplugin;

/**
 * Derives the manifest and UCAN request of the service at `root` the way a build does (through the
 * same cache), without bundling: what `hecate-om inspect` prints.
 */
export function inspectService(options?: Options, root: string = process.cwd()): Promise<AnalysisOutcome> {
  const service = new ServiceBuild(options);
  service.configure(root);
  return service.analyze();
}
