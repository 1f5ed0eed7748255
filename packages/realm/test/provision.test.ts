import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUcan, ucanCid, verifyUcan, type KeyPair } from '@hecate-om/ucan';
import { createJoinToken } from '../src/index.js';
import {
  CONTRACT_HASH,
  ECHO_CAP,
  claim,
  echoPolicy,
  generateKeyPair,
  now,
  post,
  provisionToken,
  startTestRealm,
  type TestRealm,
} from './realm-fixture.js';

let realm: TestRealm;
let listed: KeyPair;

beforeAll(async () => {
  listed = generateKeyPair();
  realm = await startTestRealm({ policy: echoPolicy(listed) });
});
afterAll(() => realm.stop());

/** An instance of hecate-echo enrolled by its own join token. */
async function enrolledEcho(): Promise<{ instance: KeyPair; joinToken: string }> {
  const created = await createJoinToken({ dataDir: realm.dataDir, service: 'hecate-echo' });
  if (!created.ok) throw new Error(created.error.message);
  return { instance: generateKeyPair(), joinToken: created.value.token };
}

function lastDecision(): Record<string, unknown> {
  const decisions = realm.lines.filter((line) => line.message === 'provision granted' || line.message === 'provision refused');
  return decisions.at(-1) ?? {};
}

