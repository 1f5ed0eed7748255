import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keyPairFromPem, readKeyFile } from '@hecate-om/ucan';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/cli.js';

const DID = /^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/;

describe('hecate-om keygen', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('keygen');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes a PKCS#8 PEM Ed25519 key, mode 0600, and prints its DID, exit code 0', async () => {
    const result = await runCli(['keygen', '--out', 'service.key'], { cwd: dir });
    expect([result.status, result.stderr]).toEqual([0, '']);
    const did = result.stdout.trimEnd();
    expect(did).toMatch(DID);
    expect((await stat(join(dir, 'service.key'))).mode & 0o777).toBe(0o600);
    const read = await readKeyFile(join(dir, 'service.key'));
    expect(read.ok && read.keyPair.did).toBe(did);
    expect(await readFile(join(dir, 'service.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=]{64}\n-----END PRIVATE KEY-----\n$/);
  });

  it('reports the DID and the absolute file under --json', async () => {
    const result = await runCli(['keygen', '-o', 'service.key', '--json'], { cwd: dir });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { did: string; file: string };
    expect(report).toEqual({ did: expect.stringMatching(DID), file: join(dir, 'service.key') });
    const read = await readKeyFile(report.file);
    expect(read.ok && read.keyPair.did).toBe(report.did);
  });

  it('prints the PEM on stdout and the DID on stderr without --out, so `keygen > file` writes a clean key', async () => {
    const result = await runCli(['keygen'], { cwd: dir });
    expect(result.status).toBe(0);
    const pair = keyPairFromPem(result.stdout, 'stdout');
    expect(pair.ok && `${pair.keyPair.did}\n`).toBe(result.stderr);
    const json = await runCli(['keygen', '--json'], { cwd: dir });
    const report = JSON.parse(json.stdout) as { did: string; privateKeyPem: string };
    const fromJson = keyPairFromPem(report.privateKeyPem, 'json');
    expect([json.status, json.stderr, fromJson.ok && fromJson.keyPair.did]).toEqual([0, '', report.did]);
  });

  it('refuses to overwrite an existing file, exit code 2, and leaves it as it was', async () => {
    await writeFile(join(dir, 'service.key'), 'precious');
    const result = await runCli(['keygen', '--out', 'service.key'], { cwd: dir });
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: [
        'Error: keygen: no key was written:',
        `  --out: ${join(dir, 'service.key')}: a key file is already there; it is never overwritten`,
        '    hint: choose another file, or move that key away first if it is truly unused',
        '',
      ].join('\n'),
    });
    expect(await readFile(join(dir, 'service.key'), 'utf8')).toBe('precious');
  });

  it('refuses a file in a missing directory, exit code 2, and under --json too', async () => {
    const file = join(dir, 'missing', 'service.key');
    const result = await runCli(['keygen', '--out', file], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^Error: keygen: no key was written:\n {2}--out: ${file}: ENOENT: no such file or directory, open '${join(dir, 'missing')}/\\.service\\.key\\.[0-9a-f]{12}\\.tmp'\n$`));
    const json = await runCli(['keygen', '--out', file, '--json'], { cwd: dir });
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { exitCode: 2, problems: [{ flag: '--out', message: expect.stringContaining(`${file}: ENOENT`) }] } });
  });

  it('refuses an unknown flag, exit code 2', async () => {
    const result = await runCli(['keygen', '--output', 'x.key'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Nonexistent flag: --output');
  });
});
