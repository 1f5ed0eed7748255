import { execFileSync } from 'node:child_process';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deriveUcanRequest, type Manifest } from '@hecate-om/contract';
import { describe, expect, it } from 'vitest';
import { cliBin, fixturesDir, runCli, tempDir } from './support/cli.js';

const manifests = join(fixturesDir, 'manifests');
const validate = (file: string, ...flags: string[]) => runCli(['validate', file, ...flags], { cwd: manifests });

describe('hecate-om validate', () => {
  it('accepts a valid manifest, exit code 0', async () => {
    expect(await validate('valid.json')).toEqual({ status: 0, stdout: 'valid.json: valid manifest of hecate-billing 1.2.0\n', stderr: '' });
  });

  it('colours its verdict on a terminal, and only there', () => {
    // A user's interactive shell: no CI marker (colour libraries turn colour off under CI) and a
    // colour terminal type, whatever the environment the tests themselves run in.
    const { FORCE_COLOR: _force, NO_COLOR: _no, CI: _ci, ...inherited } = process.env;
    const env = { ...inherited, TERM: 'xterm-256color' };
    // script(1) runs the command on a pseudo-terminal, as a user's shell would.
    const onTerminal = execFileSync('script', ['-qec', `node ${cliBin} validate valid.json`, '/dev/null'], { cwd: manifests, env, encoding: 'utf8' });
    expect(onTerminal).toBe('valid.json: \u001b[32mvalid\u001b[39m manifest of hecate-billing 1.2.0\r\n');
  });

  it('reports the manifest under --json', async () => {
    const result = await validate('valid.json', '--json');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      file: join(manifests, 'valid.json'),
      manifest: JSON.parse(await readFile(join(manifests, 'valid.json'), 'utf8')),
    });
  });

  it('reports every JSON syntax error with its line and column, exit code 1', async () => {
    expect(await validate('syntax-errors.json')).toEqual({
      status: 1,
      stdout: [
        'syntax-errors.json:4:22: property name expected, found ","',
        'syntax-errors.json:23:3: property name expected, found "}"',
        'syntax-errors.json is not valid JSON (2 syntax errors)',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('reports every schema problem with its JSON path, exit code 1', async () => {
    expect(await validate('schema-problems.json')).toEqual({
      status: 1,
      stdout: [
        'schema-problems.json: $.name: must be lowercase kebab-case (a-z, 0-9, single hyphens, starting with a letter): it names a file, a container and a systemd unit',
        'schema-problems.json: $.license: Invalid input: expected string, received undefined',
        'schema-problems.json: $.capabilities[1].name: must be dotted lowercase such as my_service.do_thing (at least two segments of a-z, 0-9, _ and -, each starting with a letter)',
        'schema-problems.json: $.capabilities[1].version: must be a positive integer',
        'schema-problems.json: $.health.port: Too big: expected number to be <=65535',
        'schema-problems.json: $: Unrecognized key: "extra"',
        'schema-problems.json is not a valid manifest (6 problems)',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('reports the problems under --json, exit code 1', async () => {
    const syntax = await validate('syntax-errors.json', '--json');
    expect(syntax.status).toBe(1);
    expect(JSON.parse(syntax.stdout)).toEqual({
      ok: false,
      file: join(manifests, 'syntax-errors.json'),
      syntaxErrors: [
        { line: 4, column: 22, message: 'property name expected, found ","' },
        { line: 23, column: 3, message: 'property name expected, found "}"' },
      ],
      notShown: 0,
    });
    const schema = await validate('schema-problems.json', '--json');
    expect(schema.status).toBe(1);
    expect((JSON.parse(schema.stdout) as { problems: { path: string }[] }).problems.map((problem) => problem.path)).toEqual([
      '$.name',
      '$.license',
      '$.capabilities[1].name',
      '$.capabilities[1].version',
      '$.health.port',
      '$',
    ]);
  });

  it('detects a manifest edited after it was derived by its contract hash', async () => {
    const result = await validate('edited-after-derivation.json');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /^edited-after-derivation\.json: \$\.contractHash: is sha256:[0-9a-f]{64} but the manifest's contract hashes to sha256:[0-9a-f]{64}: the manifest was edited after it was derived\n/,
    );
  });

  it('reports an empty file and a truncated one as syntax errors at their end', async () => {
    const dir = await tempDir('validate');
    try {
      await writeFile(join(dir, 'empty.json'), '');
      await writeFile(join(dir, 'truncated.json'), '{\n  "name": "hecate-billing"');
      const empty = await runCli(['validate', 'empty.json'], { cwd: dir });
      expect([empty.status, empty.stdout.split('\n')[0]]).toEqual([1, 'empty.json:1:1: value expected, found the end of the file']);
      const truncated = await runCli(['validate', 'truncated.json'], { cwd: dir });
      expect([truncated.status, truncated.stdout.split('\n')[0]]).toEqual([1, 'truncated.json:2:27: close brace expected, found the end of the file']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports the first 100 errors of a large file and counts the rest, without slowing down with its size', async () => {
    const dir = await tempDir('validate');
    try {
      const lines = 100_000;
      await writeFile(join(dir, 'large.json'), `[${Array.from({ length: lines }, () => '1 1').join('\n')}]`);
      const result = await runCli(['validate', 'large.json'], { cwd: dir });
      const output = result.stdout.split('\n');
      expect([result.status, output.length]).toEqual([1, 100 + 3]);
      expect(output.slice(0, 2)).toEqual(['large.json:1:4: comma expected, found "1"', 'large.json:2:1: comma expected, found "1"']);
      expect(output.slice(-4)).toEqual([
        'large.json:51:1: comma expected, found "1"',
        `large.json: ${2 * lines - 1 - 100} more syntax errors not shown`,
        `large.json is not valid JSON (${2 * lines - 1} syntax errors)`,
        '',
      ]);
      const json = JSON.parse((await runCli(['validate', 'large.json', '--json'], { cwd: dir })).stdout) as { syntaxErrors: unknown[]; notShown: number };
      expect([json.syntaxErrors.length, json.notShown]).toEqual([100, 2 * lines - 1 - 100]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it('reports the first 100 schema problems and counts the rest', async () => {
    const dir = await tempDir('validate');
    try {
      const manifest = JSON.parse(await readFile(join(manifests, 'valid.json'), 'utf8')) as Record<string, unknown>;
      manifest.capabilities = Array.from({ length: 150 }, () => ({ name: 'Bad', version: 1 }));
      await writeFile(join(dir, 'many.json'), JSON.stringify(manifest));
      const output = (await runCli(['validate', 'many.json'], { cwd: dir })).stdout.split('\n');
      expect(output.length).toBe(100 + 3);
      expect(output.slice(-4)).toEqual([
        'many.json: $.capabilities[99].name: must be dotted lowercase such as my_service.do_thing (at least two segments of a-z, 0-9, _ and -, each starting with a letter)',
        'many.json: 199 more problems not shown',
        'many.json is not a valid manifest (299 problems)',
        '',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a file of five million commas in bounded output and memory', async () => {
    const dir = await tempDir('validate');
    try {
      await writeFile(join(dir, 'commas.json'), `[${','.repeat(5 * 1024 * 1024)}]`);
      const result = await runCli(['validate', 'commas.json'], { cwd: dir });
      const output = result.stdout.split('\n');
      expect([result.status, output.length, output[0]]).toEqual([1, 100 + 3, 'commas.json:1:2: value expected, found ","']);
      expect(output.at(-2)).toMatch(/^commas\.json is not valid JSON \(\d{7} syntax errors\)$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('refuses a FIFO without waiting for a writer, exit code 2', async () => {
    const dir = await tempDir('validate');
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.json')]);
      const result = await runCli(['validate', 'pipe.json'], { cwd: dir });
      expect(result).toEqual({
        status: 2,
        stdout: '',
        stderr: `Error: validate: cannot read the manifest:\n  MANIFEST: ${join(dir, 'pipe.json')} is a FIFO, not a regular file\n`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file over 16 MiB without reading it, exit code 2', async () => {
    const dir = await tempDir('validate');
    try {
      const path = join(dir, 'huge.json');
      // A sparse file: its size is what stat reports, with nothing written to disk.
      await writeFile(path, '');
      await truncate(path, 16 * 1024 * 1024 + 1);
      const result = await runCli(['validate', 'huge.json'], { cwd: dir });
      expect(result).toEqual({
        status: 2,
        stdout: '',
        stderr: `Error: validate: cannot read the manifest:\n  MANIFEST: ${path} is 16777217 bytes, more than the 16777216 bytes read at most\n`,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a directory as not a regular file, exit code 2', async () => {
    const result = await validate('.');
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: `Error: validate: cannot read the manifest:\n  MANIFEST: ${manifests} is a directory, not a regular file\n`,
    });
  });

  it('refuses a file it cannot read as a usage error, exit code 2', async () => {
    const result = await validate('missing.json');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `Error: validate: cannot read the manifest:\n  MANIFEST: ${join(manifests, 'missing.json')}: ENOENT: no such file or directory, stat '${join(manifests, 'missing.json')}'\n`,
    );
  });
});

describe('hecate-om validate on a ucan-request.json', () => {
  const manifestText = readFile(join(manifests, 'valid.json'), 'utf8');

  /** A build's output folder: the manifest, and the request it derives to with `edit` applied. */
  async function outputs(edit: (request: Record<string, unknown>) => Record<string, unknown>, withManifest = true): Promise<string> {
    const dir = await tempDir('validate-request');
    const manifest = JSON.parse(await manifestText) as Manifest;
    if (withManifest) await writeFile(join(dir, 'manifest.json'), await manifestText);
    await writeFile(join(dir, 'ucan-request.json'), `${JSON.stringify(edit(deriveUcanRequest(manifest) as unknown as Record<string, unknown>), null, 2)}\n`);
    return dir;
  }

  it('accepts the request the manifest beside it derives to, exit code 0', async () => {
    const dir = await outputs((request) => request);
    try {
      expect(await runCli(['validate', 'ucan-request.json'], { cwd: dir })).toEqual({
        status: 0,
        stdout: 'ucan-request.json: valid UCAN request of hecate-billing 1.2.0, as manifest.json derives it\n',
        stderr: '',
      });
      const json = await runCli(['validate', 'ucan-request.json', '--json'], { cwd: dir });
      expect(JSON.parse(json.stdout)).toEqual({
        ok: true,
        file: join(dir, 'ucan-request.json'),
        ucanRequest: deriveUcanRequest(JSON.parse(await manifestText) as Manifest),
        derivedFrom: join(dir, 'manifest.json'),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports every schema problem with its JSON path, exit code 1', async () => {
    const dir = await outputs((request) => ({ ...request, ucv: '0.9.1', lifetimeSeconds: -5, service: { name: 'Billing', version: '1.2.0' } }), false);
    try {
      expect(await runCli(['validate', 'ucan-request.json'], { cwd: dir })).toEqual({
        status: 1,
        stdout: [
          'ucan-request.json: $.ucv: Invalid input: expected "0.10.0"',
          'ucan-request.json: $.service.name: must be lowercase kebab-case (a-z, 0-9, single hyphens, starting with a letter): it names a file, a container and a systemd unit',
          'ucan-request.json: $.lifetimeSeconds: Too small: expected number to be >0',
          'ucan-request.json is not a valid UCAN request (3 problems)',
          '',
        ].join('\n'),
        stderr: '',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names where a request differs from what the manifest beside it derives to, exit code 1', async () => {
    const dir = await outputs((request) => ({ ...request, cap: { ...(request['cap'] as object), 'hecate://billing-admin/*': { 'billing/refund': [{}] } } }));
    try {
      const result = await runCli(['validate', 'ucan-request.json', '--json'], { cwd: dir });
      expect(result.status).toBe(1);
      expect(JSON.parse(result.stdout)).toEqual({
        ok: false,
        file: join(dir, 'ucan-request.json'),
        problems: [
          {
            path: '$.cap["hecate://billing-admin/*"]',
            message: 'is {"billing/refund":[{}]} but the manifest derives absent: the request was edited, or is from another build',
          },
        ],
        notShown: 0,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
