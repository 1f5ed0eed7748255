import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, issueUcan } from '@hecate-om/ucan';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/cli.js';
import { realmDataDir, startDevRealm } from './support/identity.js';

const JOIN_TOKEN = /^hjt_[A-Za-z0-9_-]{43}$/;

describe('hecate-om realm dev', () => {
  it('serves the development realm, says loudly it is for development, and stops cleanly on SIGTERM and SIGINT keeping its DID', async () => {
    const cwd = await tempDir('realm-dev');
    try {
      const realm = await startDevRealm(['--port', '0', '--data-dir', 'realm-data'], cwd);
      const description = (await (await fetch(`${realm.url}/api/v1/realm`)).json()) as Record<string, unknown>;
      expect(description).toMatchObject({ did: realm.did, name: 'development', dev: true });
      const stopped = await realm.stop('SIGTERM');
      expect([stopped.status, stopped.signal]).toEqual([0, null]);
      expect(stopped.stderr).toContain('DEVELOPMENT REALM: for development only, NEVER for production.');
      expect(stopped.stderr).toContain(
        [
          `Development realm development listening on ${realm.url}`,
          `  DID       ${realm.did}`,
          `  data dir  ${join(cwd, 'realm-data')}`,
          'Point services at it with:',
          `  HECATE_REALM_URL=${realm.url} HECATE_REALM_DID=${realm.did}`,
          'Ctrl-C stops it.',
          'development realm stopped (SIGTERM)',
          '',
        ].join('\n'),
      );
      for (const line of stopped.stdout.trimEnd().split('\n')) expect(JSON.parse(line)).toMatchObject({ realm: 'development' });

      const again = await startDevRealm(['--port', '0', '--data-dir', 'realm-data', '--json'], cwd);
      expect(again.did).toBe(realm.did);
      const json = await again.stop('SIGINT');
      expect([json.status, json.signal]).toEqual([0, null]);
      const lines = json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.at(-1)).toEqual({ url: again.url, did: realm.did, name: 'development', dataDir: join(cwd, 'realm-data'), stoppedBy: 'SIGINT' });
      expect(json.stderr).not.toContain('Point services at it');
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('refuses a policy file with problems, each with its JSON path, exit code 2', async () => {
    const cwd = await tempDir('realm-dev');
    try {
      await writeFile(join(cwd, 'policy.json'), JSON.stringify({ name: 'acme', services: { 'hecate-echo': { maxLifetimeSeconds: 4, enroll: {} } } }));
      const result = await runCli(['realm', 'dev', '--policy', 'policy.json', '--port', '0', '--data-dir', 'realm-data'], { cwd });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^Error: realm dev: the development realm did not start:\n {2}--policy: policy\.json: \$\.services\["hecate-echo"\]\.maxLifetimeSeconds: must be at least 5 seconds\n/);
      expect(result.stderr).toContain('  --policy: policy.json: $.services["hecate-echo"].enroll: no instance could ever enroll');
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('refuses a port already in use, naming --port with a hint, exit code 2', async () => {
    const cwd = await tempDir('realm-dev');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const result = await runCli(['realm', 'dev', '--port', String(port), '--data-dir', 'realm-data'], { cwd });
      expect(result).toMatchObject({
        status: 2,
        stderr: [
          'Error: realm dev: the development realm did not start:',
          `  --port: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
          '    hint: stop what holds the port, or choose another (--port 0 picks a free one)',
          '',
        ].join('\n'),
      });
    } finally {
      holder.close();
      await rm(cwd, { recursive: true, force: true });
    }
  });
});

describe('hecate-om realm join-token', () => {
  it('creates a one-time token, records only its SHA-256, and reports it under --json', async () => {
    const { dir, remove } = await realmDataDir();
    try {
      const before = Math.floor(Date.now() / 1000);
      const result = await runCli(['realm', 'join-token', '--service', 'hecate-echo', '--ttl', '2h', '--data-dir', dir], { cwd: dir });
      expect(result.status).toBe(0);
      const token = result.stdout.trimEnd();
      expect(token).toMatch(JOIN_TOKEN);
      expect(result.stderr).toMatch(/^enrolls one instance of hecate-echo; expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; shown this once\n$/);
      const hash = createHash('sha256').update(token).digest('hex');
      expect(await readdir(join(dir, 'join-tokens'))).toEqual([`${hash}.json`]);
      const record = JSON.parse(await readFile(join(dir, 'join-tokens', `${hash}.json`), 'utf8')) as { service: string; expiresAt: number; createdAt: number };
      expect(record.service).toBe('hecate-echo');
      expect(record.expiresAt - record.createdAt).toBe(7200);
      expect(record.createdAt).toBeGreaterThanOrEqual(before);
      expect(await readFile(join(dir, 'join-tokens', `${hash}.json`), 'utf8')).not.toContain(token);

      const json = await runCli(['realm', 'join-token', '-s', 'hecate-echo', '--data-dir', dir, '--json'], { cwd: dir });
      const report = JSON.parse(json.stdout) as { token: string; service: string; expiresAt: number };
      expect([json.status, json.stderr]).toEqual([0, '']);
      expect(report).toEqual({ token: expect.stringMatching(JOIN_TOKEN), service: 'hecate-echo', expiresAt: expect.any(Number) });
      expect(report.expiresAt - Math.floor(Date.now() / 1000)).toBeGreaterThan(86_400 - 120);
    } finally {
      await remove();
    }
  });

  it('refuses a missing data directory, one with no realm key, and a bad --ttl together, exit code 2, creating nothing', async () => {
    const cwd = await tempDir('realm-join');
    try {
      const missing = await runCli(['realm', 'join-token', '--service', 'hecate-echo', '--ttl', '2w'], { cwd });
      expect(missing).toEqual({
        status: 2,
        stdout: '',
        stderr: [
          'Error: realm join-token: no join token was created:',
          '  --ttl: "2w" is not a duration: give whole seconds (3600) or a number with s, m, h or d (30m, 24h, 7d)',
          `  --data-dir: ${join(cwd, '.hecate-realm')}: no such directory`,
          '    hint: start the realm once with this data directory (hecate-om realm dev --data-dir .hecate-realm), or pass the one it uses',
          '',
        ].join('\n'),
      });
      const keyless = await runCli(['realm', 'join-token', '--service', 'hecate-echo', '--data-dir', '.'], { cwd });
      expect(keyless.status).toBe(2);
      expect(keyless.stderr).toContain(`  --data-dir: ${cwd} holds no realm key (realm.key): it is not a realm's data directory\n`);
      expect(await readdir(cwd)).toEqual([]);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it.each([
    ['a service name that is not one', ['--service', 'Hecate_Echo'], '  --service: service "Hecate_Echo" must be lowercase kebab-case'],
    ['a lifetime over 30 days', ['--service', 'hecate-echo', '--ttl', '31d'], '  --ttl: "31d" is 2678400 s: a join token lives from 1 s to 30 days (2592000 s, 30d)'],
    ['a lifetime of nothing', ['--service', 'hecate-echo', '--ttl', '0m'], '  --ttl: "0m" is 0 s: a join token lives from 1 s to 30 days (2592000 s, 30d)'],
    ['a service the policy does not name', ['--service', 'hecate-other', '--policy', 'policy.json'], '  --service: the policy of realm acme names no service hecate-other'],
  ])('refuses %s, exit code 2', async (_case, flags, message) => {
    const { dir, remove } = await realmDataDir();
    try {
      await writeFile(join(dir, 'policy.json'), JSON.stringify({ name: 'acme', services: { 'hecate-echo': { maxLifetimeSeconds: 3600, enroll: { joinTokens: true } } } }));
      const result = await runCli(['realm', 'join-token', '--data-dir', dir, ...flags], { cwd: dir });
      expect([result.status, result.stdout]).toEqual([2, '']);
      expect(result.stderr).toContain(message);
      expect(await readdir(join(dir))).not.toContain('join-tokens');
    } finally {
      await remove();
    }
  });
});

describe('hecate-om realm revoke', () => {
  it('revokes a CID the running realm then lists, signed by its key; a second revoke keeps the first record', async () => {
    const cwd = await tempDir('realm-revoke');
    try {
      const realm = await startDevRealm(['--port', '0', '--data-dir', 'realm-data'], cwd);
      const { cid } = issueUcan({ issuer: generateKeyPair(), audience: realm.did, capabilities: {}, expiration: null });
      const result = await runCli(['realm', 'revoke', cid, '--data-dir', 'realm-data'], { cwd });
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^revoked ${cid} at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\n$`));
      const listed = (await (await fetch(`${realm.url}/api/v1/revocations`)).json()) as { revocations: { iss: string; revoke: string; revokedAt: number }[] };
      expect(listed.revocations).toEqual([{ iss: realm.did, revoke: cid, challenge: expect.any(String), revokedAt: expect.any(Number) }]);
      const again = await runCli(['realm', 'revoke', cid, '--data-dir', 'realm-data', '--json'], { cwd });
      expect(again.status).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual({ revocation: listed.revocations[0], alreadyRevoked: true });
      expect((await realm.stop('SIGTERM')).status).toBe(0);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('refuses a CID that is not a canonical UCAN CID and a data directory no realm started in, exit code 2', async () => {
    const cwd = await tempDir('realm-revoke');
    try {
      const result = await runCli(['realm', 'revoke', 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi', '--data-dir', 'nowhere'], { cwd });
      expect(result).toEqual({
        status: 2,
        stdout: '',
        stderr: [
          'Error: realm revoke: nothing was revoked:',
          '  CID: bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi does not use the raw codec (0x55)',
          "    hint: token inspect prints a token's CID",
          `  --data-dir: ${join(cwd, 'nowhere')}: no such directory`,
          '    hint: start the realm once with this data directory (hecate-om realm dev --data-dir nowhere), or pass the one it uses',
          '',
        ].join('\n'),
      });
      const json = await runCli(['realm', 'revoke', 'not-a-cid', '--data-dir', 'nowhere', '--json'], { cwd });
      expect(json.status).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({ error: { exitCode: 2, problems: [{ flag: 'CID', message: '"not-a-cid" is not a CID' }, { flag: '--data-dir' }] } });
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
