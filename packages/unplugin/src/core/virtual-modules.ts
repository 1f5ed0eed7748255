import type { Manifest } from '@hecate-om/contract';

/** The generated build entry: boots the service with the manifest derived at build time. */
export const MAIN_MODULE_ID = 'virtual:hecate-om/main';
/** The derived manifest as a module (default export), for the entry and for anyone who wants it. */
export const MANIFEST_MODULE_ID = 'virtual:hecate-om/manifest';
/** Matches exactly the two ids above; also esbuild's filter, so no other import reaches the plugin. */
export const VIRTUAL_MODULE_FILTER = /^virtual:hecate-om\/(?:main|manifest)$/;

export interface EntryModuleInput {
  /** The module whose default export is the contract class: absolute, or relative to the entry's file. */
  readonly service: string;
  /** @hecate-om/runtime resolved from the service project: absolute, or relative to the entry's file. */
  readonly runtimeEntry: string;
  /** How the entry imports the manifest module: its virtual id, or a file beside it. */
  readonly manifestSpecifier?: string;
}

/**
 * The imports are paths, not package names: a virtual module has no directory of its own to resolve
 * from, and the runtime must be the one the service project depends on, not one found from the
 * plugin's location.
 */
export function renderEntryModule({ service, runtimeEntry, manifestSpecifier = MANIFEST_MODULE_ID }: EntryModuleInput): string {
  return [
    `import Service from ${JSON.stringify(service)};`,
    `import manifest from ${JSON.stringify(manifestSpecifier)};`,
    `import { boot } from ${JSON.stringify(runtimeEntry)};`,
    'boot(Service, { manifest });',
    '',
  ].join('\n');
}

export function renderManifestModule(manifest: Manifest): string {
  return `export default ${JSON.stringify(manifest, null, 2)};\n`;
}
