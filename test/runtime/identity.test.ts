import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createJoinToken, revoke } from '@hecate-om/realm';
import { describe, expect, it } from 'vitest';
import { httpGet, type RunningRelease } from './fixture-release.mjs';
import {
  eventually,
  identityCheck,
  instanceDirectories,
  payloadOf,
  startTestRealm,
  useIdentityCleanup,
  type TestRealm,
} from './identity-support.js';
import { freePort } from '../cli/support/release.js';
import { useRuntimeFixture } from './use-runtime-fixture.js';

const { start } = useRuntimeFixture();
useIdentityCleanup();

const GRANTED = 'the realm granted a credential';
const ASKED = { 'hecate://fixture/*': { 'fixture/answer': [{}] } };

interface Instance {
  readonly secretsDir: string;
  readonly stateDir: string;
}

async function enrolledInstance(realm: TestRealm): Promise<Instance> {
  const dirs = await instanceDirectories();
  const joinToken = await createJoinToken({ dataDir: realm.dataDir, service: 'runtime-fixture' });
  if (!joinToken.ok) throw new Error(joinToken.error.message);
  await writeFile(join(dirs.secretsDir, 'join-token'), `${joinToken.value.token}\n`, { mode: 0o600 });
  return dirs;
}

function startInstance(instance: Instance, realm: { url: string; did: string }, env: Record<string, string> = {}): RunningRelease {
  return start({
    HECATE_SECRETS_DIR: instance.secretsDir,
    HECATE_STATE_DIR: instance.stateDir,
    HECATE_REALM_URL: realm.url,
    HECATE_REALM_DID: realm.did,
    ...env,
  });
}

const granted = (run: RunningRelease) => run.waitFor((event) => event.message === GRANTED, 'the grant');
const keyLine = (run: RunningRelease) => run.waitFor((event) => /identity key of this instance/.test(event.message ?? ''), 'the key line');

