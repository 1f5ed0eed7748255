import { generateKeyPair, issueUcan, type KeyPair } from '@hecate-om/ucan';
import { describe, expect, it } from 'vitest';
import { checkCredential, type Credential } from '../src/identity/credential.js';
import { createServiceIdentity } from '../src/identity/service-identity.js';

const ASKED = { 'hecate://echo/*': { 'echo/answer': [{}], 'echo/read': [{}] } };
const NOW = Math.floor(Date.now() / 1000);

/** A realm, a service holding a credential it granted, and a caller the service delegates to. */
function world(revoked: Set<string> = new Set()) {
  const realm = generateKeyPair();
  const service = generateKeyPair();
  const caller = generateKeyPair();
  const issued = issueUcan({ issuer: realm, audience: service.did, capabilities: ASKED, notBefore: NOW - 10, expiration: NOW + 600 });
  const credential: Credential = { token: issued.token, cid: issued.cid, capabilities: ASKED, notBefore: NOW - 10, expiresAt: NOW + 600 };
  const identityOf = (key: KeyPair, held: Credential | undefined) =>
    createServiceIdentity({ key, realmDid: realm.did, credential: () => held, revoked: () => revoked, nowSeconds: () => NOW });
  return { realm, service, caller, credential, identity: identityOf(service, credential), identityOf };
}

describe('checkCredential', () => {
  it('accepts a credential from the pinned realm to this DID within what was asked', async () => {
    const { realm, service, credential } = world();
    const checked = await checkCredential(credential.token, { realmDid: realm.did, did: service.did, asked: ASKED, now: NOW, revoked: new Set() });
    expect(checked).toEqual({ ok: true, credential });
  });

  it('refuses a credential granting more than was asked, naming what', async () => {
    const { realm, service } = world();
    const token = issueUcan({ issuer: realm, audience: service.did, capabilities: { 'hecate://*': { '*': [{}] } }, expiration: NOW + 60 }).token;
    const checked = await checkCredential(token, { realmDid: realm.did, did: service.did, asked: ASKED, now: NOW, revoked: new Set() });
    expect(checked).toMatchObject({ ok: false, code: 'CREDENTIAL_EXCEEDS_REQUEST', message: expect.stringMatching(/ grants \* on hecate:\/\/\*, which this service did not ask for$/) });
  });

  it('refuses a revoked, an expired, a misaddressed and a foreign credential with their own codes', async () => {
    const { realm, service, credential } = world();
    const expect_ = { realmDid: realm.did, did: service.did, asked: ASKED, now: NOW, revoked: new Set<string>() };
    const codeOf = async (token: string, overrides = {}) => {
      const checked = await checkCredential(token, { ...expect_, ...overrides });
      return checked.ok ? 'ok' : checked.code;
    };
    expect(await codeOf(credential.token, { revoked: new Set([credential.cid]) })).toBe('CREDENTIAL_REVOKED');
    expect(await codeOf(credential.token, { now: NOW + 3600 })).toBe('CREDENTIAL_EXPIRED');
    expect(await codeOf(credential.token, { did: generateKeyPair().did })).toBe('CREDENTIAL_WRONG_AUDIENCE');
    expect(await codeOf(credential.token, { realmDid: generateKeyPair().did })).toBe('CREDENTIAL_WRONG_ISSUER');
    expect(await codeOf('not.a.token')).toBe('CREDENTIAL_INVALID');
  });
});

describe('opts.identity', () => {
  it('delegates an attenuated token that the audience verifies back to the realm', async () => {
    const { service, caller, credential, identity, identityOf } = world();
    expect([identity.did, identity.credential]).toEqual([service.did, credential.token]);
    const delegated = await identity.delegate(caller.did, { 'hecate://echo/inbox': { 'echo/read': [{}] } }, 60);
    if (!delegated.ok) throw new Error(delegated.error.message);
    expect(delegated.proofs).toEqual([credential.token]);

    // The caller presents the token back to the service itself, addressed to it.
    const back = await identityOf(caller, undefined).delegate(service.did, {}, 60);
    expect(back).toMatchObject({ ok: false, error: { code: 'NO_CREDENTIAL' } });
    const invoke = issueUcan({
      issuer: caller,
      audience: service.did,
      capabilities: { 'hecate://echo/inbox': { 'echo/read': [{}] } },
      notBefore: NOW - 10,
      expiration: NOW + 30,
      proofs: [delegated.cid],
    });
    const verified = await identity.verify(invoke.token, { resource: 'hecate://echo/inbox', ability: 'echo/read' }, [delegated.token, credential.token]);
    expect(verified).toEqual({ ok: true, issuer: caller.did, cid: invoke.cid });

    const notGranted = await identity.verify(invoke.token, { resource: 'hecate://echo/inbox', ability: 'echo/answer' }, [delegated.token, credential.token]);
    expect(notGranted).toMatchObject({ ok: false, error: { code: 'CAPABILITY_NOT_GRANTED' } });
    const withoutChain = await identity.verify(invoke.token, { resource: 'hecate://echo/inbox', ability: 'echo/read' });
    expect(withoutChain).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^UCAN_/) } });
  });

  it('never delegates beyond its credential: not more capabilities, not past its expiry', async () => {
    const { caller, credential, identity } = world();
    const beyond = await identity.delegate(caller.did, { 'hecate://billing/*': { 'billing/charge': [{}] } }, 60);
    expect(beyond).toEqual({
      ok: false,
      error: { code: 'CAPABILITY_NOT_HELD', message: `the credential ${credential.cid} does not grant billing/charge on hecate://billing/*` },
    });
    const long = await identity.delegate(caller.did, { 'hecate://echo/*': { 'echo/read': [{}] } }, 86_400);
    if (!long.ok) throw new Error(long.error.message);
    expect(JSON.parse(Buffer.from(long.token.split('.')[1] ?? '', 'base64url').toString()).exp).toBe(credential.expiresAt);
    expect(await identity.delegate('did:web:example.com', {}, 60)).toMatchObject({ ok: false, error: { code: 'INVALID_AUDIENCE' } });
    expect(await identity.delegate(caller.did, {}, 0)).toMatchObject({ ok: false, error: { code: 'INVALID_LIFETIME' } });
  });

  it('refuses a caller whose chain includes a revoked token', async () => {
    const revoked = new Set<string>();
    const { service, caller, credential, identity } = world(revoked);
    const delegated = await identity.delegate(caller.did, { 'hecate://echo/*': { 'echo/read': [{}] } }, 60);
    if (!delegated.ok) throw new Error(delegated.error.message);
    const invoke = issueUcan({ issuer: caller, audience: service.did, capabilities: { 'hecate://echo/x': { 'echo/read': [{}] } }, notBefore: NOW - 10, expiration: NOW + 30, proofs: [delegated.cid] });
    revoked.add(credential.cid);
    const verified = await identity.verify(invoke.token, { resource: 'hecate://echo/x', ability: 'echo/read' }, [delegated.token, credential.token]);
    expect(verified).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^UCAN_/), message: expect.stringContaining(`${credential.cid}: the token is on the revocation list`) } });
  });
});
