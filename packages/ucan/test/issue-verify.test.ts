import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  grantsCapability,
  issueUcan,
  parseUcan,
  ucanCid,
  UCAN_RULES,
  verifyUcan,
  type Capabilities,
  type VerifyOptions,
} from '../src/index.js';
import { forge, HOUR, NOW, payloadOf, peer, realm, service, stranger } from './forge.js';

const ECHO: Capabilities = { 'hecate://echo/*': { 'echo/*': [{}] } };
const base: VerifyOptions = { rootIssuers: [realm.did], now: NOW };

function credential(capabilities: Capabilities = ECHO, expiration: number | null = NOW + HOUR) {
  return issueUcan({ issuer: realm, audience: service.did, capabilities, expiration });
}

describe('issueUcan and verifyUcan', () => {
  it('verifies a token it issued, with every field as given and its CID as ucanCid computes it', async () => {
    const issued = issueUcan({
      issuer: realm,
      audience: service.did,
      capabilities: ECHO,
      expiration: NOW + HOUR,
      notBefore: NOW - 10,
      nonce: '1701-D',
      facts: { service: 'hecate-echo', challenges: { 'example.com': 'abcdef' } },
    });
    expect(issued.cid).toBe(ucanCid(issued.token));
    expect(issued.cid).toMatch(/^bafkrei[a-z2-7]{52}$/);
    const result = await verifyUcan(issued.token, { ...base, audience: service.did });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.ucan.cid).toBe(issued.cid);
    expect(result.ucan.header).toEqual({ alg: 'EdDSA', typ: 'JWT' });
    expect(result.ucan.payload).toEqual({
      ucv: '0.10.0',
      iss: realm.did,
      aud: service.did,
      nbf: NOW - 10,
      exp: NOW + HOUR,
      nnc: '1701-D',
      fct: { service: 'hecate-echo', challenges: { 'example.com': 'abcdef' } },
      cap: ECHO,
    });
    expect(result.ucan.authority).toEqual([{ resource: 'hecate://echo/*', ability: 'echo/*', caveat: {}, owner: realm.did }]);
  });

  it('accepts exp null (never expires) at any time after nbf', async () => {
    const issued = credential(ECHO, null);
    expect((await verifyUcan(issued.token, { ...base, now: NOW + 100 * 365 * 24 * HOUR })).ok).toBe(true);
  });

  it('verifies a chain of three tokens, each attenuating its proof, and grants what the last one names', async () => {
    const first = credential();
    const second = issueUcan({ issuer: service, audience: peer.did, capabilities: { 'hecate://echo/inbox/*': { 'echo/read': [{}] } }, expiration: NOW + 60, proofs: [first.cid] });
    const third = issueUcan({ issuer: peer, audience: stranger.did, capabilities: { 'hecate://echo/inbox/today': { 'ECHO/READ': [{ max: 3 }] } }, expiration: NOW + 30, proofs: [second.cid] });
    const proofs = { [first.cid]: first.token, [second.cid]: second.token };
    const result = await verifyUcan(third.token, { ...base, proofs, audience: stranger.did });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.ucan.proofs.map((proof) => proof.cid)).toEqual([second.cid]);
    expect(result.ucan.proofs[0]?.proofs.map((proof) => proof.cid)).toEqual([first.cid]);
    expect(grantsCapability(result.ucan, { resource: 'hecate://echo/inbox/today', ability: 'echo/read', caveat: { max: 3 } })).toBe(true);
    expect(grantsCapability(result.ucan, { resource: 'hecate://echo/inbox/today', ability: 'echo/read' })).toBe(false);
    expect(grantsCapability(result.ucan, { resource: 'hecate://echo/inbox/today', ability: 'echo/write', caveat: { max: 3 } })).toBe(false);
    expect(result.ucan.authority[0]?.owner).toBe(realm.did);
  });

  it('takes proofs from a Map, a record, a function or an async function', async () => {
    const first = credential();
    const child = issueUcan({ issuer: service, audience: peer.did, capabilities: ECHO, expiration: NOW + 60, proofs: [first.cid] });
    const sources: VerifyOptions['proofs'][] = [
      new Map([[first.cid, first.token]]),
      { '/': child.token, [first.cid]: first.token },
      (cid) => (cid === first.cid ? first.token : undefined),
      async (cid) => (cid === first.cid ? first.token : undefined),
    ];
    for (const proofs of sources) expect((await verifyUcan(child.token, { ...base, proofs })).ok).toBe(true);
  });

  it('resolves a proof listed by two tokens of a chain once', async () => {
    const first = credential();
    const left = issueUcan({ issuer: service, audience: peer.did, capabilities: ECHO, expiration: NOW + 60, proofs: [first.cid], nonce: 'l' });
    const right = issueUcan({ issuer: service, audience: peer.did, capabilities: ECHO, expiration: NOW + 60, proofs: [first.cid], nonce: 'r' });
    const top = issueUcan({ issuer: peer, audience: stranger.did, capabilities: ECHO, expiration: NOW + 30, proofs: [left.cid, right.cid] });
    const tokens = new Map([first, left, right].map((issued) => [issued.cid, issued.token]));
    const asked: string[] = [];
    const result = await verifyUcan(top.token, { ...base, proofs: (cid) => (asked.push(cid), tokens.get(cid)) });
    expect(result.ok).toBe(true);
    expect(asked.sort()).toEqual([first.cid, left.cid, right.cid].sort());
  });

  it('limits a root issuer to the resources it is given', async () => {
    const issued = credential({ 'hecate://echo/*': { 'echo/*': [{}] }, 'https://example.com': { 'http/get': [{}] } });
    const scoped = await verifyUcan(issued.token, { ...base, rootIssuers: [{ did: realm.did, resources: ['hecate://*'] }] });
    expect(scoped.ok === false && scoped.errors.map((error) => error.code)).toEqual(['UCAN_ATTENUATION']);
    expect((await verifyUcan(issued.token, base)).ok).toBe(true);
  });

  it('ignores DID fragments when aligning principals (spec 6.2)', async () => {
    const first = credential();
    const fragment = service.did.slice('did:key:'.length);
    const child = forge(payloadOf(service, peer, { iss: `${service.did}#${fragment}`, prf: [first.cid] }), service);
    expect((await verifyUcan(child.token, { ...base, proofs: { [first.cid]: first.token } })).ok).toBe(true);
  });
});

