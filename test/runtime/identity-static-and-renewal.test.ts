import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { generateKeyPair, issueUcan, writeKeyFile, type KeyPair } from '@hecate-om/ucan';
import { createJoinToken } from '@hecate-om/realm';
import { describe, expect, it } from 'vitest';
import { httpGet } from './fixture-release.mjs';
import { eventually, identityCheck, instanceDirectories, startTestRealm, useIdentityCleanup } from './identity-support.js';
import { useRuntimeFixture } from './use-runtime-fixture.js';

const { start } = useRuntimeFixture();
useIdentityCleanup();

const ASKED = { 'hecate://fixture/*': { 'fixture/answer': [{}] } };
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** An instance whose key and credential are mounted in its secrets directory, as an operator provisions them. */
async function staticInstance(credential: (instanceKey: KeyPair) => string): Promise<{ secretsDir: string; stateDir: string; key: KeyPair }> {
  const dirs = await instanceDirectories();
  const key = generateKeyPair();
  const written = await writeKeyFile(join(dirs.secretsDir, 'identity.key'), key);
  if (!written.ok) throw new Error(written.error.message);
  await writeFile(join(dirs.secretsDir, 'credential.jwt'), `${credential(key)}\n`);
  return { ...dirs, key };
}

function credentialFrom(issuer: KeyPair, audience: string, lifetimeSeconds: number): string {
  const now = nowSeconds();
  return issueUcan({ issuer, audience, capabilities: ASKED, notBefore: now - 1, expiration: now + lifetimeSeconds }).token;
}

describe('static mode: a credential mounted in the secrets directory', () => {
  it('is used while valid with the mounted key, then reports down and not ready once it expires', async () => {
    const realm = generateKeyPair();
    const instance = await staticInstance((key) => credentialFrom(realm, key.did, 8));
    const run = start({ HECATE_SECRETS_DIR: instance.secretsDir, HECATE_STATE_DIR: instance.stateDir, HECATE_REALM_DID: realm.did });
    const [key, mounted, port] = await Promise.all([
      run.waitFor((event) => /identity key/.test(event.message ?? ''), 'the key line'),
      run.waitFor((event) => event.message === 'the mounted credential is valid', 'the credential line'),
      run.port(),
    ]);
    expect([key.message, key.did, key.mode, key.file]).toEqual(['loaded the identity key of this instance', instance.key.did, 'static', join(instance.secretsDir, 'identity.key')]);
    await eventually(async () => (await httpGet(port, '/health/ready')).status === 200, 8_000, 'readiness');
    expect((await identityCheck(port)).status).toBe('ok');

    const expiresAt = new Date(Date.parse(mounted.expiresAt as string)).toISOString();
    await eventually(async () => (await identityCheck(port)).status === 'down', 15_000, 'the expiry');
    const check = await identityCheck(port);
    expect([check.health.status, check.output]).toEqual([503, `the credential ${mounted.cid as string} expired at ${expiresAt}`]);
    expect((await httpGet(port, '/health/ready')).status).toBe(503);
  });

  it('refuses at boot a credential granted to another DID', async () => {
    const realm = generateKeyPair();
    const other = generateKeyPair();
    const instance = await staticInstance(() => credentialFrom(realm, other.did, 600));
    const run = start({ HECATE_SECRETS_DIR: instance.secretsDir, HECATE_STATE_DIR: instance.stateDir, HECATE_REALM_DID: realm.did });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.at(-1)?.message).toMatch(
      new RegExp(`^starting the identity part threw Error: ${join(instance.secretsDir, 'credential.jwt')}: CREDENTIAL_WRONG_AUDIENCE: .*aud is ${other.did}, this verifier is ${instance.key.did}`),
    );
  });

  it('refuses at boot a credential from another realm than the pinned one', async () => {
    const pinned = generateKeyPair();
    const otherRealm = generateKeyPair();
    const instance = await staticInstance((key) => credentialFrom(otherRealm, key.did, 600));
    const run = start({ HECATE_SECRETS_DIR: instance.secretsDir, HECATE_STATE_DIR: instance.stateDir, HECATE_REALM_DID: pinned.did });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.at(-1)?.message).toMatch(
      new RegExp(`: CREDENTIAL_WRONG_ISSUER: \\S+ is issued by ${otherRealm.did}, not by the pinned realm ${pinned.did}$`),
    );
  });

  it('refuses to boot in static mode with no credential mounted, naming where it belongs', async () => {
    const dirs = await instanceDirectories();
    const run = start({ HECATE_SECRETS_DIR: dirs.secretsDir, HECATE_STATE_DIR: dirs.stateDir, HECATE_REALM_DID: generateKeyPair().did });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.at(-1)?.message).toBe(
      `starting the identity part threw Error: HECATE_REALM_DID is set without HECATE_REALM_URL (static mode), so the credential must be mounted at ${join(dirs.secretsDir, 'credential.jwt')}, and there is none`,
    );
  });
});

