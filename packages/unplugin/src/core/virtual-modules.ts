import type { Manifest } from '@hecate-om/contract';

/** The generated build entry: boots the service with the manifest derived at build time. */
export const MAIN_MODULE_ID = 'virtual:hecate-om/main';
/** The derived manifest as a module (default export), for the entry and for anyone who wants it. */
export const MANIFEST_MODULE_ID = 'virtual:hecate-om/manifest';
/** Matches exactly the two ids above; also esbuild's filter, so no other import reaches the plugin. */
export const VIRTUAL_MODULE_FILTER = /^virtual:hecate-om\/(?:main|manifest)$/;

/** The imports of the generated entry, as specifiers relative to the entry's own file. */
export interface EntryModuleImports {
  /** The module whose default export is the contract class. */
  readonly service: string;
  /** The manifest module (what `virtual:hecate-om/manifest` resolves to). */
  readonly manifest: string;
  /** @hecate-om/runtime as resolved from the service project, not from the plugin's location. */
  readonly runtime: string;
}

/**
 * The analysis proved the service module's default export is a class; the bundler may still hand
 * the entry something else. A service compiled to CommonJS before bundling (webpack with ts-loader
 * `transpileOnly` and `"module": "commonjs"`, say) reaches an ES import the way node imports
 * CommonJS: as its whole `module.exports`, with the class under `.default`. The entry takes the
 * class from there, so the release boots the same whatever module format the service went through.
 */
export function renderEntryModule({ service, manifest, runtime }: EntryModuleImports): string {
  return [
    `import ServiceExport from ${JSON.stringify(service)};`,
    `import manifest from ${JSON.stringify(manifest)};`,
    `import { boot } from ${JSON.stringify(runtime)};`,
    "const Service = typeof ServiceExport === 'function' ? ServiceExport : ServiceExport?.default;",
    'boot(Service, { manifest });',
    '',
  ].join('\n');
}

export function renderManifestModule(manifest: Manifest): string {
  return `export default ${JSON.stringify(manifest, null, 2)};\n`;
}
