import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOfProject, fixturesDir, repoRoot, run } from './support/builds.js';

const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs tsc on the project with `types`, and returns its output (empty when it type-checks). */
async function typeCheck(root: string, types: string[]): Promise<string> {
  const tsconfig = { compilerOptions: { strict: true, module: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: true, types }, include: ['src/manifest-name.ts'] };
  await writeFile(join(root, 'tsconfig.json'), JSON.stringify(tsconfig));
  try {
    await run(process.execPath, [tsc, '-p', root]);
    return '';
  } catch (error) {
    return (error as { stdout: string }).stdout;
  }
}

describe("the type declaration of virtual:hecate-om/manifest", () => {
  let root: string;
  beforeAll(async () => {
    root = await copyOfProject(join(fixturesDir, 'build-imported-const'));
    await writeFile(
      join(root, 'src', 'manifest-name.ts'),
      "import manifest from 'virtual:hecate-om/manifest';\nimport type { Manifest } from '@hecate-om/contract';\n\nexport const name: string = manifest.name;\nexport const whole: Manifest = manifest;\n",
    );
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('lets tsc type the manifest module once the project names @hecate-om/unplugin/virtual in its types', async () => {
    expect(await typeCheck(root, ['@hecate-om/unplugin/virtual'])).toBe('');
  });

  it('is what tsc needs: without it the import is TS2307', async () => {
    expect(await typeCheck(root, [])).toContain("error TS2307: Cannot find module 'virtual:hecate-om/manifest'");
  });
});
