import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCAFFOLDED_TREE } from '../../packages/cli/test/helpers/scaffolded-repository.js';
import { repoRoot, tempDir, treeOf } from './support/cli.js';

const run = promisify(execFile);
const pnpm = join(repoRoot, 'node_modules', '.bin', 'pnpm');
const cliPackage = join(repoRoot, 'packages', 'cli');
/** The workspace packages @hecate-om/cli depends on, packed beside it as npm would fetch them. */
const dependencies = ['contract', 'unplugin', 'ucan', 'realm', 'runtime'];

/** @hecate-om/cli as `pnpm pack` publishes it, installed into a project of its own. */
describe('the packed @hecate-om/cli', () => {
  let work: string;
  let bin: string;

  beforeAll(async () => {
    work = await tempDir('packed');
    const tarballs = join(work, 'tarballs');
    await mkdir(tarballs);
    // prepack's own steps without its `tsc -b`, which could rebuild packages under other tests' feet.
    await run(process.execPath, ['scripts/write-oclif-manifest.mjs'], { cwd: cliPackage });
    try {
      await run(pnpm, ['pack', '--ignore-scripts', '--pack-destination', tarballs], { cwd: cliPackage });
    } finally {
      await rm(join(cliPackage, 'oclif.manifest.json'), { force: true });
    }
    for (const name of dependencies)
      await run(pnpm, ['pack', '--pack-destination', tarballs], { cwd: join(repoRoot, 'packages', name) });
    const files = await readdir(tarballs);
    const tarball = (name: string): string => `file:${join(tarballs, files.find((file) => file.startsWith(`hecate-om-${name}-`))!)}`;
    const project = join(work, 'project');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), `${JSON.stringify({ name: 'try-the-cli', private: true, dependencies: { '@hecate-om/cli': tarball('cli') } }, null, 2)}\n`);
    await writeFile(
      join(project, 'pnpm-workspace.yaml'),
      ['overrides:', ...dependencies.map((name) => `  '@hecate-om/${name}': '${tarball(name)}'`), 'allowBuilds:', '  esbuild: true', ''].join('\n'),
    );
    await run(pnpm, ['install', '--reporter=silent'], { cwd: project });
    bin = join(project, 'node_modules', '.bin', 'hecate-om');
  }, 300_000);

  afterAll(() => rm(work, { recursive: true, force: true }));

  it('carries its templates and oclif.manifest.json, and nothing of the work tree', async () => {
    const installed = join(work, 'project', 'node_modules', '@hecate-om', 'cli');
    const tree = await treeOf(installed);
    expect(tree.filter((path) => path.startsWith('templates/'))).toEqual([
      'templates/',
      'templates/CHANGELOG.md',
      'templates/DEPLOY.md',
      'templates/LICENSE',
      'templates/README.md',
      'templates/_github/',
      'templates/_github/workflows/',
      'templates/_github/workflows/ci.yml',
      'templates/_gitignore',
      'templates/build.mjs',
      'templates/package.json',
      'templates/pnpm-workspace.yaml',
      'templates/src/',
      'templates/src/service.ts',
      'templates/test/',
      'templates/test/service.test.ts',
      'templates/tsconfig.json',
    ]);
    expect(tree).toContain('oclif.manifest.json');
    expect(tree.filter((path) => /^(src|test|scripts)\/|tsbuildinfo/.test(path))).toEqual([]);
  });

  it('scaffolds the whole repository from its installed binary', async () => {
    await run(bin, ['scaffold', '--name', 'hecate-billing', '--description', 'Bills usage over the mesh', '--org', 'acme'], { cwd: work });
    expect(await treeOf(join(work, 'hecate-billing'))).toEqual(SCAFFOLDED_TREE);
  });

  it('runs the identity commands, listed by topic in its manifest, from its installed binary', async () => {
    const { stdout } = await run(bin, ['keygen', '--json'], { cwd: work });
    const { did, privateKeyPem } = JSON.parse(stdout) as { did: string; privateKeyPem: string };
    expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const help = await run(bin, ['realm', '--help'], { cwd: work });
    expect(help.stdout).toMatch(/realm dev +Run a development realm on loopback/);
    const verify = await run(bin, ['token', 'verify', 'abc', '--root', did, '--json'], { cwd: work }).catch((error: { code: number; stdout: string }) => error);
    expect('code' in verify && verify.code).toBe(1);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: false, errors: [{ code: 'UCAN_FORMAT' }] });
  });
});
