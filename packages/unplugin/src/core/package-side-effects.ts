import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';

/** Whether importing the module at `id` for nothing may still run code that matters (rollup's `treeshake.moduleSideEffects`). */
export type ModuleSideEffects = (id: string, external: boolean) => boolean;

/**
 * A package's `"sideEffects"` field read the way @rollup/plugin-node-resolve reads it for a bare
 * import, applied to every module of the package, however it was reached.
 *
 * Why: node-resolve answers a bare import (`pkg/sub`) from the package's `sideEffects`, but leaves a
 * relative import inside the package (`./sub.js`) to rollup's default, "has side effects". When a
 * module is reached both ways, rollup keeps whichever resolution it finishes first, so two builds of
 * one project can tree-shake differently and order their imports differently: the release tarball
 * is then not reproducible. Answering every resolution from the package's own field makes the
 * decision the same whatever the order. The field's rules are webpack's, as node-resolve applies
 * them (https://webpack.js.org/guides/tree-shaking/): `false` or `true`, or globs relative to the
 * package root, where a glob without `/` matches at any depth.
 *
 * The package of a module is the nearest package.json with a `name` above it: a nested
 * `{"type": "module"}` file of a dual build is not a package. A package.json that cannot be read
 * or parsed, or a field of any other shape, counts as "has side effects", rollup's own default.
 */
export function packageSideEffects(): ModuleSideEffects {
  const packageOfDirectory = new Map<string, PackageRule | null>();

  function packageOf(directory: string): PackageRule | null {
    const known = packageOfDirectory.get(directory);
    if (known !== undefined) return known;
    const rule = readPackageRule(directory) ?? (dirname(directory) === directory ? null : packageOf(dirname(directory)));
    packageOfDirectory.set(directory, rule);
    return rule;
  }

  return (id, external) => {
    // Externals, virtual modules (\0-prefixed or not a path) and ids with a query keep rollup's default.
    if (external || !isAbsolute(id) || id.includes('?')) return true;
    const rule = packageOf(dirname(id));
    return rule === null ? true : rule.hasSideEffects(id);
  };
}

interface PackageRule {
  hasSideEffects(file: string): boolean;
}

/** The rule of the package whose root is `directory`; undefined when no named package.json is there. */
function readPackageRule(directory: string): PackageRule | undefined {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof manifest !== 'object' || manifest === null || typeof (manifest as { name?: unknown }).name !== 'string') return undefined;
  const field = (manifest as { sideEffects?: unknown }).sideEffects;
  if (typeof field === 'boolean') return { hasSideEffects: () => field };
  if (!Array.isArray(field) || !field.every((pattern): pattern is string => typeof pattern === 'string')) return { hasSideEffects: () => true };
  const matches = picomatch(
    field.map((pattern) => (pattern.includes('/') ? pattern.replace(/^\.\//, '') : `**/${pattern}`)),
    { dot: true },
  );
  return { hasSideEffects: (file) => matches(relative(directory, file).split(sep).join('/')) };
}
