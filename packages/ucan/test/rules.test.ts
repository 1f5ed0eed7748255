// One hand-made bad token (at least) for every rule and every error code of UCAN_RULES: each case
// asserts the exact code and the CID of the token that broke the rule.
import { describe, expect, it } from 'vitest';
import { issueUcan, UCAN_RULES, ucanCid, verifyUcan, type UcanErrorCode, type VerifyOptions } from '../src/index.js';
import { forge, HOUR, NOW, payloadOf, peer, realm, segment, service, stranger } from './forge.js';

interface Case {
  name: string;
  code: UcanErrorCode;
  /** The token to verify and the CID the error must name. */
  make: () => { token: unknown; cid: string; options?: Partial<VerifyOptions> };
}

const base: VerifyOptions = { rootIssuers: [realm.did], now: NOW };
const PHANTOM_CID = 'bafkreihogico5an3e2xy3fykalfwxxry7itbhfcgq6f47sif6d7w6uk2ze';

/** A valid realm credential for the service, and a service token delegating from it. */
function chain(credentialOverrides: Record<string, unknown>, childOverrides: Record<string, unknown> = {}) {
  const credential = forge(payloadOf(realm, service, credentialOverrides), realm);
  const child = forge(payloadOf(service, peer, { prf: [credential.cid], ...childOverrides }), service);
  return { credential, child, proofs: new Map([[credential.cid, credential.token]]) };
}

