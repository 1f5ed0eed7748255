import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createJoinToken, revoke } from '@hecate-om/realm';
import { generateKeyPair, writeKeyFile } from '@hecate-om/ucan';
import { describe, expect, it } from 'vitest';
import type { RunningRelease } from './fixture-release.mjs';
import { httpGet } from './fixture-release.mjs';
import { eventually, identityCheck, instanceDirectories, payloadOf, startTestRealm, useIdentityCleanup, type TestRealm } from './identity-support.js';
import { useRuntimeFixture } from './use-runtime-fixture.js';

// What a new user found in the identity flow (issue 11, findings F4 to F14), each end to end.
const { start } = useRuntimeFixture();
useIdentityCleanup();

const GRANTED = 'the realm granted a credential';
const RESUMED = 'using the credential granted before this start';

interface Instance {
  readonly secretsDir: string;
  readonly stateDir: string;
}

async function joinTokenFor(realm: TestRealm, secretsDir: string): Promise<void> {
  const joinToken = await createJoinToken({ dataDir: realm.dataDir, service: 'runtime-fixture' });
  if (!joinToken.ok) throw new Error(joinToken.error.message);
  await writeFile(join(secretsDir, 'join-token'), `${joinToken.value.token}\n`, { mode: 0o600 });
}

function startInstance(instance: Instance, realm: { url: string; did: string }, env: Record<string, string> = {}): RunningRelease {
  return start({ HECATE_SECRETS_DIR: instance.secretsDir, HECATE_STATE_DIR: instance.stateDir, HECATE_REALM_URL: realm.url, HECATE_REALM_DID: realm.did, ...env });
}

const byMessage = (run: RunningRelease, message: string) => run.waitFor((event) => event.message === message, message);

describe('F4: a key mounted in the secrets directory', () => {
  it('keeps the granted credential under <state>/identity/ (0700, made on this path too), and resumes it with the realm away', async () => {
    const realm = await startTestRealm();
    const instance = await instanceDirectories();
    const keyPair = generateKeyPair();
    const written = await writeKeyFile(join(instance.secretsDir, 'identity.key'), keyPair);
    expect(written.ok).toBe(true);
    await joinTokenFor(realm, instance.secretsDir);

    const first = startInstance(instance, realm);
    const grant = await byMessage(first, GRANTED);
    const credentialFile = join(instance.stateDir, 'identity/credential.jwt');
    expect((await stat(join(instance.stateDir, 'identity'))).mode & 0o777).toBe(0o700);
    expect((await stat(credentialFile)).mode & 0o777).toBe(0o600);
    expect(first.lines.filter((event) => event.level === 'error')).toEqual([]);
    first.kill('SIGTERM');
    await first.exited;
    await realm.close();

    const second = startInstance(instance, realm);
    const resumed = await byMessage(second, RESUMED);
    expect([resumed.cid, (await readFile(credentialFile, 'utf8')).trim().length > 0]).toEqual([grant.cid, true]);
  });
});

describe('F5: a revocation reaches a running instance', () => {
  it('drops a credential revoked while it runs within the refresh interval, says so, claims again, and keeps the list for a restart while the realm is away', async () => {
    const realm = await startTestRealm();
    const instance = await instanceDirectories();
    await joinTokenFor(realm, instance.secretsDir);
    const refresh = { HECATE_REVOCATION_REFRESH_MS: '300' };
    const first = startInstance(instance, realm, refresh);
    const grant = await byMessage(first, GRANTED);
    const credentialFile = join(instance.stateDir, 'identity/credential.jwt');
    const revokedToken = await readFile(credentialFile, 'utf8');
    const port = await first.port();
    await byMessage(first, 'ready');

    const revokedAt = Date.now();
    expect((await revoke({ dataDir: realm.dataDir, cid: grant.cid as string })).ok).toBe(true);
    const dropped = await byMessage(first, 'the realm revoked the credential in use: claiming a new one');
    // 300 ms +25 % jitter, and a fetch: well inside 5 s even on a busy machine; the renewal would have come 30 s on.
    expect([dropped.level, dropped.cid, dropped.code, Date.now() - revokedAt < 5_000]).toEqual(['warn', grant.cid, 'CREDENTIAL_REVOKED', true]);
    const regranted = await first.waitFor((event) => event.message === GRANTED && event.cid !== grant.cid, 'the new grant');
    await eventually(async () => (await identityCheck(port)).status === 'ok', 10_000, 'identity ok with the new credential');
    expect((await httpGet(port, '/health/ready')).status).toBe(200);

    const kept = join(instance.stateDir, 'identity/revocations.json');
    expect((await stat(kept)).mode & 0o777).toBe(0o600);
    expect(await readFile(kept, 'utf8')).toContain(grant.cid as string);
    first.kill('SIGKILL');
    await first.exited;
    await realm.close();

    // The revoked credential put back, the realm away: only the kept list can tell the restart it is revoked.
    await writeFile(credentialFile, revokedToken);
    const second = startInstance(instance, realm, refresh);
    const notUsed = await second.waitFor((event) => event.code === 'CREDENTIAL_REVOKED', 'the kept revocation');
    expect(notUsed).toMatchObject({ level: 'warn', file: credentialFile });
    expect(second.lines.some((event) => event.message === RESUMED)).toBe(false);
    expect(regranted.cid).not.toBe(grant.cid);

    // A realm that stays away is said once per cause, not at every refresh.
    await second.waitFor((event) => /^cannot refresh the revocation list: REALM_UNREACHABLE/.test(event.message ?? ''), 'the failed refresh');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(second.lines.filter((event) => /^cannot refresh the revocation list/.test(event.message ?? ''))).toHaveLength(1);
  });

  it('starts without the kept list when it is not the realm\'s, naming the file', async () => {
    const realm = await startTestRealm();
    const instance = await instanceDirectories();
    await joinTokenFor(realm, instance.secretsDir);
    const first = startInstance(instance, realm);
    await byMessage(first, GRANTED);
    first.kill('SIGKILL');
    await first.exited;
    const kept = join(instance.stateDir, 'identity/revocations.json');
    await writeFile(kept, '{"revocations": 12}\n', { mode: 0o600 });
    await realm.close();

    const second = startInstance(instance, realm);
    const warned = await second.waitFor((event) => event.file === kept, 'the refused list');
    expect(warned).toMatchObject({ level: 'warn', message: `${kept} is neither a list of revocations nor an object with one under "revocations": starting with no revocations until the realm answers` });
    await byMessage(second, RESUMED);
  });
});

