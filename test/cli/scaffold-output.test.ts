import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HECATE_BILLING_NAMES, SCAFFOLDED_FILES, SCAFFOLDED_TREE } from '../../packages/cli/test/helpers/scaffolded-repository.js';
import { runCli, tempDir, treeOf } from './support/cli.js';
import { findHouseValues } from './support/house-values.js';

const args = ['scaffold', '--name', 'hecate-billing', '--description', 'Bills usage over the mesh', '--org', 'acme'];

describe('hecate-om scaffold', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await tempDir('scaffold');
  });
  afterEach(() => rm(cwd, { recursive: true, force: true }));

  it('creates ./<name> with the whole repository and says what it derived, without colour off a terminal', async () => {
    const result = await runCli(args, { cwd });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const target = join(cwd, 'hecate-billing');
    expect(result.stdout).toBe(
      [
        `Created hecate-billing in ${target} (12 files).`,
        '',
        '  package         @acme/hecate-billing',
        '  contract class  HecateBillingService (src/service.ts)',
        '  image           ghcr.io/acme/hecate-billing:<version>',
        '  Quadlet unit    hecate-billing.container (systemd: hecate-billing.service)',
        '  identity scope  hecate-billing',
        '  capabilities    hecate_billing.<verb>',
        '',
        'Next:',
        `  cd ${target}`,
        '  pnpm install && pnpm test && pnpm build',
        '',
      ].join('\n'),
    );
    expect(await treeOf(cwd)).toEqual(['hecate-billing/', ...SCAFFOLDED_TREE.map((path) => `hecate-billing/${path}`)]);
  });

  it('fills an existing empty --dir', async () => {
    const target = join(cwd, 'empty');
    await mkdir(target);
    const result = await runCli([...args, '--dir', 'empty'], { cwd });
    expect(result.status).toBe(0);
    expect(await treeOf(target)).toEqual(SCAFFOLDED_TREE);
    expect(await treeOf(cwd)).toEqual(['empty/', ...SCAFFOLDED_TREE.map((path) => `empty/${path}`)]);
  });

  it('fills the empty working directory with --dir . and keeps it, so the shell is still in it', async () => {
    const target = join(cwd, 'here');
    await mkdir(target);
    const before = await stat(target);
    const result = await runCli([...args, '--dir', '.'], { cwd: target });
    expect(result.status).toBe(0);
    expect((await stat(target)).ino).toBe(before.ino);
    expect(await treeOf(cwd)).toEqual(['here/', ...SCAFFOLDED_TREE.map((path) => `here/${path}`)]);
  });

  it('with --force, writes over the files it generates and keeps the others', async () => {
    const target = join(cwd, 'existing');
    await mkdir(join(target, '.git'), { recursive: true });
    await writeFile(join(target, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(join(target, 'package.json'), '{"name":"old"}\n');
    const result = await runCli([...args, '--dir', target, '--force'], { cwd });
    expect(result.status).toBe(0);
    expect(await treeOf(target)).toEqual([...SCAFFOLDED_TREE, '.git/', '.git/HEAD'].sort());
    expect(JSON.parse(await readFile(join(target, 'package.json'), 'utf8'))).toMatchObject({ name: '@acme/hecate-billing' });
    expect(await treeOf(cwd)).toEqual(['existing/', ...[...SCAFFOLDED_TREE, '.git/', '.git/HEAD'].sort().map((path) => `existing/${path}`)]);
  });

  it('reports the directory, the derived names and the files under --json', async () => {
    const result = await runCli([...args, '--registry', 'registry.example.com:5000', '--json'], { cwd });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      directory: join(cwd, 'hecate-billing'),
      names: HECATE_BILLING_NAMES,
      files: SCAFFOLDED_FILES,
    });
  });

  it("uses the plugin's defaults, ghcr.io and hecate-om, when no --registry or --org is given", async () => {
    const result = await runCli(['scaffold', '--name', 'hecate-billing', '--description', 'Bills usage over the mesh'], { cwd });
    expect(result.status).toBe(0);
    const found = await findHouseValues(join(cwd, 'hecate-billing'));
    expect(found).toEqual(
      expect.arrayContaining([
        { file: 'package.json', line: 2, text: '  "name": "@hecate-om/hecate-billing",' },
        { file: 'build.mjs', line: 18, text: "      registry: 'ghcr.io'," },
        { file: 'build.mjs', line: 19, text: "      org: 'hecate-om'," },
      ]),
    );
  });

  it('answers --help with the flags and examples, exit code 0', async () => {
    const result = await runCli(['scaffold', '--help'], { cwd });
    expect(result.status).toBe(0);
    for (const flag of ['--name', '--description', '--dir', '--org', '--registry', '--health-port', '--force', '--json'])
      expect(result.stdout).toContain(flag);
    expect(result.stdout).toContain('$ hecate-om scaffold --name hecate-billing --description "Bills usage over the mesh"');
    expect(await treeOf(cwd)).toEqual([]);
  });
});
