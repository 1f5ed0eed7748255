import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { rollup } from 'rollup';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../build/support/builds.js';

/**
 * A package that declares `"sideEffects": false` promises that importing any of its modules and
 * using nothing runs nothing. Bundlers act on the promise, but not always the same way twice:
 * rollup with @rollup/plugin-commonjs marks a module side-effect free or not depending on which of
 * two concurrent resolutions finishes last, so a module whose top level still does work
 * (`NAMES.filter(...)` kept for nothing) makes two builds of one project differ. The promise has
 * to hold without the flag: each module, bundled with every module treated as having side effects,
 * must leave no code behind.
 */
const packagesDir = join(repoRoot, 'packages');

async function sideEffectFreePackages(): Promise<string[]> {
  const names = await readdir(packagesDir);
  const declared: string[] = [];
  for (const name of names.sort()) {
    const manifest = JSON.parse(await readFile(join(packagesDir, name, 'package.json'), 'utf8')) as { sideEffects?: unknown };
    if (manifest.sideEffects === false) declared.push(name);
  }
  return declared;
}

async function distModules(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** What rollup keeps of `import '<file>'` when the package's own modules all count as having side effects. */
async function codeLeftBehind(file: string, packageDir: string): Promise<string> {
  const inside = (id: string) => id.startsWith(packageDir + sep);
  const bundle = await rollup({
    input: 'entry',
    plugins: [
      {
        name: 'import-only',
        resolveId: (id) => (id === 'entry' ? id : undefined),
        load: (id) => (id === 'entry' ? `import ${JSON.stringify(file)};` : undefined),
      },
    ],
    external: (id, importer) => id !== 'entry' && !(id.startsWith('.') && importer !== undefined && inside(join(importer, '..', id))) && !inside(id),
    treeshake: { moduleSideEffects: (id, external) => !external },
    onwarn: () => {},
  });
  try {
    const { output } = await bundle.generate({ format: 'es' });
    return output[0].code.trim();
  } finally {
    await bundle.close();
  }
}

const packages = await sideEffectFreePackages();

describe('packages that declare "sideEffects": false', () => {
  it('are the ones a service bundle includes', () => {
    expect(packages).toEqual(expect.arrayContaining(['contract', 'runtime', 'ucan']));
  });

  for (const name of packages) {
    it(`@hecate-om/${name}: every dist module leaves no code when imported for nothing`, async () => {
      const packageDir = join(packagesDir, name);
      const left: Record<string, string> = {};
      for (const file of await distModules(join(packageDir, 'dist'))) {
        const code = await codeLeftBehind(file, packageDir);
        if (code !== '') left[relative(packageDir, file)] = code;
      }
      expect(left).toEqual({});
    });
  }
});
