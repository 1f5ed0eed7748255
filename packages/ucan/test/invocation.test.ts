import { describe, expect, it } from 'vitest';
import {
  createInvocationVerifier,
  INVOCATION_REFUSALS,
  issueInvocation,
  issueUcan,
  parseUcan,
  ucanCid,
  UCAN_RULES,
  type Capabilities,
  type InvocationVerdict,
  type InvocationVerifierOptions,
} from '../src/index.js';
import { forge, HOUR, NOW, payloadOf, peer, realm, service, stranger } from './forge.js';

// The mesh's mapping (realm README): calling capability <name> is mesh/call on hecate://mesh/<name>.
const CHARGE = { resource: 'hecate://mesh/billing.charge', ability: 'mesh/call' };
const REFUND = { resource: 'hecate://mesh/billing.refund', ability: 'mesh/call' };
const GRANTS: Capabilities = { [CHARGE.resource]: { [CHARGE.ability]: [{}] } };
// `service` calls, `peer` (an instance of the provider) receives.
const credential = issueUcan({ issuer: realm, audience: service.did, capabilities: GRANTS, expiration: NOW + HOUR, notBefore: NOW - HOUR });

function verifier(overrides: Partial<InvocationVerifierOptions> = {}) {
  return createInvocationVerifier({ audience: peer.did, rootIssuers: [{ did: realm.did, resources: ['hecate://*'] }], now: () => NOW, ...overrides });
}

function invoke(overrides: Partial<Parameters<typeof issueInvocation>[0]> = {}) {
  const issued = issueInvocation({ issuer: service, audience: peer.did, capability: CHARGE, credential: credential.token, now: NOW, ...overrides });
  if (!issued.ok) throw new Error(issued.error.message);
  return issued.invocation;
}

function reasonOf(verdict: InvocationVerdict): string {
  return verdict.ok ? 'accepted' : verdict.error.reason;
}

describe('issueInvocation', () => {
  it('issues a one-time token for one capability, addressed to the receiver, citing the credential and carrying it', () => {
    const invocation = invoke({ lifetimeSeconds: 30 });
    const parsed = parseUcan(invocation.token);
    if (!parsed.ok) throw new Error('unparsable');
    const { payload } = parsed.ucan;
    expect(payload).toMatchObject({ iss: service.did, aud: peer.did, nbf: NOW, exp: NOW + 30, cap: GRANTS, prf: [credential.cid] });
    expect(payload.nnc).toMatch(/^[0-9a-f]{32}$/);
    expect(invocation.cid).toBe(ucanCid(invocation.token));
    expect(invocation.proofs).toEqual([credential.token]);
    expect(invoke().token).not.toBe(invoke().token);
  });

  it('never outlives the credential nor starts before it', () => {
    const ending = issueUcan({ issuer: realm, audience: service.did, capabilities: GRANTS, expiration: NOW + 10, notBefore: NOW + 5 });
    const parsed = parseUcan(invoke({ credential: ending.token }).token);
    expect(parsed.ok && [parsed.ucan.payload.nbf, parsed.ucan.payload.exp]).toEqual([NOW + 5, NOW + 10]);
  });

  it('refuses, as values, a credential that is not one, is for another principal, is not valid now, or does not grant the capability', () => {
    const attempts = {
      INVOCATION_CREDENTIAL: [{ credential: 'not a token' }, { issuer: stranger }],
      INVOCATION_CREDENTIAL_TIME: [{ now: NOW + 2 * HOUR }],
      INVOCATION_NOT_HELD: [{ capability: REFUND }],
    };
    for (const [code, list] of Object.entries(attempts))
      for (const overrides of list) {
        const issued = issueInvocation({ issuer: service, audience: peer.did, capability: CHARGE, credential: credential.token, now: NOW, ...overrides });
        expect(issued.ok === false && issued.error.code).toBe(code);
      }
    expect(() => invoke({ lifetimeSeconds: 61 })).toThrow(/lifetimeSeconds must be a whole number from 1 to 60/);
    expect(() => invoke({ audience: 'nobody' })).toThrow(TypeError);
  });

  it('checks each invocation against the credential it is given, not the one it parsed last (a renewal may grant less or more)', () => {
    const refundOnly = issueUcan({ issuer: realm, audience: service.did, capabilities: { [REFUND.resource]: { [REFUND.ability]: [{}] } }, expiration: NOW + HOUR });
    const attempt = (token: string, capability: typeof CHARGE) => {
      const issued = issueInvocation({ issuer: service, audience: peer.did, capability, credential: token, now: NOW });
      return issued.ok ? parseUcan(issued.invocation.token).ok && issued.invocation.proofs[0] : issued.error.code;
    };
    expect(attempt(credential.token, CHARGE)).toBe(credential.token);
    expect(attempt(refundOnly.token, CHARGE)).toBe('INVOCATION_NOT_HELD');
    expect(attempt(refundOnly.token, REFUND)).toBe(refundOnly.token);
    expect(attempt(credential.token, REFUND)).toBe('INVOCATION_NOT_HELD');
    expect(attempt(credential.token, CHARGE)).toBe(credential.token);
  });
});