describe('ucan: resources delegate whole proofs (spec 4.1, 5.1)', () => {
  const first = credential({ 'hecate://echo/*': { 'echo/*': [{}] }, 'mailto:ops@example.com': { 'msg/send': [{}] } });
  const proofs = { [first.cid]: first.token };
  const delegate = (cap: Capabilities) => issueUcan({ issuer: service, audience: peer.did, capabilities: cap, expiration: NOW + 60, proofs: [first.cid] });
  const authorityOf = async (cap: Capabilities) => {
    const result = await verifyUcan(delegate(cap).token, { ...base, proofs });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.ucan.authority.map(({ resource, ability }) => `${ability} ${resource}`).sort();
  };
  const everything = ['echo/* hecate://echo/*', 'msg/send mailto:ops@example.com'];

  it.each([
    [`ucan:${first.cid}`, 'ucan/*', everything],
    ['ucan:*', 'ucan/*', everything],
    ['ucan:./*', '*', everything],
    [`ucan://${realm.did}/*`, 'ucan/*', everything],
    [`ucan://${realm.did}/mailto`, 'ucan/*', ['msg/send mailto:ops@example.com']],
    [`ucan://${stranger.did}/*`, 'ucan/*', []],
  ])('%s with %s', async (resource, ability, expected) => {
    expect(await authorityOf({ [resource]: { [ability]: [{}] } })).toEqual(expected);
  });

  it('narrows a delegated proof by the caveat on the ucan: resource', async () => {
    const result = await verifyUcan(delegate({ 'ucan:*': { 'ucan/*': [{ region: 'eu' }] } }).token, { ...base, proofs });
    expect(result.ok && grantsCapability(result.ucan, { resource: 'hecate://echo/x', ability: 'echo/read' })).toBe(false);
    expect(result.ok && grantsCapability(result.ucan, { resource: 'hecate://echo/x', ability: 'echo/read', caveat: { region: 'eu' } })).toBe(true);
  });
});

describe('issueUcan refuses options that would make an invalid token', () => {
  it('names every problem', () => {
    expect(() =>
      issueUcan({ issuer: realm, audience: 'nobody', capabilities: { 'hecate://x': { read: [{}] } }, expiration: 1.5 }),
    ).toThrow(
      'issueUcan: aud must be a single DID (did:<method>:<id>), got "nobody"; exp must be an integer of Unix seconds or null, got the number 1.5; cap["hecate://x"]["read"]: an ability is "*" or namespaced as namespace/name',
    );
  });
});

describe('the specification examples', () => {
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/spec-proof-collection.json', import.meta.url), 'utf8')) as {
    collection: Record<string, string>;
  };

  it('computes the CID the spec gives for its example proof (spec 3.2.7.2, 6.5.1)', () => {
    for (const [cid, token] of Object.entries(fixture.collection)) expect(ucanCid(token)).toBe(cid);
  });

  it('refuses the example, a UCAN 0.1 token signed with RS256, as not UCAN 0.10', () => {
    const [token] = Object.values(fixture.collection);
    const result = parseUcan(token);
    expect(result.ok === false && result.errors.map((error) => error.code)).toEqual(['UCAN_ALG', 'UCAN_PAYLOAD', 'UCAN_PAYLOAD', 'UCAN_PAYLOAD']);
    const cid = Object.keys(fixture.collection)[0];
    expect(result.ok === false && result.errors.map((error) => error.message.split(`in token ${cid}: `)[1]?.replace(` (rule broken: ${UCAN_RULES[error.code].rule})`, ''))).toEqual([
      'alg must be "EdDSA" (Ed25519 did:key issuers), got "RS256"',
      'ucv must be a string, got undefined',
      'cap is required (it may be {})',
      'prf must be an array of CID strings, got null',
    ]);
  });

  it("refuses the spec's P-256 issuer (did:key:zDnae...), a key type this package does not verify", async () => {
    const token = forge(payloadOf(realm, 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp', { iss: 'did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169' }), realm);
    const result = await verifyUcan(token.token, base);
    expect(result.ok === false && result.errors[0]?.code).toBe('UCAN_DID');
  });
});