describe('the identity part, claiming from a realm', () => {
  it('claims a credential with a join token, keeps key and credential owner-only, and is ready with identity ok', async () => {
    const realm = await startTestRealm();
    const instance = await enrolledInstance(realm);
    const run = startInstance(instance, realm);
    const [key, grant, port] = await Promise.all([keyLine(run), granted(run), run.port()]);
    expect(key).toMatchObject({ message: 'created the identity key of this instance', mode: 'claim', realm: realm.did, file: join(instance.stateDir, 'identity/identity.key') });

    const token = (await readFile(join(instance.stateDir, 'identity/credential.jwt'), 'utf8')).trim();
    const payload = payloadOf(token);
    expect([payload.iss, payload.aud, payload.cap]).toEqual([realm.did, key.did, ASKED]);
    expect((payload.exp as number) - (payload.nbf as number)).toBeLessThanOrEqual(60 + 30);
    // The runtime also asks for mesh/call on every mesh capability; this policy lists none to call.
    const meshAsked = { resource: 'hecate://mesh/*', ability: 'mesh/call', caveat: {}, reason: 'not-allowed' };
    expect(grant).toMatchObject({ cid: expect.stringMatching(/^bafkrei/), capabilities: ASKED, refused: [meshAsked] });

    expect((await stat(join(instance.stateDir, 'identity'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(instance.stateDir, 'identity/identity.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(instance.stateDir, 'identity/credential.jwt'))).mode & 0o777).toBe(0o600);

    await eventually(async () => (await httpGet(port, '/health/ready')).status === 200, 10_000, 'readiness');
    const { health, status } = await identityCheck(port);
    expect([health.status, health.json?.status, status]).toEqual([200, 'ok', 'ok']);
    expect(Object.keys(health.json?.checks as object)).toEqual(['service', 'identity']);
  });

  it('reuses its key and its credential across a restart, without claiming again', async () => {
    const realm = await startTestRealm();
    const instance = await enrolledInstance(realm);
    const first = startInstance(instance, realm);
    const [firstKey, firstGrant] = await Promise.all([keyLine(first), granted(first)]);
    first.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });

    const second = startInstance(instance, realm);
    const [key, resumed] = await Promise.all([
      keyLine(second),
      second.waitFor((event) => event.message === 'using the credential granted before this start', 'the resumed credential'),
    ]);
    expect([key.message, key.did, resumed.cid]).toEqual(['loaded the identity key of this instance', firstKey.did, firstGrant.cid]);
    await second.waitFor((event) => event.message === 'ready', 'ready');
    expect(second.lines.filter((event) => event.message === GRANTED)).toEqual([]);
  });

  it('refuses a join token used twice, and enrolls a second instance with its own token', async () => {
    const realm = await startTestRealm();
    const first = await enrolledInstance(realm);
    const firstRun = startInstance(first, realm);
    const firstKey = await keyLine(firstRun);
    await granted(firstRun);

    const copy = await instanceDirectories();
    await writeFile(join(copy.secretsDir, 'join-token'), await readFile(join(first.secretsDir, 'join-token')));
    const copyRun = startInstance(copy, realm);
    const refused = await copyRun.waitFor((event) => event.code === 'JOIN_TOKEN_USED', 'the refusal');
    expect(refused).toMatchObject({ level: 'error', message: expect.stringMatching(/^claiming a credential failed: JOIN_TOKEN_USED: /) });
    const copyPort = await copyRun.port();
    const check = await identityCheck(copyPort);
    expect([check.health.status, check.status, check.output]).toEqual([503, 'down', expect.stringMatching(/^the realm refused this instance: JOIN_TOKEN_USED: /)]);
    expect((await httpGet(copyPort, '/health/ready')).status).toBe(503);

    const second = await enrolledInstance(realm);
    const secondRun = startInstance(second, realm);
    const [secondKey, secondGrant] = await Promise.all([keyLine(secondRun), granted(secondRun)]);
    expect(secondKey.did).not.toBe(firstKey.did);
    expect(secondGrant.capabilities).toEqual(ASKED);
  });

  it('is refused, down and not ready, when it has no enrollment', async () => {
    const realm = await startTestRealm();
    const run = startInstance(await instanceDirectories(), realm);
    await run.waitFor((event) => event.code === 'NOT_ENROLLED', 'the refusal');
    // Until start() returns, /health/ready speaks for the service part ("starting"), not for identity.
    const port = await run.ready();
    const check = await identityCheck(port);
    expect([check.health.status, check.status]).toEqual([503, 'down']);
    expect((await httpGet(port, '/health/ready')).json).toEqual({ status: 'down', output: check.output });
    expect(run.child.exitCode).toBeNull();
  });

  it('boots while the realm is down, degraded and not ready, and becomes ready once it is back, without a restart', async () => {
    const port = await freePort();
    const pending = await startTestRealm({ port: 0 });
    const realmUrl = `http://127.0.0.1:${port}`;
    const instance = await enrolledInstance(pending);
    await pending.close();

    const run = startInstance(instance, { url: realmUrl, did: pending.did });
    await run.waitFor((event) => event.code === 'REALM_UNREACHABLE', 'the failed claim');
    // The boot goes on without a credential: start() returns, and only then is the service up.
    const healthPort = await run.ready();
    const check = await identityCheck(healthPort);
    expect([check.health.status, check.health.json?.status, check.status]).toEqual([200, 'degraded', 'degraded']);
    expect(check.output).toMatch(/^no credential yet: the realm has not granted one; REALM_UNREACHABLE: POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/services\/provision failed: ECONNREFUSED/);
    expect((await httpGet(healthPort, '/health/ready')).status).toBe(503);
    // The log agrees with /health/ready: started, not ready, and ready only once granted.
    await run.waitFor((event) => event.message?.startsWith('not ready: the identity check is degraded: no credential yet') === true, 'the not ready line');
    expect(run.lines.filter((event) => event.message === 'ready')).toEqual([]);
    expect(run.lines.some((event) => event.message === 'started')).toBe(true);

    await startTestRealm({ port, dataDir: pending.dataDir });
    await granted(run);
    await eventually(async () => (await httpGet(healthPort, '/health/ready')).status === 200, 10_000, 'readiness');
    await run.waitFor((event) => event.message === 'ready', 'the ready line once granted');
    expect((await identityCheck(healthPort)).status).toBe('ok');
  });

  it('with HECATE_IDENTITY_REQUIRED=false, is ready without a credential, the identity check degrading /health only', async () => {
    const port = await freePort();
    const pending = await startTestRealm();
    const instance = await enrolledInstance(pending);
    await pending.close();

    const run = startInstance(instance, { url: `http://127.0.0.1:${port}`, did: pending.did }, { HECATE_IDENTITY_REQUIRED: 'false' });
    await run.waitFor((event) => event.code === 'REALM_UNREACHABLE', 'the failed claim');
    const healthPort = await run.ready();
    const check = await identityCheck(healthPort);
    expect([check.health.status, check.health.json?.status, check.status]).toEqual([200, 'degraded', 'degraded']);
    expect((await httpGet(healthPort, '/health/ready')).status).toBe(200);
  });

  it('claims anew when the credential it kept was revoked while it was stopped', async () => {
    const realm = await startTestRealm();
    const instance = await enrolledInstance(realm);
    const first = startInstance(instance, realm);
    const firstGrant = await granted(first);
    first.kill('SIGTERM');
    await first.exited;
    const revoked = await revoke({ dataDir: realm.dataDir, cid: firstGrant.cid as string });
    expect(revoked.ok).toBe(true);

    const second = startInstance(instance, realm);
    const [notUsed, regranted] = await Promise.all([
      second.waitFor((event) => event.code === 'CREDENTIAL_REVOKED', 'the revoked credential'),
      granted(second),
    ]);
    expect(notUsed).toMatchObject({ level: 'warn', file: join(instance.stateDir, 'identity/credential.jwt') });
    expect(regranted.cid).not.toBe(firstGrant.cid);
  });
});

describe('the identity key', () => {
  it('stops the boot naming a corrupt key file, and leaves the file as it was', async () => {
    const realm = await startTestRealm();
    const instance = await enrolledInstance(realm);
    const keyFile = join(instance.stateDir, 'identity/identity.key');
    const first = startInstance(instance, realm);
    await granted(first);
    first.kill('SIGKILL');
    await first.exited;
    await writeFile(keyFile, '-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n');

    const run = startInstance(instance, realm);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.at(-1)).toMatchObject({
      level: 'fatal',
      message: expect.stringMatching(
        new RegExp(`^starting the identity part threw Error: ${keyFile}: is not a PKCS#8 PEM private key .*; it is never replaced: restore it, or remove it to enroll as a new instance$`),
      ),
    });
    expect(await readFile(keyFile, 'utf8')).toBe('-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n');
    expect(run.fixtureEvents('start')).toEqual([]);
  });

  it('stops the boot when others may read the key file', async () => {
    const realm = await startTestRealm();
    const instance = await enrolledInstance(realm);
    const first = startInstance(instance, realm);
    await granted(first);
    first.kill('SIGKILL');
    await first.exited;
    const keyFile = join(instance.stateDir, 'identity/identity.key');
    await chmod(keyFile, 0o644);

    const run = startInstance(instance, realm);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.at(-1)?.message).toBe(
      `starting the identity part threw Error: ${keyFile} is mode 0644: an identity key others may read is refused; it must be 0600 (chmod 600 ${keyFile})`,
    );
  });
});

describe('identity settings', () => {
  it('refuses a realm URL without a pinned realm DID', async () => {
    const run = start({ HECATE_REALM_URL: 'http://127.0.0.1:1' });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.map((event) => event.message)).toEqual([
      'invalid configuration: HECATE_REALM_URL is "http://127.0.0.1:1": needs HECATE_REALM_DID, the realm\'s DID pinned out of band: a credential is never trusted from whoever answers at the URL',
    ]);
  });

  it('says once at boot that a service with no realm has no identity, and has no identity check', async () => {
    const run = start();
    const port = await run.port();
    await run.waitFor((event) => event.message === 'ready', 'ready');
    expect(run.lines.filter((event) => /no realm configured/.test(event.message ?? ''))).toEqual([
      expect.objectContaining({ level: 'info', message: 'no realm configured (HECATE_REALM_URL, HECATE_REALM_DID): this service has no identity, and /health no identity check' }),
    ]);
    expect(Object.keys((await httpGet(port, '/health')).json?.checks as object)).toEqual(['service']);
  });
});
