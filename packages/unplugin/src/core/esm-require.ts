/**
 * The first lines of an ESM bundle for Node, so that CommonJS code inside it can `require()` what
 * the bundle leaves out: Node's builtins (`require('events')` in express, pg, pino and most of npm)
 * and the packages that ship in the release's node_modules. Bundlers keep such a call as a call of
 * a `require` they expect the host to provide (esbuild: "Dynamic require of "events" is not
 * supported" when there is none; rollup's CommonJS plugin, under rollup and vite 6 and 7, leaves
 * as it is a `require` inside `try` of what stays external: a builtin a package probes for, pg's
 * optional `pg-native`), and an ES module has none: `createRequire(import.meta.url)` gives one
 * that resolves from main.js, as CommonJS would. A banner rather than code in the
 * generated entry: the bundle's own modules run before the entry's body, and the name must be a
 * free variable of the whole file.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __hecateOmCreateRequire } from 'node:module';\nconst require = __hecateOmCreateRequire(import.meta.url);";

/** Whether the config's own banner already declares `require` (then a second one is a SyntaxError). */
export function bannerDeclaresRequire(banner: string | undefined): boolean {
  return banner !== undefined && /\b(?:const|let|var)\s+require\b|\brequire\s*=/.test(banner);
}

/** The banner with the require shim first, unless the config's banner already provides one. */
export function withEsmRequire(banner: string | undefined): string {
  if (bannerDeclaresRequire(banner)) return banner!;
  return banner === undefined || banner === '' ? ESM_REQUIRE_BANNER : `${ESM_REQUIRE_BANNER}\n${banner}`;
}

/** rollup's `output.banner` (a string, or a function of the chunk) with the require shim first, as withEsmRequire. */
export function withEsmRequireBanner<Chunk>(
  banner: string | ((chunk: Chunk) => string | Promise<string>) | undefined,
): string | ((chunk: Chunk) => Promise<string>) {
  if (typeof banner !== 'function') return withEsmRequire(banner);
  return async (chunk) => withEsmRequire(await banner(chunk));
}
