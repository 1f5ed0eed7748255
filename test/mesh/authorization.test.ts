// Issue 12, section 5 and its tests: every mesh call carries an invocation the provider verifies
// before the handler. A real nats-server, a real realm on loopback granting the credentials, the
// provider a real runtime process, the callers mesh parts in this process.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest, Mesh } from '@hecate-om/contract';
import type { PolicyInput } from '@hecate-om/realm';
import { generateKeyPair, issueInvocation, issueUcan, ucanCid, type KeyPair } from '@hecate-om/ucan';
import { connect, headers, JSONCodec, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { systemClock } from '../../packages/runtime/src/health-monitor.js';
import { createLogger } from '../../packages/runtime/src/logger.js';
import { createInvocationAuthorization, INVOCATION_HEADER, meshCallCapability, PROOFS_HEADER } from '../../packages/runtime/src/mesh/invocation-authorization.js';
import { createMeshParts, type MeshParts } from '../../packages/runtime/src/mesh/mesh-parts.js';
import { echoManifest } from '../../packages/runtime/test/manifest-fixture.js';
import type { RunningRelease } from '../runtime/fixture-release.mjs';
import { useRuntimeFixture } from '../runtime/use-runtime-fixture.js';
import { useNatsServers } from '../support/nats-server.js';
import { until } from './mesh-caller.js';
import { startAuthorizedProvider, startTestRealm, stopRealmRun, type TestRealm } from './realm-provider.js';

const fixture = useRuntimeFixture();
const servers = useNatsServers(1);
const json = JSONCodec();

const caller = generateKeyPair();
/** Enrolled like `caller`; its credential is revoked while the provider runs. */
const revokedLater = generateKeyPair();
const outsider = generateKeyPair();
const outsiderManifest: Manifest = { ...echoManifest, name: 'hecate-outsider' };

function policy(): PolicyInput {
  return {
    name: 'mesh-test-realm',
    services: {
      'runtime-fixture': { grants: { 'hecate://fixture/*': ['fixture/answer'] }, maxLifetimeSeconds: 3600, enroll: { joinTokens: true } },
      'hecate-echo': { grants: { 'hecate://echo/*': ['echo/*'] }, mesh: ['fixture.echo'], maxLifetimeSeconds: 3600, enroll: { dids: [caller.did, revokedLater.did] } },
      'hecate-outsider': { grants: { 'hecate://echo/*': ['echo/*'] }, maxLifetimeSeconds: 3600, enroll: { dids: [outsider.did] } },
    },
  };
}

const parts: MeshParts[] = [];
/** A caller in this process: the echo service's mesh parts, started as the runtime starts them, authorizing with `key` and `credential`. */
async function startCaller(url: string, realm: TestRealm, key: KeyPair, credential: string, manifest: Manifest = echoManifest): Promise<Mesh> {
  const log = createLogger({ level: 'silent', service: manifest, write: () => {} });
  const identity = { key, realmDid: realm.did, credential: () => credential, revoked: () => new Set<string>() };
  const meshParts = createMeshParts({
    urls: [url],
    manifest,
    log,
    identity: () => ({ did: key.did, realm: realm.did }),
    readiness: async () => ({ ready: true }),
    health: async () => 'ok',
    authorization: createInvocationAuthorization({ setting: 'on', identity: () => identity, log }),
    clock: systemClock,
    random: Math.random,
  });
  meshParts.mesh.serve('echo.say', (payload) => ({ said: payload }));
  parts.push(meshParts);
  await meshParts.connection.start?.();
  await meshParts.advertisement.start?.();
  meshParts.advertisement.ready?.();
  await meshParts.connected();
  return meshParts.mesh;
}


let root: string;
let realm: TestRealm;
let outsiderCredential: string;
let provider: RunningRelease;
let callerPart: Mesh;
let credential: string;
let revokedCredential: string;
let target: { did: string; subject: string };
let nc: NatsConnection;

beforeAll(async () => {
  const [server] = servers();
  root = await mkdtemp(join(tmpdir(), 'hecate-mesh-authorization-'));
  realm = await startTestRealm(root, policy());
  credential = await realm.claim(caller, echoManifest);
  outsiderCredential = await realm.claim(outsider, outsiderManifest);
  // Revoked before the provider starts, so that the list it fetches with its first claim has it.
  revokedCredential = await realm.claim(caller, echoManifest);
  await realm.revoke(revokedCredential);
  // Not fixture.start(), which kills what a test started when that test ends: every test here calls this provider.
  // The revocation list read every 300 ms, so a revocation made during a test is felt within it.
  provider = await startAuthorizedProvider(fixture.release().dir, root, realm, server!.url, 'provider', { HECATE_REVOCATION_REFRESH_MS: '300' });
  callerPart = await startCaller(server!.url, realm, caller, credential);
  const [found] = await until(() => callerPart.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
  target = { did: found!.did, subject: found!.subject };
  nc = await connect({ servers: server!.url });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  for (const meshParts of parts.splice(0)) {
    await meshParts.advertisement.withdraw?.();
    await meshParts.connection.stop?.();
  }
  await stopRealmRun({ root, realms: [realm], providers: [provider] });
});

/** A raw NATS request to the provider instance, carrying `token` and `proofs` as the mesh does; its decoded answer. */
async function send(token: string | undefined, proofs: readonly string[], subject = target.subject): Promise<{ ok: boolean; value?: unknown; error?: { code: string; reason?: string; message: string } }> {
  const carried = headers();
  if (token !== undefined) carried.set(INVOCATION_HEADER, token);
  if (proofs.length > 0) carried.set(PROOFS_HEADER, proofs.join(','));
  const reply = await nc.request(subject, json.encode({ hello: 'mesh' }), { timeout: 5000, headers: carried });
  return json.decode(reply.data) as { ok: boolean; value?: unknown; error?: { code: string; reason?: string; message: string } };
}

function invocation(overrides: Partial<Parameters<typeof issueInvocation>[0]> = {}) {
  const issued = issueInvocation({ issuer: caller, audience: target.did, capability: meshCallCapability('fixture.echo'), credential, ...overrides });
  if (!issued.ok) throw new Error(issued.error.message);
  return issued.invocation;
}

describe('mesh calls are authorized', () => {
  test('the provider advertises its DID and realm, and an authorized call reaches its handler', async () => {
    expect(target.did).toMatch(/^did:key:z6Mk/);
    const result = await callerPart.call('fixture.echo', { hello: 'authorized' });
    expect(result.ok && result.value).toMatchObject({ echo: { hello: 'authorized' } });
    const again = await callerPart.call('fixture.echo', { hello: 'again' });
    expect(again.ok).toBe(true);
  });

  test('a caller whose policy does not grant the capability gets unauthorized without a call being sent', async () => {
    const mesh = await startCaller(servers()[0]!.url, realm, outsider, outsiderCredential, outsiderManifest);
    await until(() => mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the outsider view');
    const result = await mesh.call('fixture.echo', { hello: 'outsider' });
    expect(result.ok === false && [result.error.code, result.error.reason]).toEqual(['unauthorized', 'not_granted']);
  });

  test('a caller of another realm on the same NATS skips this realm\'s provider, naming both realms; sent anyway, the provider names the realm it trusts', async () => {
    const otherRealm = await startTestRealm(join(root, 'other'), policy());
    try {
      const otherCredential = await otherRealm.claim(caller, echoManifest);
      const mesh = await startCaller(servers()[0]!.url, otherRealm, caller, otherCredential);
      const [found] = await until(() => mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider of the first realm in the view');
      expect(found!.realm).toBe(realm.did);
      expect(await mesh.call('fixture.echo', { hello: 'other realm' })).toEqual({
        ok: false,
        error: { code: 'no_providers', message: `no instance of fixture.echo this instance can call: runtime-fixture instance ${found!.instance} is enrolled in realm ${realm.did}, and this instance in realm ${otherRealm.did}` },
      });
      const { token, proofs } = invocation({ credential: otherCredential });
      const refused = await send(token, proofs);
      expect([refused.error?.code, refused.error?.reason]).toEqual(['unauthorized', 'escalated']);
      expect(refused.error?.message).toContain(`; this provider trusts realm ${realm.did} only, so a caller enrolled in another realm is refused`);
    } finally {
      await otherRealm.close();
    }
  });

  test.each([
    ['a call with no token', 'missing', () => ({ token: undefined, proofs: [] })],
    [
      'an expired token',
      'expired',
      () => {
        const now = Math.floor(Date.now() / 1000);
        const capabilities = { 'hecate://mesh/fixture.echo': { 'mesh/call': [{}] } };
        const made = issueUcan({ issuer: caller, audience: target.did, capabilities, notBefore: now - 400, expiration: now - 300, nonce: 'expired', proofs: [ucanCid(credential)] });
        return { token: made.token, proofs: [credential] };
      },
    ],
    [
      'an escalated token (a capability its credential does not grant)',
      'escalated',
      () => {
        const now = Math.floor(Date.now() / 1000);
        const made = issueUcan({
          issuer: caller,
          audience: target.did,
          capabilities: { 'hecate://mesh/*': { 'mesh/call': [{}] } },
          notBefore: now,
          expiration: now + 30,
          nonce: 'escalated',
          proofs: [ucanCid(credential)],
        });
        return { token: made.token, proofs: [credential] };
      },
    ],
    ['a misaddressed token (to another instance)', 'misaddressed', () => invocation({ audience: generateKeyPair().did })],
    ['a token resting on a revoked credential', 'revoked', () => invocation({ credential: revokedCredential })],
    [
      'a token from a caller the realm never granted anything',
      'escalated',
      () => {
        const stranger = generateKeyPair();
        const selfGranted = issueUcan({ issuer: stranger, audience: stranger.did, capabilities: { 'hecate://mesh/fixture.echo': { 'mesh/call': [{}] } }, expiration: null });
        return invocation({ issuer: stranger, credential: selfGranted.token });
      },
    ],
  ])('the provider refuses %s as unauthorized (%s) before the handler', async (_name, reason, make) => {
    const { token, proofs } = make();
    const answer = await send(token, proofs);
    expect(answer.ok).toBe(false);
    expect([answer.error?.code, answer.error?.reason]).toEqual(['unauthorized', reason]);
  });

  test('a caller sends its credential to a provider once, then names it by CID; a provider that never verified a CID answers proofs_unknown', async () => {
    const fresh = await realm.claim(caller, echoManifest);
    const mesh = await startCaller(servers()[0]!.url, realm, caller, fresh);
    await until(() => mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the new caller\'s view');
    // A plain subscriber of the instance's subject receives a copy of every call beside the provider's queue group.
    const seen: boolean[] = [];
    const copies = nc.subscribe(target.subject, { callback: (_error, msg) => seen.push(msg.headers?.has(PROOFS_HEADER) === true) });
    await nc.flush();
    try {
      for (const hello of ['first', 'second', 'third']) expect(await mesh.call('fixture.echo', { hello })).toMatchObject({ ok: true, value: { echo: { hello } } });
      await until(() => seen, (list) => list.length === 3, 'three calls seen');
      expect(seen).toEqual([true, false, false]);
    } finally {
      copies.unsubscribe();
    }
    const unseen = await realm.claim(caller, echoManifest);
    const { token, proofs } = invocation({ credential: unseen });
    const unknown = await send(token, []);
    expect([unknown.error?.code, unknown.error?.reason, unknown.error?.message]).toEqual([
      'unauthorized',
      'proofs_unknown',
      `the call carried no ${PROOFS_HEADER} and this provider has not verified ${ucanCid(unseen)} itself: send them with the call`,
    ]);
    expect(await send(token, proofs)).toMatchObject({ ok: true, value: { echo: { hello: 'mesh' } } });
  });

  test('the provider refuses a payload over the bound sent past the caller, before verifying its token: payload_too_large', async () => {
    const { token, proofs } = invocation();
    const carried = headers();
    carried.set(INVOCATION_HEADER, token);
    carried.set(PROOFS_HEADER, proofs.join(','));
    const body = json.encode({ blob: 'x'.repeat(300 * 1024) });
    const reply = await nc.request(target.subject, body, { timeout: 5000, headers: carried });
    expect(json.decode(reply.data)).toEqual({ ok: false, error: { code: 'payload_too_large', message: `the payload is ${body.byteLength} bytes: the mesh carries at most 262144` } });
    // Refused before verification, the invocation was not spent: it is still accepted once.
    expect(await send(token, proofs)).toMatchObject({ ok: true, value: { echo: { hello: 'mesh' } } });
  });

  test('the provider refuses a replayed token: the first use is answered, the second refused', async () => {
    const { token, proofs } = invocation();
    const first = await send(token, proofs);
    expect(first).toMatchObject({ ok: true, value: { echo: { hello: 'mesh' } } });
    const second = await send(token, proofs);
    expect([second.error?.code, second.error?.reason]).toEqual(['unauthorized', 'replayed']);
    expect(second.error?.message).toContain('was accepted before');
  });
});

describe('a revocation while the provider runs', () => {
  test('refuses the revoked caller within the refresh interval, code first, and logs the refusal once per caller and reason', async () => {
    const fresh = await realm.claim(revokedLater, echoManifest);
    const by = (overrides: Partial<Parameters<typeof issueInvocation>[0]> = {}) => invocation({ issuer: revokedLater, credential: fresh, ...overrides });
    const before = by();
    expect(await send(before.token, before.proofs)).toMatchObject({ ok: true });

    const revokedAt = Date.now();
    await realm.revoke(fresh);
    let answer: Awaited<ReturnType<typeof send>>;
    for (;;) {
      const attempt = by();
      answer = await send(attempt.token, attempt.proofs);
      if (answer.ok === false || Date.now() - revokedAt > 10_000) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // 300 ms ±25 % and a fetch: far inside 10 s; the provider's next renewal is half an hour on.
    expect([answer.error?.code, answer.error?.reason]).toEqual(['unauthorized', 'revoked']);
    expect(answer.error?.message.startsWith(`revoked: UCAN_REVOKED in token ${ucanCid(fresh)}: the token is on the revocation list (rule broken: `)).toBe(true);

    const logged = await provider.waitFor((event) => event.caller === revokedLater.did && event.reason === 'revoked', 'the logged refusal');
    expect(logged).toMatchObject({ level: 'warn', message: `refused a call of fixture.echo from ${revokedLater.did}: revoked`, capability: 'fixture.echo' });
    for (let i = 0; i < 3; i += 1) {
      const again = by();
      expect((await send(again.token, again.proofs)).error?.reason).toBe('revoked');
    }
    // Another reason from the same caller is its own line; once it is read, every line before it is too.
    const misaddressed = by({ audience: generateKeyPair().did });
    expect((await send(misaddressed.token, misaddressed.proofs)).error?.reason).toBe('misaddressed');
    await provider.waitFor((event) => event.caller === revokedLater.did && event.reason === 'misaddressed', 'the misaddressed refusal');
    expect(provider.lines.filter((event) => event.caller === revokedLater.did && event.reason === 'revoked')).toHaveLength(1);
  });
});

describe('HECATE_MESH_AUTHORIZATION=off', () => {
  test('is shouted in the log at start, as a warning naming the variable', async () => {
    const run = fixture.start({ HECATE_MESH_URL: servers()[0]!.url, HECATE_MESH_AUTHORIZATION: 'off', HECATE_LOG_LEVEL: 'info', HECATE_HEALTH_PORT: '0' });
    const shout = await run.waitFor((event) => event.message?.startsWith('MESH AUTHORIZATION IS OFF') === true, 'the warning');
    expect(shout).toMatchObject({ level: 'warn', variable: 'HECATE_MESH_AUTHORIZATION' });
  });

  test('is refused at boot while a realm is configured, naming the variable', async () => {
    const run = fixture.start({ HECATE_MESH_URL: servers()[0]!.url, HECATE_MESH_AUTHORIZATION: 'off', HECATE_REALM_DID: realm.did, HECATE_HEALTH_PORT: '0' });
    expect((await run.exited).code).toBe(1);
    expect(run.lines.at(-1)).toMatchObject({
      level: 'fatal',
      variable: 'HECATE_MESH_AUTHORIZATION',
      message: expect.stringContaining('HECATE_MESH_AUTHORIZATION is "off": is refused while a realm is configured (HECATE_REALM_DID)'),
    });
  });
});
