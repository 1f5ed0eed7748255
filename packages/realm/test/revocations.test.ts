import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair as generateOtherKey, revocationSignatureValid, signRevocation, verifyUcan } from '@hecate-om/ucan';
import { revoke, type RevocationRecord } from '../src/index.js';
import { claim, echoPolicy, generateKeyPair, get, removeDirectory, startTestRealm, temporaryDirectory, type TestRealm } from './realm-fixture.js';

let realm: TestRealm;
const listed = generateKeyPair();

beforeAll(async () => {
  realm = await startTestRealm({ policy: echoPolicy(listed) });
});
afterAll(() => realm.stop());

async function credential(): Promise<{ token: string; cid: string }> {
  const answer = await claim(realm.realm, listed, { service: 'hecate-listed', cap: { 'hecate://listed/x': { 'listed/read': [{}] } } });
  return { token: answer.body.credential as string, cid: answer.body.cid as string };
}

describe('revocation', () => {
  it('lists a revoked credential at GET /api/v1/revocations at once, signed by the realm as UCAN 0.10 specifies', async () => {
    const { token, cid } = await credential();
    const before = (await get(realm.realm, '/api/v1/revocations')).body.revocations as RevocationRecord[];
    expect(before.map((entry) => entry.revoke)).not.toContain(cid);
    const revoked = await revoke({ dataDir: realm.dataDir, cid });
    expect(revoked).toMatchObject({ ok: true, value: { alreadyRevoked: false, revocation: { iss: realm.realm.did, revoke: cid } } });

    const after = (await get(realm.realm, '/api/v1/revocations')).body.revocations as RevocationRecord[];
    const entry = after.find((candidate) => candidate.revoke === cid);
    expect(entry).toEqual({ iss: realm.realm.did, revoke: cid, challenge: expect.stringMatching(/^[A-Za-z0-9+/]{86}$/), revokedAt: expect.any(Number) });
    expect(revocationSignatureValid(entry as RevocationRecord)).toBe(true);

    // A verifier that consults the list refuses the credential.
    const revokedCids = new Set(after.map((candidate) => candidate.revoke));
    const verified = await verifyUcan(token, { rootIssuers: [realm.realm.did], isRevoked: (candidate) => revokedCids.has(candidate) });
    expect(verified).toMatchObject({ ok: false, errors: [{ code: 'UCAN_REVOKED', cid }] });
  });

  it('keeps the first record when a CID is revoked twice', async () => {
    const { cid } = await credential();
    const first = await revoke({ dataDir: realm.dataDir, cid });
    const second = await revoke({ dataDir: realm.dataDir, cid });
    expect(second).toEqual({ ok: true, value: { alreadyRevoked: true, revocation: first.ok ? first.value.revocation : undefined } });
  });

  it('refuses what is not a canonical UCAN CID, and a data directory without a realm key', async () => {
    expect(await revoke({ dataDir: realm.dataDir, cid: 'bafy-not-a-cid' })).toMatchObject({ ok: false, error: { code: 'INVALID_CID' } });
    const empty = await temporaryDirectory();
    try {
      const { cid } = await credential();
      expect(await revoke({ dataDir: empty, cid })).toMatchObject({ ok: false, error: { code: 'NO_REALM_KEY', message: `${join(empty, 'realm.key')}: no realm key: start the realm once to create it` } });
    } finally {
      await removeDirectory(empty);
    }
  });

  it('signs `REVOKE:<cid>` so that a record from another key, or for another CID, does not verify', async () => {
    const other = generateOtherKey();
    const { cid } = await credential();
    const record = signRevocation(other, cid);
    expect(revocationSignatureValid(record)).toBe(true);
    expect(revocationSignatureValid({ ...record, iss: realm.realm.did })).toBe(false);
    const { cid: otherCid } = await credential();
    expect(revocationSignatureValid({ ...record, revoke: otherCid })).toBe(false);
  });

  it('answers 500 without the particulars, and logs the file, when a revocation on file is not the realm’s', async () => {
    const own = await startTestRealm({ policy: echoPolicy(listed) });
    try {
      const { cid } = await credential();
      const forged = { ...signRevocation(generateOtherKey(), cid), revokedAt: 1 };
      const file = join(own.dataDir, 'revocations', `${cid}.json`);
      await writeFile(file, JSON.stringify(forged), { mode: 0o600 });
      const answer = await get(own.realm, '/api/v1/revocations');
      expect(answer.status).toBe(500);
      expect(answer.body.error?.code).toBe('INTERNAL_ERROR');
      expect(answer.body.error?.message).not.toContain(file);
      expect(own.lines.at(-1)).toMatchObject({ level: 'error', file, error: `${file}: $.iss is ${forged.iss}, not this realm (${own.realm.did})` });
    } finally {
      await own.stop();
    }
  });
});