const cases: Case[] = [
  { name: 'a token over maxTokenBytes', code: 'UCAN_TOO_LARGE', make: () => ({ token: 'e'.repeat(40_000), cid: '' }) },
  { name: 'a token within maxTokenBytes in characters but over it in UTF-8 bytes', code: 'UCAN_TOO_LARGE', make: () => ({ token: `${'é'.repeat(20_000)}.a.b`, cid: '' }) },
  {
    name: 'a payload nested deeper than 32 levels',
    code: 'UCAN_TOO_LARGE',
    make: () => forge(payloadOf(realm, service, { fct: { deep: JSON.parse('['.repeat(40) + ']'.repeat(40)) } }), realm),
  },
  {
    name: 'more than 1000 capabilities',
    code: 'UCAN_TOO_LARGE',
    make: () => forge(payloadOf(realm, service, { cap: { 'hecate://echo': { 'echo/read': Array.from({ length: 1001 }, (_, n) => ({ n })) } } }), realm),
  },
  { name: 'a proof over maxTokenBytes', code: 'UCAN_TOO_LARGE', make: () => {
    const big = 'x'.repeat(40_000);
    const bigCid = ucanCid(big);
    const child = forge(payloadOf(service, peer, { prf: [bigCid] }), service);
    return { token: child.token, cid: bigCid, options: { proofs: { [bigCid]: big } } };
  } },
  { name: 'a token that is not a string', code: 'UCAN_FORMAT', make: () => ({ token: { alg: 'EdDSA' }, cid: '' }) },
  { name: 'two segments', code: 'UCAN_FORMAT', make: () => ({ token: 'eyJ9.eyJ9', cid: ucanCid('eyJ9.eyJ9') }) },
  { name: 'a segment that is not base64url', code: 'UCAN_FORMAT', make: () => {
    const { token } = forge(payloadOf(realm, service), realm);
    const bad = token.replace('.', '.+');
    return { token: bad, cid: ucanCid(bad) };
  } },
  { name: 'a signature spelled with unused bits set', code: 'UCAN_FORMAT', make: () => {
    const { token } = forge(payloadOf(realm, service), realm);
    // 64 bytes are 86 base64url characters; the last carries 4 unused bits.
    const last = token.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const bad = token.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1];
    return { token: bad, cid: ucanCid(bad) };
  } },
  { name: 'a header that is not JSON', code: 'UCAN_JSON', make: () => {
    const token = `${segment('{not json')}.${segment(payloadOf(realm, service))}.`;
    return { token, cid: ucanCid(token) };
  } },
  { name: 'a payload that is a JSON array', code: 'UCAN_JSON', make: () => forge([1, 2], realm) },
  { name: 'alg none', code: 'UCAN_ALG_NONE', make: () => {
    const token = `${segment({ alg: 'none', typ: 'JWT' })}.${segment(payloadOf(realm, service))}.`;
    return { token, cid: ucanCid(token) };
  } },
  { name: 'alg ES256 for an Ed25519 issuer', code: 'UCAN_ALG', make: () => forge(payloadOf(realm, service), realm, { alg: 'ES256', typ: 'JWT' }) },
  { name: 'alg HS256 (symmetric)', code: 'UCAN_ALG', make: () => forge(payloadOf(realm, service), realm, { alg: 'HS256', typ: 'JWT' }) },
  { name: 'typ JOSE', code: 'UCAN_TYP', make: () => forge(payloadOf(realm, service), realm, { alg: 'EdDSA', typ: 'JOSE' }) },
  { name: 'no typ', code: 'UCAN_TYP', make: () => forge(payloadOf(realm, service), realm, { alg: 'EdDSA' }) },
  { name: 'no exp', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, service, { exp: undefined }), realm) },
  { name: 'exp as a string', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, service, { exp: '1800000000' }), realm) },
  { name: 'a fractional nbf', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, service, { nbf: 1.5 }), realm) },
  { name: 'no cap', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, service, { cap: undefined }), realm) },
  { name: 'a caveat that is not an object', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, service, { cap: { 'hecate://echo': { 'echo/read': ['x'] } } }), realm) },
  { name: 'an ability without a namespace', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, service, { cap: { 'hecate://echo': { read: [{}] } } }), realm) },
  { name: 'a resource with no abilities', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, service, { cap: { 'hecate://echo': {} } }), realm) },
  { name: 'a resource that is not a URI', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, service, { cap: { 'echo inbox': { 'echo/read': [{}] } } }), realm) },
  { name: 'a proof that is not a CID', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, service, { prf: ['eyJhbGciOi'] }), realm) },
  { name: 'a dag-pb CIDv0 proof', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, service, { prf: ['QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'] }), realm) },
  { name: 'an aud that is not a DID', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, 'https://example.com'), realm) },
  { name: 'fct as an array', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, service, { fct: [1] }), realm) },
  { name: 'nnc as a number', code: 'UCAN_PAYLOAD', make: () => forge(payloadOf(realm, service, { nnc: 7 }), realm) },
  { name: 'ucv 0.9.1', code: 'UCAN_VERSION', make: () => forge(payloadOf(realm, service, { ucv: '0.9.1' }), realm) },
  { name: 'an issuer that is not a did:key', code: 'UCAN_DID', make: () => forge(payloadOf(realm, service, { iss: 'did:web:example.com' }), realm) },
  { name: 'a token signed by another key', code: 'UCAN_SIGNATURE', make: () => forge(payloadOf(realm, service), stranger) },
  { name: 'a payload changed after signing', code: 'UCAN_SIGNATURE', make: () => {
    const [header, , signature] = forge(payloadOf(realm, service), realm).token.split('.');
    const token = `${header}.${segment(payloadOf(realm, service, { exp: NOW + 100 * HOUR }))}.${signature}`;
    return { token, cid: ucanCid(token) };
  } },
  { name: 'nbf past the skew', code: 'UCAN_NOT_YET_VALID', make: () => forge(payloadOf(realm, service, { nbf: NOW + 61 }), realm) },
  { name: 'exp past the skew', code: 'UCAN_EXPIRED', make: () => forge(payloadOf(realm, service, { exp: NOW - 61 }), realm) },
  { name: 'exp one second ago with no skew', code: 'UCAN_EXPIRED', make: () => ({ ...forge(payloadOf(realm, service, { exp: NOW - 1 }), realm), options: { clockSkewSeconds: 0 } }) },
  { name: 'a token for someone else', code: 'UCAN_AUDIENCE', make: () => ({ ...forge(payloadOf(realm, service), realm), options: { audience: peer.did } }) },
  { name: 'a revoked token', code: 'UCAN_REVOKED', make: () => {
    const made = forge(payloadOf(realm, service), realm);
    return { ...made, options: { isRevoked: (cid) => cid === made.cid } };
  } },
  { name: 'a revoked proof', code: 'UCAN_REVOKED', make: () => {
    const { credential, child, proofs } = chain({});
    return { token: child.token, cid: credential.cid, options: { proofs, isRevoked: async (cid) => cid === credential.cid } };
  } },
  { name: 'a proof nobody gave', code: 'UCAN_PROOF_UNRESOLVABLE', make: () => ({ token: forge(payloadOf(service, peer, { prf: [PHANTOM_CID] }), service).token, cid: PHANTOM_CID }) },
  { name: 'a proof lookup that fails', code: 'UCAN_PROOF_UNRESOLVABLE', make: () => ({
    token: forge(payloadOf(service, peer, { prf: [PHANTOM_CID] }), service).token,
    cid: PHANTOM_CID,
    options: { proofs: async () => { throw new Error('realm unreachable'); } },
  }) },
  { name: 'a proof lookup that answers a number', code: 'UCAN_PROOF_UNRESOLVABLE', make: () => ({
    token: forge(payloadOf(service, peer, { prf: [PHANTOM_CID] }), service).token,
    cid: PHANTOM_CID,
    options: { proofs: (() => 42) as unknown as VerifyOptions['proofs'] },
  }) },
  { name: 'a proof whose token hashes to another CID', code: 'UCAN_PROOF_CID_MISMATCH', make: () => {
    const { child, credential } = chain({});
    return { token: child.token, cid: credential.cid, options: { proofs: () => forge(payloadOf(realm, service, { nnc: 'other' }), realm).token } };
  } },
  { name: 'a proof that expires before its child', code: 'UCAN_PROOF_TIME_BOUNDS', make: () => {
    const { child, proofs } = chain({ exp: NOW + 60 }, { exp: NOW + HOUR });
    return { ...child, options: { proofs } };
  } },
  { name: 'a proof that starts after its child', code: 'UCAN_PROOF_TIME_BOUNDS', make: () => {
    const { child, proofs } = chain({ nbf: NOW - 60 }, { nbf: NOW - HOUR });
    return { ...child, options: { proofs } };
  } },
  { name: 'a child that never expires under a proof that does', code: 'UCAN_PROOF_TIME_BOUNDS', make: () => {
    const { child, proofs } = chain({}, { exp: null });
    return { ...child, options: { proofs } };
  } },
  { name: "a proof whose aud is not the child's iss", code: 'UCAN_PRINCIPAL_ALIGNMENT', make: () => {
    const credential = forge(payloadOf(realm, stranger), realm);
    const child = forge(payloadOf(service, peer, { prf: [credential.cid] }), service);
    return { ...child, options: { proofs: [credential].reduce((all, p) => ({ ...all, [p.cid]: p.token }), {}) } };
  } },
  { name: 'a child older than its proof', code: 'UCAN_VERSION_ORDER', make: () => {
    const { child, proofs } = chain({ ucv: '0.10.1' });
    return { ...child, options: { proofs } };
  } },
  { name: 'ucan:<cid> of a proof not in prf', code: 'UCAN_PROOF_REFERENCE', make: () => forge(payloadOf(service, peer, { cap: { [`ucan:${PHANTOM_CID}`]: { 'ucan/*': [{}] } } }), service) },
  { name: 'ucan:* with an ability other than ucan/*', code: 'UCAN_PROOF_REFERENCE', make: () => {
    const { child, proofs } = chain({}, { cap: { 'ucan:*': { 'crud/read': [{}] } } });
    return { ...child, options: { proofs } };
  } },
  { name: 'a malformed ucan: selector', code: 'UCAN_PROOF_REFERENCE', make: () => forge(payloadOf(service, peer, { cap: { 'ucan://nobody': { 'ucan/*': [{}] } } }), service) },
  { name: 'a capability with no proof from a non-root issuer', code: 'UCAN_ATTENUATION', make: () => forge(payloadOf(service, peer), service) },
  { name: 'a broader ability than the proof', code: 'UCAN_ATTENUATION', make: () => {
    const { child, proofs } = chain({ cap: { 'hecate://echo/*': { 'echo/read': [{}] } } }, { cap: { 'hecate://echo/inbox': { 'echo/*': [{}] } } });
    return { ...child, options: { proofs } };
  } },
  { name: 'a broader resource than the proof', code: 'UCAN_ATTENUATION', make: () => {
    const { child, proofs } = chain({ cap: { 'hecate://echo/inbox/*': { 'echo/read': [{}] } } }, { cap: { 'hecate://echo/*': { 'echo/read': [{}] } } });
    return { ...child, options: { proofs } };
  } },
  { name: 'a caveat escalated to any', code: 'UCAN_ATTENUATION', make: () => {
    const { child, proofs } = chain({ cap: { 'hecate://echo': { 'echo/read': [{ max: 5 }] } } }, { cap: { 'hecate://echo': { 'echo/read': [{}] } } });
    return { ...child, options: { proofs } };
  } },
  { name: 'a resource outside what the root owns', code: 'UCAN_ATTENUATION', make: () => ({
    ...forge(payloadOf(realm, service, { cap: { 'https://example.com': { 'http/get': [{}] } } }), realm),
    options: { rootIssuers: [{ did: realm.did, resources: ['hecate://*'] }] },
  }) },
  { name: 'ucan:<cid> of an invalid proof', code: 'UCAN_ATTENUATION', make: () => {
    const { credential, proofs } = chain({ exp: NOW - 2 * HOUR, nbf: NOW - 3 * HOUR });
    const child = forge(payloadOf(service, peer, { prf: [credential.cid], cap: { [`ucan:${credential.cid}`]: { 'ucan/*': [{}] } } }), service);
    return { ...child, options: { proofs } };
  } },
  { name: 'a chain deeper than maxProofDepth', code: 'UCAN_PROOF_LIMIT', make: () => {
    const { credential, child, proofs } = chain({});
    const grandchild = forge(payloadOf(peer, stranger, { prf: [child.cid] }), peer);
    proofs.set(child.cid, child.token);
    return { token: grandchild.token, cid: credential.cid, options: { proofs, maxProofDepth: 1 } };
  } },
  { name: 'ucan: delegations multiplying past 2000 capabilities', code: 'UCAN_PROOF_LIMIT', make: () => {
    const many = Array.from({ length: 1000 }, (_, n) => ({ n }));
    const { credential, proofs } = chain({ cap: { 'hecate://echo': { 'echo/read': many } } });
    const child = forge(payloadOf(service, peer, { prf: [credential.cid], cap: { 'ucan:./*': { 'ucan/*': [{ a: 1 }, { a: 2 }, { a: 3 }] } } }), service);
    return { ...child, options: { proofs } };
  } },
  { name: 'more proofs than maxProofs', code: 'UCAN_PROOF_LIMIT', make: () => {
    const first = forge(payloadOf(realm, service, { cap: { 'hecate://a': { 'a/x': [{}] } } }), realm);
    const second = forge(payloadOf(realm, service, { cap: { 'hecate://b': { 'b/x': [{}] } } }), realm);
    const child = forge(payloadOf(service, peer, { prf: [first.cid, second.cid], cap: { 'hecate://b': { 'b/x': [{}] } } }), service);
    return { token: child.token, cid: second.cid, options: { proofs: { [first.cid]: first.token, [second.cid]: second.token }, maxProofs: 1 } };
  } },
];

