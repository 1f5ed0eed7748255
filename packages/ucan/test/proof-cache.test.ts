import { describe, expect, it } from 'vitest';
import { issueUcan, ProofCache, verifyUcan, type Capabilities, type VerifyOptions } from '../src/index.js';
import { HOUR, NOW, peer, realm, service, stranger } from './forge.js';

const ECHO: Capabilities = { 'hecate://echo/*': { 'echo/*': [{}] } };

/** realm → service → peer → stranger, each link a proof of the next; the last is verified. */
function chainOfThree(expiration = NOW + HOUR) {
  const first = issueUcan({ issuer: realm, audience: service.did, capabilities: ECHO, expiration });
  const second = issueUcan({ issuer: service, audience: peer.did, capabilities: ECHO, expiration, proofs: [first.cid] });
  const third = issueUcan({ issuer: peer, audience: stranger.did, capabilities: ECHO, expiration, proofs: [second.cid] });
  const tokens = new Map([first, second].map((issued) => [issued.cid, issued.token]));
  const asked: string[] = [];
  const proofs = (cid: string): string | undefined => (asked.push(cid), tokens.get(cid));
  return { first, second, third, asked, proofs };
}

describe('ProofCache: verified proofs reused by CID (UCAN 0.10, 9.2)', () => {
  it('verifies a chain seen before without looking its proofs up again, with the same authority', async () => {
    const { first, second, third, asked, proofs } = chainOfThree();
    const proofCache = new ProofCache();
    const options: VerifyOptions = { rootIssuers: [realm.did], now: NOW, proofs, proofCache };
    const cold = await verifyUcan(third.token, options);
    expect(asked).toEqual([second.cid, first.cid]);
    expect(proofCache.size).toBe(2);
    const warm = await verifyUcan(third.token, options);
    expect(asked).toEqual([second.cid, first.cid]);
    if (!cold.ok || !warm.ok) throw new Error('refused');
    expect(warm.ucan.authority).toEqual(cold.ucan.authority);
    expect(warm.ucan.proofs[0]?.cid).toBe(second.cid);
  });

  it('serves a cached proof to another token citing it, which then needs only its own signature checked', async () => {
    const { first, second, asked, proofs } = chainOfThree();
    const proofCache = new ProofCache();
    const options: VerifyOptions = { rootIssuers: [realm.did], now: NOW, proofs, proofCache };
    const a = issueUcan({ issuer: peer, audience: stranger.did, capabilities: ECHO, expiration: NOW + 60, nonce: 'a', proofs: [second.cid] });
    const b = issueUcan({ issuer: peer, audience: stranger.did, capabilities: ECHO, expiration: NOW + 60, nonce: 'b', proofs: [second.cid] });
    expect((await verifyUcan(a.token, options)).ok).toBe(true);
    expect((await verifyUcan(b.token, options)).ok).toBe(true);
    expect(asked).toEqual([second.cid, first.cid]);
  });

  it('never serves an expired proof: the chain fails as it would uncached, and the expired entry met goes', async () => {
    const { second, proofs } = chainOfThree(NOW + 100);
    // Outliving its proof breaks a rule of its own, so this token reaches its proofs after they expire.
    const outliving = issueUcan({ issuer: peer, audience: stranger.did, capabilities: ECHO, expiration: NOW + 200, proofs: [second.cid] });
    const proofCache = new ProofCache();
    const options: VerifyOptions = { rootIssuers: [realm.did], now: NOW, proofs, proofCache, clockSkewSeconds: 0 };
    await verifyUcan(outliving.token, options);
    expect(proofCache.size).toBe(2);
    const later = { ...options, now: NOW + 150 };
    const uncached = await verifyUcan(outliving.token, { ...later, proofCache: undefined });
    expect(uncached.ok === false && uncached.errors.map((error) => error.code)).toContain('UCAN_EXPIRED');
    expect(await verifyUcan(outliving.token, later)).toEqual(uncached);
    // The expired proof met goes; the one below it, never reached, goes when it is next met.
    expect(proofCache.size).toBe(1);
  });

  it('refuses a chain whose cached proof was revoked since, and evicts it', async () => {
    const { first, third, proofs } = chainOfThree();
    const proofCache = new ProofCache();
    const revoked = new Set<string>();
    const options: VerifyOptions = { rootIssuers: [realm.did], now: NOW, proofs, proofCache, isRevoked: (cid) => revoked.has(cid) };
    expect((await verifyUcan(third.token, options)).ok).toBe(true);
    revoked.add(first.cid);
    const result = await verifyUcan(third.token, options);
    expect(result.ok === false && result.errors.map((error) => error.code)).toContain('UCAN_REVOKED');
    expect(result.ok === false && result.errors.find((error) => error.code === 'UCAN_REVOKED')?.cid).toBe(first.cid);
    expect(proofCache.size).toBe(0);
  });

  it('still bounds the chain by maxProofDepth and maxProofs when its proofs are cached', async () => {
    const { third, proofs } = chainOfThree();
    const proofCache = new ProofCache();
    const options: VerifyOptions = { rootIssuers: [realm.did], now: NOW, proofs, proofCache };
    expect((await verifyUcan(third.token, options)).ok).toBe(true);
    for (const limits of [{ maxProofDepth: 1 }, { maxProofs: 1 }]) {
      const uncached = await verifyUcan(third.token, { ...options, ...limits, proofCache: undefined });
      expect(uncached.ok === false && uncached.errors.map((error) => error.code)).toContain('UCAN_PROOF_LIMIT');
      expect(await verifyUcan(third.token, { ...options, ...limits })).toEqual(uncached);
    }
  });

  it('keeps at most maxEntries proofs and maxBytes, dropping the least recently used first', async () => {
    const proofCache = new ProofCache({ maxEntries: 2 });
    const credentials = ['a', 'b', 'c'].map((nonce) => issueUcan({ issuer: realm, audience: service.did, capabilities: ECHO, expiration: NOW + HOUR, nonce }));
    const tokens = new Map(credentials.map((issued) => [issued.cid, issued.token]));
    const verifyCiting = (cid: string) => {
      const child = issueUcan({ issuer: service, audience: peer.did, capabilities: ECHO, expiration: NOW + 60, proofs: [cid] });
      return verifyUcan(child.token, { rootIssuers: [realm.did], now: NOW, proofs: (wanted) => tokens.get(wanted), proofCache });
    };
    const [a, b, c] = credentials.map((issued) => issued.cid) as [string, string, string];
    await verifyCiting(a);
    await verifyCiting(b);
    await verifyCiting(a);
    await verifyCiting(c);
    expect(proofCache.size).toBe(2);
    tokens.delete(b);
    const withoutB = await verifyCiting(b);
    expect(withoutB.ok === false && withoutB.errors.map((error) => error.code)).toContain('UCAN_PROOF_UNRESOLVABLE');
    tokens.clear();
    expect((await verifyCiting(a)).ok).toBe(true);
    expect((await verifyCiting(c)).ok).toBe(true);

    const small = new ProofCache({ maxBytes: credentials[0]!.token.length + 256 });
    for (const issued of credentials) {
      const child = issueUcan({ issuer: service, audience: peer.did, capabilities: ECHO, expiration: NOW + 60, proofs: [issued.cid] });
      await verifyUcan(child.token, { rootIssuers: [realm.did], now: NOW, proofs: { [issued.cid]: issued.token }, proofCache: small });
      expect(small.bytes).toBeLessThanOrEqual(small.maxBytes);
    }
    expect(small.size).toBe(1);
  });

  it('serves only verifications with the trust roots it was first used with', async () => {
    const proofCache = new ProofCache();
    await verifyUcan('x', { rootIssuers: [realm.did], proofCache });
    await expect(verifyUcan('x', { rootIssuers: [stranger.did], proofCache })).rejects.toThrow(/other rootIssuers or maxTokenBytes/);
    await expect(verifyUcan('x', { rootIssuers: [realm.did], maxTokenBytes: 100, proofCache })).rejects.toThrow(TypeError);
    expect(() => new ProofCache({ maxEntries: -1 })).toThrow(/maxEntries must be a non-negative integer/);
  });
});
