import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { deriveManifest, deriveUcanRequest, type Manifest } from '@hecate-om/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, tempDir } from './support/cli.js';

const example = join(repoRoot, 'examples', 'hecate-echo');
/** The build tests' fixture: inspect reports what a build of it fails with. */
const sharedFixtures = join(repoRoot, 'test', 'fixtures');
const brokenContract = join(sharedFixtures, 'broken-contract');
const runtimeVersion = '0.1.0';

function echoManifest(imageRepository: string): Manifest {
  return deriveManifest(
    {
      info: { name: 'hecate-echo', version: '0.1.0', description: 'Echoes over the mesh' },
      capabilities: [{ name: 'echo.say', version: 1 }],
      identitySpec: { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 },
    },
    { imageRepository, license: 'Apache-2.0', runtimeVersion },
  );
}

describe('hecate-om inspect', () => {
  it('prints the manifest and UCAN request of the example without building it', async () => {
    const result = await runCli(['inspect', example], { cwd: repoRoot });
    const manifest = echoManifest('ghcr.io/hecate-om');
    expect(result).toEqual({
      status: 0,
      stdout: [
        'hecate-echo 0.1.0: Echoes over the mesh',
        '',
        'manifest.json',
        JSON.stringify(manifest, null, 2),
        '',
        'ucan-request.json',
        JSON.stringify(deriveUcanRequest(manifest), null, 2),
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('takes --org, --registry and --health-port like the plugin, and reports JSON under --json', async () => {
    const result = await runCli(['inspect', '--org', 'acme', '--registry', 'registry.example.com', '--health-port', '9100', '--json'], { cwd: example });
    expect(result.status).toBe(0);
    const manifest = deriveManifest(
      {
        info: { name: 'hecate-echo', version: '0.1.0', description: 'Echoes over the mesh' },
        capabilities: [{ name: 'echo.say', version: 1 }],
        identitySpec: { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 },
      },
      { imageRepository: 'registry.example.com/acme', license: 'Apache-2.0', runtimeVersion, healthPort: 9100 },
    );
    expect(JSON.parse(result.stdout)).toEqual({ ok: true, manifest, ucanRequest: deriveUcanRequest(manifest) });
  });

  it('prints every diagnostic as file:line:column: message, relative to the working directory, its hint below, and exits 1', async () => {
    const result = await runCli(['inspect', 'broken-contract'], { cwd: sharedFixtures });
    expect(result).toEqual({
      status: 1,
      stdout: [
        'broken-contract/src/service.ts:3:22: BrokenService does not implement health()',
        '  hint: a hecate service implements start(), stop(), health(), capabilities(), identitySpec() and info()',
        'broken-contract/src/service.ts:7:21: capabilities()[0].name must be dotted lowercase such as my_service.do_thing (at least two segments of a-z, 0-9, _ and -, each starting with a letter)',
        'broken-contract/src/service.ts:10:83: identitySpec().ttlDays is the call Number(process.env.TTL_DAYS) (src/service.ts:10:83)',
        '  hint: the manifest is derived at build time, so it must be a literal, a top-level const, an enum member or a template of those',
        `broken-contract/src/service.ts:13:48: info().version is "9.9.9" but package.json's version is "1.0.0" (package.json:3:14)`,
        "  hint: both name the same release, so return pkg.version (import pkg from '../package.json' with { type: 'json' }) or make them equal",
        `4 problems in the contract of ${brokenContract}`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('reports the diagnostics with their codes, hints and absolute files under --json, exit code 1', async () => {
    const result = await runCli(['inspect', '--json'], { cwd: brokenContract });
    expect(result.status).toBe(1);
    const file = join(brokenContract, 'src', 'service.ts');
    const { ok, diagnostics } = JSON.parse(result.stdout) as { ok: boolean; diagnostics: { code: string; hint?: string; file: string; line: number; column: number }[] };
    expect(ok).toBe(false);
    expect(diagnostics.map(({ code, hint, file, line, column }) => ({ code, hint, file, line, column }))).toEqual([
      { code: 'missing-member', hint: 'a hecate service implements start(), stop(), health(), capabilities(), identitySpec() and info()', file, line: 3, column: 21 },
      { code: 'rule-violation', hint: undefined, file, line: 7, column: 20 },
      {
        code: 'not-static',
        hint: 'the manifest is derived at build time, so it must be a literal, a top-level const, an enum member or a template of those',
        file,
        line: 10,
        column: 82,
      },
      { code: 'version-mismatch', hint: "both name the same release, so return pkg.version (import pkg from '../package.json' with { type: 'json' }) or make them equal", file, line: 13, column: 47 },
    ]);
    expect(diagnostics.map(({ code, ...rest }) => [code, 'hint' in rest])).toEqual([
      ['missing-member', true],
      ['rule-violation', false],
      ['not-static', true],
      ['version-mismatch', true],
    ]);
  });

  it('analyses the module named by --service', async () => {
    const result = await runCli(['inspect', '--service', 'src/missing.ts'], { cwd: example });
    expect(result).toEqual({
      status: 1,
      stdout: [
        'src/missing.ts:1:1: the service module src/missing.ts does not exist',
        `  hint: create it, or point the plugin's "service" option at the module that default-exports the contract class`,
        `1 problem in the contract of ${example}`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('refuses a directory without package.json as a usage error naming DIR, exit code 2 like a missing manifest', async () => {
    const dir = await tempDir('inspect');
    try {
      const result = await runCli(['inspect', dir], { cwd: repoRoot });
      expect(result).toEqual({
        status: 2,
        stdout: '',
        stderr: `Error: inspect: not a service project:\n  DIR: ${dir} holds no package.json\n    hint: pass the directory of the service project, which holds its package.json\n`,
      });
      const json = await runCli(['inspect', dir, '--json'], { cwd: repoRoot });
      expect(json.status).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({
        error: {
          exitCode: 2,
          problems: [{ flag: 'DIR', message: `${dir} holds no package.json`, hint: 'pass the directory of the service project, which holds its package.json' }],
        },
      });
      const missing = await runCli(['inspect', join(dir, 'missing')], { cwd: repoRoot });
      expect([missing.status, missing.stderr.split('\n')[1]]).toEqual([2, `  DIR: ${join(dir, 'missing')} does not exist`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('on a freshly scaffolded service', () => {
    let cwd: string;
    beforeAll(async () => {
      cwd = await tempDir('inspect-scaffold');
      const scaffold = await runCli(
        ['scaffold', '--name', 'hecate-billing', '--description', 'Bills "usage" over the mesh', '--org', 'acme', '--registry', 'registry.example.com'],
        { cwd },
      );
      expect(scaffold.status).toBe(0);
      // Our packages as the e2e package has them installed; the full install is scaffold.test.ts's.
      await mkdir(join(cwd, 'hecate-billing', 'node_modules'));
      await symlink(join(repoRoot, 'test', 'node_modules', '@hecate-om'), join(cwd, 'hecate-billing', 'node_modules', '@hecate-om'), 'dir');
    });
    afterAll(() => rm(cwd, { recursive: true, force: true }));

    it('derives the empty manifest: no capability, no authority, names by rule', async () => {
      const result = await runCli(['inspect', 'hecate-billing', '--org', 'acme', '--registry', 'registry.example.com', '--json'], { cwd });
      expect(result.status).toBe(0);
      const manifest = deriveManifest(
        {
          info: { name: 'hecate-billing', version: '0.1.0', description: 'Bills "usage" over the mesh' },
          capabilities: [],
          identitySpec: { scope: 'hecate-billing', actions: [], resources: [], ttlDays: 30 },
        },
        { imageRepository: 'registry.example.com/acme', license: 'Apache-2.0', runtimeVersion },
      );
      expect(JSON.parse(result.stdout)).toEqual({ ok: true, manifest, ucanRequest: deriveUcanRequest(manifest) });
      expect(deriveUcanRequest(manifest).cap).toEqual({});
    });
  });
});