describe('verifyUcan refuses a token that breaks a rule', () => {
  it.each(cases)('$code: $name', async ({ code, make }) => {
    const { token, cid, options } = make();
    const result = await verifyUcan(token, { ...base, ...options });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const error = result.errors.find((candidate) => candidate.code === code);
    expect(error, JSON.stringify(result.errors, null, 1)).toBeDefined();
    expect(error?.cid).toBe(cid);
    expect(error?.message.startsWith(`${code} in ${cid === '' ? 'the input (not hashed: not a string, or too large)' : `token ${cid}`}: `)).toBe(true);
    expect(error?.message.endsWith(` (rule broken: ${UCAN_RULES[code].rule})`)).toBe(true);
  });

  it('has a case for every error code', () => {
    expect(new Set(cases.map(({ code }) => code))).toEqual(new Set(Object.keys(UCAN_RULES)));
  });
});

describe('time bounds are inclusive, with the skew on each side', () => {
  it.each([
    ['nbf exactly now plus the skew', { nbf: NOW + 60 }],
    ['exp exactly now minus the skew', { exp: NOW - 60 }],
    ['no nbf (valid from the epoch)', { nbf: undefined }],
    ['exp null (never expires)', { exp: null }],
  ])('accepts %s', async (_name, overrides) => {
    const { token } = forge(payloadOf(realm, service, overrides), realm);
    expect((await verifyUcan(token, base)).ok).toBe(true);
  });

  it('accepts exp equal to now with no skew', async () => {
    const { token } = forge(payloadOf(realm, service, { exp: NOW }), realm);
    expect((await verifyUcan(token, { ...base, clockSkewSeconds: 0 })).ok).toBe(true);
  });
});

