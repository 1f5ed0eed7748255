import { isBuiltin } from 'node:module';
import { imagePlatform } from './dependencies/platform.js';

/** `@rollup/plugin-commonjs`'s `ignore` option: the ids of the requires it leaves as calls, as a list or a predicate. */
export type CommonjsIgnore = readonly string[] | ((id: string) => boolean);

/**
 * Whether a `require(id)` names a Node builtin: `events`, `fs/promises`, and every `node:` id,
 * the ones this Node knows and those it does not (`node:sqlite`, Node 22.5 and later, met while
 * building on Node 20), which only Node can have.
 */
export function requiresBuiltin(id: string): boolean {
  return id.startsWith('node:') || isBuiltin(id);
}

/**
 * rollup's CommonJS plugin (rollup, and vite 6 and 7) turns each `require()` of what stays
 * external, Node's builtins first, into a static `import` at the top of the bundle, so a require
 * CommonJS runs late or never (undici 7's `require('node:sqlite')`, made only for its SQLite
 * cache) must resolve as main.js loads, and the release dies on a Node that lacks the builtin.
 * Left as calls, they run when CommonJS would, through the bundle's `require` (esm-require.ts).
 * Returns the plugin's `ignore` with the builtins added to the user's own list or predicate.
 */
export function withBuiltinRequiresIgnored(ignore: CommonjsIgnore | undefined): (id: string) => boolean {
  if (ignore === undefined) return requiresBuiltin;
  const ignoredByUser = typeof ignore === 'function' ? ignore : (id: string) => ignore.includes(id);
  return (id) => requiresBuiltin(id) || ignoredByUser(id);
}

/**
 * The first Node major whose latest release has each builtin that Node 20, the oldest the release
 * supports, lacks (Node's API docs, "Added in"): `node:sqlite` came in 22.5.0, without a flag from
 * 22.13.0. A builtin missing from this table is taken to be in every supported Node.
 */
const BUILTIN_SINCE_NODE: Readonly<Record<string, number>> = { 'node:sqlite': 22 };

/**
 * Why main.js cannot load on the base image's Node, or undefined: it imports, as it loads, a
 * builtin that Node lacks (`staticImports` are the ids main.js imports at its top). A base image
 * whose tag does not tell its Node major (imagePlatform) is not checked.
 */
export function missingBuiltinProblem(staticImports: readonly string[], baseImage: string): string | undefined {
  const { nodeMajor } = imagePlatform(baseImage);
  if (nodeMajor === undefined) return undefined;
  const missing = [...new Set(staticImports.filter((id) => (BUILTIN_SINCE_NODE[id] ?? 0) > nodeMajor))].sort();
  if (missing.length === 0) return undefined;
  const since = Math.max(...missing.map((id) => BUILTIN_SINCE_NODE[id]!));
  return (
    `main.js imports ${missing.join(', ')} as it loads, which Node ${nodeMajor} (the base image ${baseImage}) does not have (Node ${since} and later do), so the release would die at load with ERR_UNKNOWN_BUILTIN_MODULE. ` +
    `If a CommonJS package requires it on demand (undici's SQLite cache), keep requires of builtins as calls: under rollup, @rollup/plugin-commonjs's ignore option, commonjs({ ignore: (id) => id.startsWith('node:') || isBuiltin(id) }) with isBuiltin from node:module; ` +
    `if your code imports it, import it where it is used (await import('${missing[0]}')), or set the baseImage option to a Node ${since} image`
  );
}