describe('F12: an enrolled instance whose policy grants nothing it asks for', () => {
  it('gets a credential naming it, granting nothing, with what was refused, and is ready', async () => {
    const realm = await startTestRealm({
      policy: { name: 'provider-realm', services: { 'runtime-fixture': { maxLifetimeSeconds: 60, enroll: { joinTokens: true } } } },
    });
    const instance = await instanceDirectories();
    await joinTokenFor(realm, instance.secretsDir);
    const run = startInstance(instance, realm);
    const [key, grant, port] = await Promise.all([
      run.waitFor((event) => /identity key of this instance/.test(event.message ?? ''), 'the key line'),
      byMessage(run, GRANTED),
      run.port(),
    ]);
    expect(grant).toMatchObject({
      capabilities: {},
      refused: [
        { resource: 'hecate://fixture/*', ability: 'fixture/answer', caveat: {}, reason: 'not-allowed' },
        { resource: 'hecate://mesh/*', ability: 'mesh/call', caveat: {}, reason: 'not-allowed' },
      ],
    });
    const payload = payloadOf(await readFile(join(instance.stateDir, 'identity/credential.jwt'), 'utf8'));
    expect([payload.iss, payload.aud, payload.cap, (payload.fct as { service?: string }).service]).toEqual([realm.did, key.did, {}, 'runtime-fixture']);
    await byMessage(run, 'ready');
    await eventually(async () => (await httpGet(port, '/health/ready')).status === 200, 10_000, 'readiness');
    expect((await identityCheck(port)).status).toBe('ok');
  });
});

describe('F9: a HECATE_REALM_DID that is not the DID of the realm at HECATE_REALM_URL', () => {
  it('is refused as WRONG_AUDIENCE, naming both DIDs and the setting', async () => {
    const realm = await startTestRealm();
    const elsewhere = generateKeyPair().did;
    const instance = await instanceDirectories();
    await joinTokenFor(realm, instance.secretsDir);
    const run = startInstance(instance, { url: realm.url, did: elsewhere });
    const refused = await run.waitFor((event) => event.code === 'WRONG_AUDIENCE', 'the refusal');
    expect(refused.message).toContain(`is addressed to ${elsewhere}, but this realm is ${realm.did}`);
    expect(refused.message).toContain(`HECATE_REALM_DID (${elsewhere}) is not the DID of the realm at HECATE_REALM_URL (${realm.url})`);
    expect((await identityCheck(await run.port())).status).toBe('down');
  });
});

describe('F10: a join-token file that is not a join token', () => {
  it('stops the boot naming the file, before anything is sent to the realm', async () => {
    const realm = await startTestRealm();
    const instance = await instanceDirectories();
    const file = join(instance.secretsDir, 'join-token');
    await writeFile(file, 'hjt_nonsense\n', { mode: 0o600 });
    const run = startInstance(instance, realm);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.at(-1)).toMatchObject({
      level: 'fatal',
      message: `starting the identity part threw Error: ${file}: is not a join token (hjt_ and 43 base64url characters, as hecate-om realm join-token prints it)`,
    });
    expect(run.lines.some((event) => /claiming a credential failed/.test(event.message ?? ''))).toBe(false);
  });
});