describe('renewal', () => {
  // The realm's shortest lifetime is 60 s, so the renewal comes 30 to 45 s after the grant.
  it('renews in the second half of the lifetime; with the realm down it keeps the credential, degraded, until the realm is back', async () => {
    const first = await startTestRealm();
    const port = Number(new URL(first.url).port);
    const dirs = await instanceDirectories();
    const joinToken = await createJoinToken({ dataDir: first.dataDir, service: 'runtime-fixture' });
    if (!joinToken.ok) throw new Error(joinToken.error.message);
    await writeFile(join(dirs.secretsDir, 'join-token'), joinToken.value.token);
    const run = start({ HECATE_SECRETS_DIR: dirs.secretsDir, HECATE_STATE_DIR: dirs.stateDir, HECATE_REALM_URL: first.url, HECATE_REALM_DID: first.did });
    const grant = await run.waitFor((event) => event.message === 'the realm granted a credential', 'the grant');
    const grantedAt = Date.now();
    await first.close();

    const failed = await run.waitFor((event) => /^renewing the credential failed: REALM_UNREACHABLE/.test(event.message ?? ''), 'the failed renewal');
    const elapsed = Date.now() - grantedAt;
    expect(elapsed).toBeGreaterThan(25_000);
    expect(failed).toMatchObject({ level: 'warn', cid: grant.cid });
    const healthPort = await run.port();
    const check = await identityCheck(healthPort);
    expect([check.health.status, check.health.json?.status, check.status]).toEqual([200, 'degraded', 'degraded']);
    expect(check.output).toMatch(new RegExp(`^renewal failing since .*; the credential ${grant.cid as string} stays in use until ${grant.expiresAt as string}$`));
    expect((await httpGet(healthPort, '/health/ready')).status).toBe(200);

    await startTestRealm({ port, dataDir: first.dataDir });
    const renewed = await run.waitFor((event) => event.message === 'the realm granted a credential' && event.cid !== grant.cid, 'the renewal');
    expect(renewed.capabilities).toEqual(ASKED);
    await eventually(async () => (await identityCheck(healthPort)).status === 'ok', 5_000, 'identity ok');
  }, 90_000);

  it('at the realm floor of 60 s, retries before the credential expires however far the backoff grew, and renews it in time when the realm is back', async () => {
    const first = await startTestRealm();
    const port = Number(new URL(first.url).port);
    const dirs = await instanceDirectories();
    const joinToken = await createJoinToken({ dataDir: first.dataDir, service: 'runtime-fixture' });
    if (!joinToken.ok) throw new Error(joinToken.error.message);
    await writeFile(join(dirs.secretsDir, 'join-token'), joinToken.value.token);
    const run = start({ HECATE_SECRETS_DIR: dirs.secretsDir, HECATE_STATE_DIR: dirs.stateDir, HECATE_REALM_URL: first.url, HECATE_REALM_DID: first.did });
    const grant = await run.waitFor((event) => event.message === 'the realm granted a credential', 'the grant');
    await first.close();
    const expiresAtMs = Date.parse(grant.expiresAt as string);
    expect(expiresAtMs - Date.parse(grant.time as string)).toBeLessThanOrEqual(60_000);

    // Back 3 s before the expiry. The doubling backoff alone (1, 2, 4, 8, 16 s after a renewal at 30
    // to 45 s) leaves gaps of 8 to 16 s there, and mostly tries next after the expiry; capped at half
    // of what is left, the retries come 1.5 s, 0.75 s, ... before it, so one meets the realm in time.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAtMs - 3_000 - Date.now())));
    await startTestRealm({ port, dataDir: first.dataDir });
    const renewed = await run.waitFor((event) => event.message === 'the realm granted a credential' && event.cid !== grant.cid, 'the renewal');
    expect(Date.parse(renewed.time as string)).toBeLessThan(expiresAtMs);

    const failures = run.lines.filter((event) => /^renewing the credential failed: REALM_UNREACHABLE/.test(event.message ?? ''));
    expect(failures.length).toBeGreaterThanOrEqual(3);
    // Each retry scheduled while the credential was valid was due before it expired (the 500 ms floor aside).
    for (const failure of failures) expect(Date.parse(failure.time as string) + (failure.retryInMs as number)).toBeLessThanOrEqual(expiresAtMs + 500);
    // The grant is not followed by a storm of claims: one grant, then the retries, then one renewal.
    expect(run.lines.filter((event) => event.message === 'the realm granted a credential')).toHaveLength(2);
    expect((await identityCheck(await run.port())).status).toBe('ok');
  }, 90_000);
});
