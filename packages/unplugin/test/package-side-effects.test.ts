import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { rollup } from 'rollup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageSideEffects } from '../src/core/package-side-effects.js';

let project: string;

async function write(path: string, content: string): Promise<string> {
  const file = join(project, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

const json = (value: unknown) => JSON.stringify(value);

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'hecate-side-effects-'));
  await write('package.json', json({ name: 'service' }));
  await write('src/service.js', 'globalThis.service = 1;\n');
  // A package that promises no side effects, with a nested {"type":"module"} file of a dual build.
  await write('node_modules/pure/package.json', json({ name: 'pure', sideEffects: false }));
  await write('node_modules/pure/index.js', "export { used } from './used.js';\nexport { unused } from './unused.js';\n");
  await write('node_modules/pure/used.js', 'export const used = 1;\n');
  await write('node_modules/pure/unused.js', "globalThis.pureUnused = 'kept';\nexport const unused = 2;\n");
  await write('node_modules/pure/esm/package.json', json({ type: 'module' }));
  await write('node_modules/pure/esm/index.js', 'globalThis.pureEsm = 1;\n');
  // Globs: one without a slash matches at any depth, one with a slash from the package root.
  await write('node_modules/styled/package.json', json({ name: 'styled', sideEffects: ['*.css.js', './lib/polyfill.js'] }));
  await write('node_modules/styled/lib/polyfill.js', '');
  await write('node_modules/styled/lib/deep/theme.css.js', '');
  await write('node_modules/styled/lib/button.js', '');
  await write('node_modules/odd/package.json', json({ name: 'odd', sideEffects: 'no' }));
  await write('node_modules/odd/index.js', '');
  await write('node_modules/broken/package.json', '{ "name": "broken", ');
  await write('node_modules/broken/index.js', '');
});
afterAll(() => rm(project, { recursive: true, force: true }));

describe('packageSideEffects', () => {
  it('answers from the nearest named package.json, whatever path reached the module', () => {
    const sideEffects = packageSideEffects();
    expect(sideEffects(join(project, 'node_modules/pure/unused.js'), false)).toBe(false);
    // The nested {"type":"module"} file names no package: the package root's field applies.
    expect(sideEffects(join(project, 'node_modules/pure/esm/index.js'), false)).toBe(false);
    // The service's own package.json says nothing: rollup's default, side effects.
    expect(sideEffects(join(project, 'src/service.js'), false)).toBe(true);
  });

  it("applies webpack's globs: without a slash at any depth, with one from the package root", () => {
    const sideEffects = packageSideEffects();
    expect(sideEffects(join(project, 'node_modules/styled/lib/polyfill.js'), false)).toBe(true);
    expect(sideEffects(join(project, 'node_modules/styled/lib/deep/theme.css.js'), false)).toBe(true);
    expect(sideEffects(join(project, 'node_modules/styled/lib/button.js'), false)).toBe(false);
  });

  it("keeps rollup's default for what it cannot read: a field of another shape, a broken package.json, externals, virtual ids", () => {
    const sideEffects = packageSideEffects();
    expect(sideEffects(join(project, 'node_modules/odd/index.js'), false)).toBe(true);
    // The broken package.json is skipped; the service's, above it, says nothing.
    expect(sideEffects(join(project, 'node_modules/broken/index.js'), false)).toBe(true);
    expect(sideEffects('node:fs', true)).toBe(true);
    expect(sideEffects('\0virtual:thing', false)).toBe(true);
    expect(sideEffects(`${join(project, 'node_modules/pure/used.js')}?raw`, false)).toBe(true);
  });

  it('lets rollup drop an unused module that a package reaches by a relative import', async () => {
    const entry = await write('src/entry.js', "import { used } from '../node_modules/pure/index.js';\nconsole.log(used);\n");
    const bundleOf = async (moduleSideEffects?: ReturnType<typeof packageSideEffects>) => {
      const bundle = await rollup({ input: entry, treeshake: moduleSideEffects === undefined ? true : { moduleSideEffects }, onwarn: () => {} });
      try {
        return (await bundle.generate({ format: 'es' })).output[0].code;
      } finally {
        await bundle.close();
      }
    };
    // rollup's default keeps it: the difference a race between resolutions turns into two bundles.
    expect(await bundleOf()).toContain('pureUnused');
    expect(await bundleOf(packageSideEffects())).not.toContain('pureUnused');
  });
});
