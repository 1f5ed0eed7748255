import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { generateKeyPair, issueUcan, writeKeyFile, type KeyPair } from '@hecate-om/ucan';
import { revoke } from '@hecate-om/realm';
import { describe, expect, it } from 'vitest';
import { httpGet, type ReleaseLogLine, type RunningRelease } from './fixture-release.mjs';
import { eventually, fixturePolicy, identityCheck, instanceDirectories, startTestRealm, useIdentityCleanup } from './identity-support.js';
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
  // A development realm grants credentials of seconds: renewal comes 12 to 18 s after the grant.
  const LIFETIME_MS = 24_000;
  const realmOptions = { dev: true, policy: fixturePolicy(LIFETIME_MS / 1000) };
  const GRANTED = 'the realm granted a credential';
  const renewalFailed = (event: ReleaseLogLine): boolean => /^renewing the credential failed: REALM_UNREACHABLE/.test(event.message ?? '');
  const timeOf = (event: ReleaseLogLine): number => Date.parse(event.time as string);
  /** When the attempt after a failed one is due, as the failure's own line says. */
  const nextAttemptOf = (event: ReleaseLogLine): number => timeOf(event) + (event.retryInMs as number);

  /** An instance granted a credential by a development realm, which is then stopped. */
  async function grantedThenRealmDown(): Promise<{ run: RunningRelease; grant: ReleaseLogLine; expiresAtMs: number; restartRealm: () => Promise<unknown> }> {
    const first = await startTestRealm(realmOptions);
    const dirs = await instanceDirectories();
    const run = start({ HECATE_SECRETS_DIR: dirs.secretsDir, HECATE_STATE_DIR: dirs.stateDir, HECATE_REALM_URL: first.url, HECATE_REALM_DID: first.did });
    const grant = await run.waitFor((event) => event.message === GRANTED, 'the grant');
    await first.close();
    const expiresAtMs = Date.parse(grant.expiresAt as string);
    expect(expiresAtMs - timeOf(grant)).toBeLessThanOrEqual(LIFETIME_MS);
    const restartRealm = () => startTestRealm({ ...realmOptions, port: Number(new URL(first.url).port), dataDir: first.dataDir });
    return { run, grant, expiresAtMs, restartRealm };
  }

  it('renews in the second half of the lifetime; with the realm down it keeps the credential, degraded, until the realm is back', async () => {
    const { run, grant, expiresAtMs, restartRealm } = await grantedThenRealmDown();
    const failed = await run.waitFor(renewalFailed, 'the failed renewal');
    // The credential's nbf is its expiry less its lifetime: the attempt came after half of it.
    expect(timeOf(failed)).toBeGreaterThanOrEqual(expiresAtMs - LIFETIME_MS / 2);
    expect(failed).toMatchObject({ level: 'warn', cid: grant.cid });
    const healthPort = await run.port();
    const check = await identityCheck(healthPort);
    expect([check.health.status, check.health.json?.status, check.status]).toEqual([200, 'degraded', 'degraded']);
    expect(check.output).toMatch(new RegExp(`^renewal failing since .*; the credential ${grant.cid as string} stays in use until ${grant.expiresAt as string}$`));
    expect((await httpGet(healthPort, '/health/ready')).status).toBe(200);

    await restartRealm();
    const renewed = await run.waitFor((event) => event.message === GRANTED && event.cid !== grant.cid, 'the renewal');
    expect(renewed.capabilities).toEqual(ASKED);
    await eventually(async () => (await identityCheck(healthPort)).status === 'ok', 5_000, 'identity ok');
  });

  it('retries before the credential expires however far its backoff grew, so a realm back seconds before the expiry is met in time', async () => {
    const { run, grant, expiresAtMs, restartRealm } = await grantedThenRealmDown();
    // The realm comes back at the worst moment for the instance: just after a failed attempt, the
    // next one as far off as the instance chose. It does so after the first failure whose next
    // attempt is due past the expiry (a schedule that lets the credential lapse), or else after
    // the first made with under 3 s left. A doubling backoff alone (1, 2, 4, 8 s from a renewal
    // 6 to 12 s before the expiry) always meets the first case; capped at half of what is left,
    // the next attempt comes at least 0.75 s before the expiry.
    const trigger = await run.waitFor(
      (event) => renewalFailed(event) && (nextAttemptOf(event) > expiresAtMs || expiresAtMs - timeOf(event) < 3_000),
      'a failed renewal with seconds left',
    );
    await restartRealm();
    expect(
      nextAttemptOf(trigger),
      `the attempt after the one that failed at ${trigger.time as string} is due at ${new Date(nextAttemptOf(trigger)).toISOString()}, past the expiry at ${grant.expiresAt as string}`,
    ).toBeLessThanOrEqual(expiresAtMs);
    const renewed = await run.waitFor((event) => event.message === GRANTED && event.cid !== grant.cid, 'the renewal');
    expect(timeOf(renewed)).toBeLessThan(expiresAtMs);

    const failures = run.lines.filter(renewalFailed);
    expect(failures.length).toBeGreaterThanOrEqual(2);
    // Every retry scheduled while the credential was valid was due before it expired (but for the
    // 500 ms floor of a retry, which only a realm slower to come back than that would reach).
    for (const failure of failures) expect(nextAttemptOf(failure)).toBeLessThanOrEqual(expiresAtMs + 500);
    // The grant is not followed by a storm of claims: one grant, then the retries, then one renewal.
    expect(run.lines.filter((event) => event.message === GRANTED)).toHaveLength(2);
    await eventually(async () => (await identityCheck(await run.port())).status === 'ok', 5_000, 'identity ok');
  });

  it('drops a credential the realm revoked while in use, found with the revocation list at renewal, and claims a new one', async () => {
    const realm = await startTestRealm({ dev: true, policy: fixturePolicy(8) });
    const dirs = await instanceDirectories();
    const run = start({ HECATE_SECRETS_DIR: dirs.secretsDir, HECATE_STATE_DIR: dirs.stateDir, HECATE_REALM_URL: realm.url, HECATE_REALM_DID: realm.did });
    const grant = await run.waitFor((event) => event.message === GRANTED, 'the grant');
    const revoked = await revoke({ dataDir: realm.dataDir, cid: grant.cid as string });
    expect(revoked.ok).toBe(true);
    const dropped = await run.waitFor((event) => event.message === 'the realm revoked the credential in use: claiming a new one', 'the revoked credential dropped');
    expect(dropped).toMatchObject({ level: 'warn', cid: grant.cid });
    const regranted = await run.waitFor((event) => event.message === GRANTED && event.cid !== grant.cid, 'the new credential');
    expect(timeOf(regranted)).toBeGreaterThanOrEqual(timeOf(dropped));
    await eventually(async () => (await identityCheck(await run.port())).status === 'ok', 5_000, 'identity ok');
  });
});