describe('proofs the capabilities do not need', () => {
  it('accepts a token whose unused proof cannot be resolved (spec 3.2.7)', async () => {
    const { credential, proofs } = chain({});
    const token = forge(payloadOf(service, peer, { prf: [credential.cid, PHANTOM_CID] }), service).token;
    expect((await verifyUcan(token, { ...base, proofs })).ok).toBe(true);
  });

  it('still refuses a resolved proof that is misaligned, even when unused (spec 6.2: every proof)', async () => {
    const { credential, proofs } = chain({});
    const misaligned = forge(payloadOf(realm, stranger), realm);
    proofs.set(misaligned.cid, misaligned.token);
    const token = forge(payloadOf(service, peer, { prf: [credential.cid, misaligned.cid] }), service);
    const result = await verifyUcan(token.token, { ...base, proofs });
    expect(result.ok === false && result.errors.map((error) => [error.code, error.cid])).toEqual([['UCAN_PRINCIPAL_ALIGNMENT', token.cid]]);
  });

  it('reports why a needed proof was unusable beside the attenuation failure', async () => {
    const credential = issueUcan({ issuer: realm, audience: service.did, capabilities: { 'hecate://echo/*': { 'echo/*': [{}] } }, expiration: NOW - 2 * HOUR });
    const child = forge(payloadOf(service, peer, { prf: [credential.cid], nbf: undefined, exp: NOW - 2 * HOUR }), service);
    const result = await verifyUcan(child.token, { ...base, now: NOW - 3 * HOUR, proofs: { [credential.cid]: credential.token }, isRevoked: (cid) => cid === credential.cid });
    expect(result.ok === false && result.errors.map((error) => [error.code, error.cid])).toEqual([
      ['UCAN_ATTENUATION', child.cid],
      ['UCAN_REVOKED', credential.cid],
    ]);
  });
});