describe('POST /api/v1/services/provision', () => {
  it('grants what the policy allows as a credential from the realm to the instance, which verifies against the realm DID', async () => {
    const listedAnswer = await claim(realm.realm, listed, { service: 'hecate-listed', cap: { 'hecate://listed/inbox': { 'listed/read': [{}] } } });
    expect(listedAnswer.status).toBe(200);
    expect(listedAnswer.body.capabilities).toEqual({ 'hecate://listed/inbox': { 'listed/read': [{}] } });
    expect(listedAnswer.body.refused).toEqual([]);

    const verified = await verifyUcan(listedAnswer.body.credential as string, { rootIssuers: [realm.realm.did], audience: listed.did });
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(verified.ucan.payload.iss).toBe(realm.realm.did);
    expect(verified.ucan.payload.aud).toBe(listed.did);
    expect(verified.ucan.cid).toBe(listedAnswer.body.cid);
    expect(verified.ucan.payload.fct).toEqual({ service: 'hecate-listed', version: '1.2.3', contractHash: CONTRACT_HASH });
    expect(verified.ucan.payload.exp).toBe(listedAnswer.body.expiresAt);
  });

  it('grants the intersection of what was asked and what is allowed, never more than asked', async () => {
    const { instance, joinToken } = await enrolledEcho();
    const answer = await claim(realm.realm, instance, {
      joinToken,
      cap: {
        // Inside the policy: granted as asked.
        'hecate://echo/inbox/*': { 'echo/answer_query': [{ max: 5 }] },
        // Broader than the policy on both axes: narrowed to the policy's resource and abilities.
        'hecate://echo/*': { 'echo/*': [{}] },
        // Not allowed at all.
        'hecate://billing/*': { 'billing/charge': [{}] },
        // A mesh call the policy lists, and one it does not.
        'hecate://mesh/billing.charge': { 'mesh/call': [{}] },
        'hecate://mesh/billing.refund': { 'mesh/call': [{}] },
        // Not a resource the realm owns.
        'https://example.com/': { 'http/get': [{}] },
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.capabilities).toEqual({
      'hecate://echo/inbox/*': { 'echo/answer_query': [{ max: 5 }] },
      'hecate://echo/*': { 'echo/answer_query': [{}], 'echo/read': [{}] },
      'hecate://mesh/billing.charge': { 'mesh/call': [{}] },
    });
    expect(answer.body.refused).toEqual([
      { resource: 'https://example.com/', ability: 'http/get', caveat: {}, reason: 'not-a-realm-resource' },
      { resource: 'hecate://echo/*', ability: 'echo/*', caveat: {}, reason: 'narrowed' },
      { resource: 'hecate://billing/*', ability: 'billing/charge', caveat: {}, reason: 'not-allowed' },
      { resource: 'hecate://mesh/billing.refund', ability: 'mesh/call', caveat: {}, reason: 'not-allowed' },
    ]);
    // The credential itself carries exactly the answer's capabilities.
    const parsed = parseUcan(answer.body.credential);
    expect(parsed.ok && parsed.ucan.payload.cap).toEqual(answer.body.capabilities);
  });

  it('caps the lifetime at the policy maximum, and keeps a shorter lifetime asked', async () => {
    const long = await enrolledEcho();
    const before = now();
    const capped = await claim(realm.realm, long.instance, { joinToken: long.joinToken, lifetimeSeconds: 86_400 });
    expect(capped.status).toBe(200);
    const cappedPayload = parseUcan(capped.body.credential);
    if (!cappedPayload.ok) throw new Error('the credential does not parse');
    expect((cappedPayload.ucan.payload.exp as number) - (cappedPayload.ucan.payload.nbf as number)).toBe(3600);
    expect(cappedPayload.ucan.payload.nbf).toBeGreaterThanOrEqual(before);

    const short = await claim(realm.realm, long.instance, { lifetimeSeconds: 5 });
    const shortPayload = parseUcan(short.body.credential);
    if (!shortPayload.ok) throw new Error('the credential does not parse');
    expect((shortPayload.ucan.payload.exp as number) - (shortPayload.ucan.payload.nbf as number)).toBe(5);
  });

  it('logs every decision as one JSON line: service, DID, granted, refused and why', async () => {
    const { instance, joinToken } = await enrolledEcho();
    await claim(realm.realm, instance, { joinToken, cap: { ...ECHO_CAP, 'hecate://billing/*': { 'billing/charge': [{}] } } });
    expect(lastDecision()).toMatchObject({
      level: 'info',
      realm: 'test-realm',
      message: 'provision granted',
      decision: 'granted',
      service: 'hecate-echo',
      version: '1.2.3',
      did: instance.did,
      enrolledBy: 'join-token',
      granted: ECHO_CAP,
      refused: [{ resource: 'hecate://billing/*', ability: 'billing/charge', caveat: {}, reason: 'not-allowed' }],
      why: 'granted 1 of the 2 capabilities asked (1 refused or narrowed) for 1800 s (asked 1800 s, the policy allows 3600 s); enrolled by join-token',
    });

    await claim(realm.realm, generateKeyPair());
    expect(lastDecision()).toMatchObject({ level: 'warn', decision: 'refused', code: 'NOT_ENROLLED', service: 'hecate-echo' });
  });

  it('refuses a service the policy does not name', async () => {
    const answer = await claim(realm.realm, generateKeyPair(), { service: 'hecate-unknown' });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({ code: 'UNKNOWN_SERVICE', message: 'the policy of realm test-realm names no service hecate-unknown' });
  });

  it('grants an enrolled instance a credential naming it when the policy allows none of what was asked, listing what was refused', async () => {
    const answer = await claim(realm.realm, listed, { service: 'hecate-listed', cap: { 'hecate://echo/*': { 'echo/answer_query': [{}] } } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ capabilities: {}, refused: [{ resource: 'hecate://echo/*', ability: 'echo/answer_query', caveat: {}, reason: 'not-allowed' }] });
    const parsed = parseUcan(answer.body.credential);
    if (!parsed.ok) throw new Error('the credential does not parse');
    expect([parsed.ucan.payload.aud, parsed.ucan.payload.cap, (parsed.ucan.payload.fct as { service?: string } | undefined)?.service]).toEqual([listed.did, {}, 'hecate-listed']);
    expect(lastDecision()).toMatchObject({ decision: 'granted', did: listed.did, why: expect.stringMatching(/^granted 0 of the 1 capabilities asked/) });
  });

  it('refuses an instance that is not enrolled, even for a service it names correctly', async () => {
    const stranger = generateKeyPair();
    const answer = await claim(realm.realm, stranger);
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({
      code: 'NOT_ENROLLED',
      message: `${stranger.did} is not enrolled for hecate-echo, and the claim brought no join token`,
    });
  });

  it('refuses an instance claiming for another service than the one it is enrolled for', async () => {
    const answer = await claim(realm.realm, listed, { service: 'hecate-echo' });
    expect(answer.body.error).toMatchObject({ code: 'ENROLLED_ELSEWHERE', message: `${listed.did} is enrolled for hecate-listed and cannot claim for hecate-echo` });
    const { instance, joinToken } = await enrolledEcho();
    expect((await claim(realm.realm, instance, { joinToken })).status).toBe(200);
    const elsewhere = await claim(realm.realm, instance, { service: 'hecate-listed', cap: { 'hecate://listed/x': { 'listed/read': [{}] } } });
    expect(elsewhere.body.error?.code).toBe('ENROLLED_ELSEWHERE');
  });

  it('refuses a provision UCAN presented twice (a replayed nonce)', async () => {
    const token = provisionToken(listed, realm.realm.did, { service: 'hecate-listed', cap: {} });
    const first = await post(realm.realm, JSON.stringify({ ucan: token }));
    expect(first.status).toBe(200);
    const replay = await post(realm.realm, JSON.stringify({ ucan: token }));
    expect(replay.status).toBe(401);
    expect(replay.body.error?.code).toBe('REPLAYED_NONCE');
  });

  it('refuses a provision UCAN without a nonce', async () => {
    const answer = await claim(realm.realm, listed, { service: 'hecate-listed', cap: {}, nonce: undefined });
    expect(answer.body.error?.code).toBe('MISSING_NONCE');
  });

  it('refuses a provision UCAN older than a minute, one valid for longer than a minute, and one that never expires', async () => {
    const old = await claim(realm.realm, listed, { service: 'hecate-listed', cap: {}, notBefore: now() - 75, expiration: now() - 15 });
    expect(old.status).toBe(401);
    expect(old.body.error?.code).toBe('INVALID_TOKEN');
    expect(old.body.error?.details).toMatchObject([{ code: 'UCAN_EXPIRED' }]);

    const long = await claim(realm.realm, listed, { service: 'hecate-listed', cap: {}, expiration: now() + 600 });
    expect(long.body.error).toMatchObject({ code: 'TOKEN_LIFETIME' });
    expect(long.body.error?.message).toMatch(/expires (?:600|5\d\d) s from now; it must expire within 60 s$/);

    const wide = await claim(realm.realm, listed, { service: 'hecate-listed', cap: {}, notBefore: now() - 50, expiration: now() + 30 });
    expect(wide.body.error?.code).toBe('TOKEN_LIFETIME');

    const forever = await claim(realm.realm, listed, { service: 'hecate-listed', cap: {}, expiration: null });
    expect(forever.body.error?.code).toBe('TOKEN_LIFETIME');
  });

  it('refuses a provision UCAN issued to another audience, or signed by another key', async () => {
    const other = generateKeyPair();
    const misdirected = await claim(realm.realm, listed, { service: 'hecate-listed', cap: {}, audience: other.did });
    expect(misdirected.status).toBe(401);
    expect(misdirected.body.error).toMatchObject({
      code: 'WRONG_AUDIENCE',
      message: `the provision UCAN of ${listed.did} is addressed to ${other.did}, but this realm is ${realm.realm.did}`,
    });

    const token = provisionToken(listed, realm.realm.did, { service: 'hecate-listed', cap: {} });
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${provisionToken(other, realm.realm.did).split('.')[2]}`;
    const answer = await post(realm.realm, JSON.stringify({ ucan: forged }));
    expect(answer.body.error?.code).toBe('INVALID_TOKEN');
    expect(answer.body.error?.details).toMatchObject([{ code: 'UCAN_SIGNATURE' }]);
  });

  it('refuses a provision UCAN that carries proofs', async () => {
    const proof = provisionToken(generateKeyPair(), realm.realm.did);
    const answer = await claim(realm.realm, listed, { service: 'hecate-listed', cap: {}, proofs: [ucanCid(proof)] });
    expect(answer.body.error?.code).toBe('UNEXPECTED_PROOFS');
  });

  it('refuses facts that are missing or malformed, naming each JSON path', async () => {
    const answer = await claim(realm.realm, listed, { facts: { service: 'Hecate Echo', version: '1', lifetimeSeconds: 0, extra: true } });
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe('INVALID_FACTS');
    expect(answer.body.error?.details).toEqual([
      { path: '$.fct.service', message: expect.stringMatching(/^must be lowercase kebab-case/) },
      { path: '$.fct.version', message: expect.stringMatching(/^must be a semantic version/) },
      { path: '$.fct.contractHash', message: expect.any(String) },
      { path: '$.fct.lifetimeSeconds', message: 'must be at least 1 second' },
      { path: '$.fct', message: 'Unrecognized key: "extra"' },
    ]);
  });
});
