import { describe, expect, it } from 'vitest';
import { readRevocationList, revocationSignatureValid, signRevocation } from '../src/index.js';
import { forge, payloadOf, realm, service, stranger } from './forge.js';

describe('revocations (spec 6.6)', () => {
  const cid = forge(payloadOf(realm, service), realm).cid;
  const other = forge(payloadOf(realm, service, { nnc: 'another' }), realm).cid;

  it('signs REVOKE:<cid> so that only that issuer and that CID check out', () => {
    const revocation = signRevocation(realm, cid);
    expect(revocation).toEqual({ iss: realm.did, revoke: cid, challenge: expect.stringMatching(/^[A-Za-z0-9+/]{86}$/) });
    expect(revocationSignatureValid(revocation)).toBe(true);
    expect(revocationSignatureValid({ ...revocation, iss: stranger.did })).toBe(false);
    expect(revocationSignatureValid({ ...revocation, revoke: other })).toBe(false);
    expect(revocationSignatureValid({ ...revocation, iss: 'did:key:nonsense' })).toBe(false);
    expect(revocationSignatureValid({ ...revocation, challenge: 'AAAA' })).toBe(false);
  });

  it("reads a realm's list: revokes by trusted, validly signed entries only, and says why it ignores each other one", () => {
    const list = {
      revocations: [
        { ...signRevocation(realm, cid), revokedAt: 1 },
        signRevocation(stranger, other),
        { ...signRevocation(realm, other), challenge: signRevocation(realm, cid).challenge },
        { iss: realm.did, revoke: 7 },
        null,
      ],
    };
    const result = readRevocationList(list, [realm.did]);
    expect(result.ok && [...result.revoked]).toEqual([cid]);
    expect(result.ok && result.ignored).toEqual([
      { path: '$.revocations[1]', reason: 'untrusted-issuer', message: `is issued by ${stranger.did}, not by ${realm.did}` },
      { path: '$.revocations[2]', reason: 'bad-signature', message: `its challenge is not ${realm.did}'s signature over REVOKE:${other}` },
      { path: '$.revocations[3]', reason: 'malformed', message: 'is not a revocation { iss, revoke, challenge } of strings' },
      { path: '$.revocations[4]', reason: 'malformed', message: 'is not a revocation { iss, revoke, challenge } of strings' },
    ]);
    expect(readRevocationList([signRevocation(stranger, other)], [realm.did, stranger.did])).toEqual({ ok: true, revoked: new Set([other]), ignored: [] });
  });

  it('refuses what is no list, and a list too long to be one', () => {
    expect(readRevocationList({ revoked: [] }, [realm.did])).toEqual({ ok: false, message: 'is neither a list of revocations nor an object with one under "revocations"' });
    expect(readRevocationList('[]', [realm.did]).ok).toBe(false);
    expect(readRevocationList(new Array(100_001).fill(null), [realm.did])).toEqual({ ok: false, message: 'holds 100001 revocations, more than 100000' });
  });
});
