// Property-based fuzzing: parseUcan and verifyUcan turn any input into a result value (never a
// throw), and the work a proof chain can ask for stays within the configured limits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issueUcan, parseUcan, ucanCid, UCAN_RULES, verifyUcan, type VerifyOptions } from '../src/index.js';
import { forge, HOUR, NOW, payloadOf, peer, realm, segment, service } from './forge.js';

const CODES = new Set(Object.keys(UCAN_RULES));
const base: VerifyOptions = { rootIssuers: [realm.did], now: NOW };

/** Arbitrary JSON-ish values, including the shapes a payload field might wrongly take. */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.constantFrom('did:key:z6Mk', realm.did, '0.10.0', 'hecate://echo/*', 'echo/*', '*', 'ucan:*', 'bafkreihogico5an3e2xy3fykalfwxxry7itbhfcgq6f47sif6d7w6uk2ze'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Payloads near the valid one: each field kept, dropped or replaced by an arbitrary value. */
const payloadish = fc
  .record({
    drop: fc.subarray(['ucv', 'iss', 'aud', 'nbf', 'exp', 'nnc', 'fct', 'cap', 'prf']),
    replace: fc.dictionary(fc.constantFrom('ucv', 'iss', 'aud', 'nbf', 'exp', 'nnc', 'fct', 'cap', 'prf', 'extra'), jsonValue, { maxKeys: 3 }),
  })
  .map(({ drop, replace }) => {
    const payload = payloadOf(realm, service, replace);
    for (const field of drop) delete payload[field];
    return payload;
  });

const tokenish = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.array(fc.base64String(), { maxLength: 5 }).map((parts) => parts.join('.')),
  fc.tuple(jsonValue, jsonValue, fc.base64String()).map(([header, payload, signature]) => `${segment(header)}.${segment(payload)}.${signature}`),
  payloadish.map((payload) => forge(payload, realm).token),
  fc.tuple(payloadish, jsonValue).map(([payload, header]) => forge(payload, realm, header).token),
  fc.anything(),
);

function expectErrorValues(errors: { code: string; cid: string; message: string }[]): void {
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(CODES.has(error.code)).toBe(true);
    expect(typeof error.cid).toBe('string');
    expect(error.message.startsWith(`${error.code} in `)).toBe(true);
  }
}

describe('fuzzing', () => {
  it('parseUcan returns a result for any input and never throws', () => {
    fc.assert(
      fc.property(tokenish, (token) => {
        const result = parseUcan(token);
        if (!result.ok) expectErrorValues(result.errors);
        else expect(result.ucan.cid).toBe(ucanCid(result.ucan.token));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a signature segment as non-canonical exactly when decoding and re-encoding it spells it otherwise', () => {
    const [header, payload] = issueUcan({ issuer: realm, audience: service.did, capabilities: {}, expiration: NOW + HOUR }).token.split('.');
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{0,90}$/), (signature) => {
        const result = parseUcan(`${header}.${payload}.${signature}`);
        const canonical = signature.length % 4 !== 1 && Buffer.from(signature, 'base64url').toString('base64url') === signature;
        const refusedAsUnused = !result.ok && result.errors.some((error) => error.message.includes('unused bits'));
        expect(refusedAsUnused).toBe(signature.length % 4 !== 1 && !canonical);
      }),
      { numRuns: 3000 },
    );
  });

  it('verifyUcan resolves to a result for any input and any proof table, and never throws', async () => {
    const valid = issueUcan({ issuer: realm, audience: service.did, capabilities: { 'hecate://echo/*': { 'echo/*': [{}] } }, expiration: NOW + HOUR });
    await fc.assert(
      fc.asyncProperty(tokenish, fc.array(tokenish, { maxLength: 3 }), async (token, proofTokens) => {
        const proofs = new Map<string, string>([[valid.cid, valid.token]]);
        for (const proof of proofTokens) if (typeof proof === 'string') proofs.set(ucanCid(proof), proof);
        const result = await verifyUcan(token, { ...base, proofs });
        if (!result.ok) expectErrorValues(result.errors);
      }),
      { numRuns: 1000 },
    );
  });

  it('asks for at most maxProofs proofs and at most maxProofDepth levels, however the chain is built', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 12 }), async (length, fanOut, maxProofs) => {
        // A chain `length` deep where every token lists `fanOut` proofs (only the first resolves).
        const tokens = new Map<string, string>();
        let previous = issueUcan({ issuer: realm, audience: service.did, capabilities: {}, expiration: NOW + HOUR });
        tokens.set(previous.cid, previous.token);
        for (let index = 0; index < length; index += 1) {
          const missing = Array.from({ length: fanOut - 1 }, (_, n) => ucanCid(`missing ${index} ${n}`));
          previous = issueUcan({ issuer: service, audience: service.did, capabilities: {}, expiration: NOW + HOUR, proofs: [previous.cid, ...missing], nonce: String(index) });
          tokens.set(previous.cid, previous.token);
        }
        let asked = 0;
        const result = await verifyUcan(previous.token, { ...base, maxProofs, maxProofDepth: 5, proofs: (cid) => (asked += 1, tokens.get(cid)) });
        expect(asked).toBeLessThanOrEqual(maxProofs);
        if (!result.ok) expectErrorValues(result.errors);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a chain past maxProofDepth with UCAN_PROOF_LIMIT on the proof too deep', async () => {
    let previous = issueUcan({ issuer: realm, audience: service.did, capabilities: { 'hecate://echo': { 'echo/read': [{}] } }, expiration: NOW + HOUR });
    const tokens = new Map([[previous.cid, previous.token]]);
    const cids = [previous.cid];
    for (let index = 0; index < 10; index += 1) {
      previous = issueUcan({ issuer: service, audience: service.did, capabilities: { 'hecate://echo': { 'echo/read': [{}] } }, expiration: NOW + HOUR, proofs: [previous.cid], nonce: String(index) });
      tokens.set(previous.cid, previous.token);
      cids.unshift(previous.cid);
    }
    const result = await verifyUcan(previous.token, { ...base, proofs: tokens });
    // The top token is depth 0; the proof at depth 9 is past the default limit of 8.
    expect(result.ok === false && result.errors.find((error) => error.code === 'UCAN_PROOF_LIMIT')?.cid).toBe(cids[9]);
  });

  it('keeps a peer-issued chain valid only through its proofs (sanity of the fuzz generators)', async () => {
    const proof = forge(payloadOf(realm, peer), realm);
    const child = forge(payloadOf(peer, service, { prf: [proof.cid] }), peer);
    expect((await verifyUcan(child.token, { ...base, proofs: { [proof.cid]: proof.token } })).ok).toBe(true);
  });
});