describe('createInvocationVerifier', () => {
  it('accepts an invocation once, naming its issuer; a replay is refused, also when both arrive together', async () => {
    const receiver = verifier();
    const invocation = invoke();
    const verdict = await receiver.verify(invocation.token, invocation.proofs, CHARGE);
    expect(verdict.ok && [verdict.invocation.cid, verdict.invocation.issuer, verdict.invocation.expiresAt]).toEqual([invocation.cid, service.did, NOW + 60]);
    const replay = await receiver.verify(invocation.token, invocation.proofs, CHARGE);
    expect(replay.ok === false && replay.error.message).toBe(`replayed: invocation ${invocation.cid} was accepted before (rule broken: ${INVOCATION_REFUSALS.replayed.rule})`);

    const twin = invoke();
    const together = await Promise.all([receiver.verify(twin.token, twin.proofs, CHARGE), receiver.verify(twin.token, twin.proofs, CHARGE)]);
    expect(together.map(reasonOf).sort()).toEqual(['accepted', 'replayed']);
  });

  it('forgets an invocation once it has expired, and refuses it then as expired, not replayed', async () => {
    let now = NOW;
    const receiver = verifier({ now: () => now, clockSkewSeconds: 0 });
    const invocation = invoke({ lifetimeSeconds: 5 });
    expect(reasonOf(await receiver.verify(invocation.token, invocation.proofs, CHARGE))).toBe('accepted');
    expect(receiver.replayCache.size).toBe(1);
    now = NOW + 6;
    expect(reasonOf(await receiver.verify(invocation.token, invocation.proofs, CHARGE))).toBe('expired');
    expect(receiver.replayCache.size).toBe(0);
  });

  it('refuses each kind of bad invocation with its reason, and accepts the token once a refusal no longer applies', async () => {
    const receiver = verifier();
    const misaddressed = invoke({ audience: stranger.did });
    const selfMade = issueUcan({ issuer: service, audience: peer.did, capabilities: GRANTS, expiration: NOW + 60, nonce: 'n' });
    const escalated = issueUcan({ issuer: service, audience: peer.did, capabilities: { [REFUND.resource]: { [REFUND.ability]: [{}] } }, notBefore: NOW, expiration: NOW + 60, nonce: 'n', proofs: [credential.cid] });
    const otherRealm = issueUcan({ issuer: stranger, audience: service.did, capabilities: GRANTS, expiration: NOW + HOUR });
    const foreign = invoke({ credential: otherRealm.token });
    const noNonce = issueUcan({ issuer: service, audience: peer.did, capabilities: GRANTS, notBefore: NOW, expiration: NOW + 60, proofs: [credential.cid] });
    const longLived = issueUcan({ issuer: service, audience: peer.did, capabilities: GRANTS, notBefore: NOW, expiration: NOW + HOUR, nonce: 'n', proofs: [credential.cid] });
    const stale = invoke({ now: NOW - 200 });
    const tampered = forge(payloadOf(service, peer, { nnc: 'n', exp: NOW + 60, cap: GRANTS, prf: [credential.cid] }), stranger);
    const expiredCredential = issueUcan({ issuer: realm, audience: service.did, capabilities: GRANTS, expiration: NOW - HOUR });
    const onExpired = issueUcan({ issuer: service, audience: peer.did, capabilities: GRANTS, expiration: NOW - HOUR, nonce: 'n', proofs: [expiredCredential.cid] });
    const cases: [string, unknown, readonly unknown[], typeof CHARGE][] = [
      ['malformed', 'eyJ.not.a-token', [], CHARGE],
      ['malformed', invoke().token, Array.from({ length: 65 }, () => credential.token), CHARGE],
      ['not_an_invocation', noNonce.token, [credential.token], CHARGE],
      ['not_an_invocation', longLived.token, [credential.token], CHARGE],
      ['misaddressed', misaddressed.token, misaddressed.proofs, CHARGE],
      ['expired', stale.token, stale.proofs, CHARGE],
      ['expired', onExpired.token, [expiredCredential.token], CHARGE],
      ['bad_signature', tampered.token, [credential.token], CHARGE],
      ['broken_chain', invoke().token, [], CHARGE],
      ['escalated', selfMade.token, [], CHARGE],
      ['escalated', escalated.token, [credential.token], REFUND],
      ['escalated', foreign.token, foreign.proofs, CHARGE],
      ['not_granted', invoke().token, [credential.token], REFUND],
    ];
    for (const [reason, token, proofs, capability] of cases) {
      const verdict = await receiver.verify(token, proofs, capability);
      expect([reason, reasonOf(verdict)]).toEqual([reason, reason]);
      if (verdict.ok) continue;
      // Code first, then the broken rule the reason stands for: never the rule's text beside the code, as if it held.
      const codes: readonly string[] = INVOCATION_REFUSALS[verdict.error.reason].codes;
      const leading = verdict.error.errors.length === 0 ? undefined : verdict.error.message.slice(`${reason}: `.length).split(' ')[0];
      expect([verdict.error.message.startsWith(`${reason}: `), leading === undefined || codes.includes(leading)]).toEqual([true, true]);
      expect(verdict.error.message).toContain(' (rule broken: ');
    }
    expect(receiver.replayCache.size).toBe(0);
    expect(reasonOf(await verifier({ audience: stranger.did }).verify(misaddressed.token, misaddressed.proofs, CHARGE))).toBe('accepted');
  });

  it('refuses an invocation on a revoked credential as revoked, naming the revocation first and the rule it breaks', async () => {
    const receiver = verifier({ isRevoked: (cid) => cid === credential.cid });
    const invocation = invoke();
    const verdict = await receiver.verify(invocation.token, invocation.proofs, CHARGE);
    expect(verdict.ok === false && verdict.error.reason).toBe('revoked');
    expect(verdict.ok === false && verdict.error.message).toMatch(
      new RegExp(`^revoked: UCAN_REVOKED in token ${credential.cid}: the token is on the revocation list \\(rule broken: no token of the chain is revoked\\)`),
    );
  });

  it('maps every UCAN rule to exactly one reason', () => {
    const mapped = Object.values(INVOCATION_REFUSALS).flatMap((refusal) => refusal.codes as readonly string[]);
    expect(mapped.sort()).toEqual(Object.keys(UCAN_RULES).sort());
  });

  it('refuses a revoked credential, also after its chain was cached', async () => {
    const revoked = new Set<string>();
    const receiver = verifier({ isRevoked: (cid) => revoked.has(cid) });
    const first = invoke();
    expect(reasonOf(await receiver.verify(first.token, first.proofs, CHARGE))).toBe('accepted');
    expect(receiver.proofCache.size).toBe(1);
    revoked.add(credential.cid);
    const second = invoke();
    const verdict = await receiver.verify(second.token, second.proofs, CHARGE);
    expect(verdict.ok === false && [verdict.error.reason, verdict.error.errors.find((error) => error.code === 'UCAN_REVOKED')?.cid]).toEqual(['revoked', credential.cid]);
    const own = invoke();
    revoked.add(own.cid);
    expect(reasonOf(await receiver.verify(own.token, own.proofs, CHARGE))).toBe('revoked');
  });

  it('refuses a revoked credential whose chain was cached when isRevoked answers asynchronously too', async () => {
    const revoked = new Set<string>();
    const receiver = verifier({ isRevoked: async (cid) => revoked.has(cid) });
    const first = invoke();
    expect(reasonOf(await receiver.verify(first.token, first.proofs, CHARGE))).toBe('accepted');
    revoked.add(credential.cid);
    const second = invoke();
    expect(reasonOf(await receiver.verify(second.token, second.proofs, CHARGE))).toBe('revoked');
  });

  it('verifies a warm call with its proofs from the cache: a credential seen before need not be carried again', async () => {
    const receiver = verifier();
    const first = invoke();
    expect(reasonOf(await receiver.verify(first.token, first.proofs, CHARGE))).toBe('accepted');
    const second = invoke();
    expect(reasonOf(await receiver.verify(second.token, [], CHARGE))).toBe('accepted');
    expect(reasonOf(await verifier().verify(invoke().token, [], CHARGE))).toBe('broken_chain');
  });

  it('refuses new invocations while its replay cache is full of unexpired ones, rather than forget one', async () => {
    let now = NOW;
    const receiver = verifier({ replayCache: { maxEntries: 2 }, now: () => now, clockSkewSeconds: 0 });
    for (let index = 0; index < 2; index += 1) {
      const invocation = invoke({ lifetimeSeconds: 10 });
      expect(reasonOf(await receiver.verify(invocation.token, invocation.proofs, CHARGE))).toBe('accepted');
    }
    const third = invoke({ lifetimeSeconds: 10 });
    expect(reasonOf(await receiver.verify(third.token, third.proofs, CHARGE))).toBe('replay_cache_full');
    now = NOW + 11;
    const later = invoke({ now, lifetimeSeconds: 10 });
    expect(reasonOf(await receiver.verify(later.token, later.proofs, CHARGE))).toBe('accepted');
  });
});
