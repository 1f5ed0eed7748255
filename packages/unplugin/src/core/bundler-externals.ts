import { isBuiltin } from 'node:module';

/**
 * rollup's `external` (rolldown's and vite's take the same shapes): ids, patterns, or a function
 * of the import, its importer and whether the id is already resolved.
 */
export type RollupExternal =
  | string
  | RegExp
  | (string | RegExp)[]
  | ((source: string, importer: string | undefined, isResolved: boolean) => boolean | null | undefined | void);

/**
 * The config's `external` with the native packages added: each left out with its subpaths,
 * before any plugin resolves it (rollup, rolldown and vite test `external` against the import as
 * written first). Arrays stay arrays, so a config printed or merged (vite's mergeConfig) keeps its shape.
 */
export function withNativeExternals(external: RollupExternal | undefined, names: readonly string[]): RollupExternal | undefined {
  if (names.length === 0) return external;
  const patterns = names.map(packageImportPattern);
  if (typeof external === 'function') return (source, importer, isResolved) => patterns.some((pattern) => pattern.test(source)) || external(source, importer, isResolved);
  return [...(external === undefined ? [] : Array.isArray(external) ? external : [external as string | RegExp]), ...patterns];
}

/** Matches an import of the package `name` or of a file inside it. */
export function packageImportPattern(name: string): RegExp {
  return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:/.*)?$`);
}

/**
 * The packages a finished bundle imports at run time: its static and dynamic imports that are bare
 * specifiers and not Node builtins, sorted. Whatever made them external (the native packages, the
 * config's `external`, vite's `ssr.external`), they must ship in the release's node_modules.
 */
export function packageImportsOf(imports: readonly string[]): string[] {
  const bare = imports.filter((id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0') && !/^[a-z][a-z0-9+.-]*:/i.test(id) && !isBuiltin(id));
  return [...new Set(bare)].sort();
}
