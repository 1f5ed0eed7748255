import type { MeshProvider } from '@hecate-om/contract';
import { generateKeyPair, issueUcan, parseUcan } from '@hecate-om/ucan';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { UNAUTHORIZED_CALLS } from '../src/mesh/authorization.js';
import { createInvocationAuthorization, INVOCATION_HEADER, PROOFS_HEADER, type MeshIdentity } from '../src/mesh/invocation-authorization.js';

const realm = generateKeyPair();
const caller = generateKeyPair();
const providerKey = generateKeyPair();
const now = Math.floor(Date.now() / 1000);
const credential = issueUcan({ issuer: realm, audience: caller.did, capabilities: { 'hecate://mesh/echo.say': { 'mesh/call': [{}] } }, expiration: now + 3600 }).token;
const SAY = { name: 'echo.say', version: 1 };

function provider(did: string, realmDid: string = realm.did): MeshProvider {
  return { service: 'hecate-echo', serviceVersion: '1.0.0', instance: 'i1', did, realm: realmDid, capability: 'echo.say', version: 1, subject: 'hecate.mesh.echo.say.v1.i1', health: 'ok' };
}

/** `held` null: the instance holds no credential. */
function identityOf(key = caller, held: string | null = credential): MeshIdentity {
  return { key, realmDid: realm.did, credential: () => held ?? undefined, revoked: () => new Set() };
}

function logged() {
  const lines: { level: string; message: string; variable?: string }[] = [];
  const log = createLogger({ level: 'info', service: { name: 'echo', version: '1.0.0' }, write: (line) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('createInvocationAuthorization', () => {
  it('attaches an invocation addressed to the provider, with the credential, that the provider accepts once', async () => {
    const { log } = logged();
    const callerSide = createInvocationAuthorization({ setting: 'on', identity: () => identityOf(), log });
    const providerSide = createInvocationAuthorization({ setting: 'on', identity: () => identityOf(providerKey, null), log });
    const attached = await callerSide.attach(provider(providerKey.did), 'echo.say');
    if (!attached.ok) throw new Error(attached.error.message);
    const token = attached.headers[INVOCATION_HEADER] ?? '';
    const parsed = parseUcan(token);
    expect(parsed.ok && [parsed.ucan.payload.aud, parsed.ucan.payload.cap]).toEqual([providerKey.did, { 'hecate://mesh/echo.say': { 'mesh/call': [{}] } }]);
    expect(attached.headers[PROOFS_HEADER]).toBe(credential);
    // NATS header names are case-insensitive on the wire.
    const lowerCased = { [INVOCATION_HEADER.toLowerCase()]: token, [PROOFS_HEADER.toLowerCase()]: credential };
    expect(await providerSide.authorize(SAY, lowerCased)).toEqual({ ok: true });
    expect(await providerSide.authorize(SAY, attached.headers)).toMatchObject({ ok: false, error: { code: 'unauthorized', reason: 'replayed' } });
  });

  it('refuses on the caller side what no provider would accept: no credential, a capability not granted, a provider without a DID', async () => {
    const { log } = logged();
    const without = createInvocationAuthorization({ setting: 'on', identity: () => identityOf(caller, null), log });
    expect(await without.attach(provider(providerKey.did), 'echo.say')).toMatchObject({ ok: false, error: { code: 'unauthorized', reason: 'no_credential' } });
    const held = createInvocationAuthorization({ setting: 'on', identity: () => identityOf(), log });
    expect(await held.attach(provider(providerKey.did), 'billing.charge')).toMatchObject({ ok: false, error: { code: 'unauthorized', reason: 'not_granted' } });
    expect(await held.attach(provider(''), 'echo.say')).toMatchObject({ ok: false, error: { code: 'unauthorized', reason: 'no_identity' } });
    expect(await held.authorize(SAY, {})).toMatchObject({ ok: false, error: { code: 'unauthorized', reason: 'missing' } });
  });

  it('skips before any attempt a provider of another realm or without a DID, and a provider names the realm it trusts when a chain roots elsewhere', async () => {
    const { log } = logged();
    const callerSide = createInvocationAuthorization({ setting: 'on', identity: () => identityOf(), log });
    const otherRealm = generateKeyPair();
    expect(callerSide.uncallable?.(provider(providerKey.did))).toBeUndefined();
    // createTestMesh()'s members advertise no realm: they are tried, and refuse for themselves.
    expect(callerSide.uncallable?.(provider(providerKey.did, ''))).toBeUndefined();
    expect(callerSide.uncallable?.(provider(providerKey.did, otherRealm.did))).toBe(`hecate-echo instance i1 is enrolled in realm ${otherRealm.did}, and this instance in realm ${realm.did}`);
    expect(callerSide.uncallable?.(provider(''))).toBe('hecate-echo instance i1 advertises no DID, so no call can be addressed to it');

    const providerOfOtherRealm = createInvocationAuthorization({ setting: 'on', identity: () => ({ ...identityOf(providerKey, null), realmDid: otherRealm.did }), log });
    const attached = await callerSide.attach(provider(providerKey.did), 'echo.say');
    if (!attached.ok) throw new Error(attached.error.message);
    const refused = await providerOfOtherRealm.authorize(SAY, attached.headers);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthorized', reason: 'escalated' } });
    expect(!refused.ok && refused.error.message).toMatch(new RegExp(`; this provider trusts realm ${otherRealm.did} only, so a caller enrolled in another realm is refused$`));
  });

  it('without an identity refuses every call both ways and says so once, naming the setting', async () => {
    const { log, lines } = logged();
    const none = createInvocationAuthorization({ setting: 'on', identity: undefined, log });
    expect(await none.attach(provider(providerKey.did), 'echo.say')).toMatchObject({ ok: false, error: { code: 'unauthorized', reason: 'no_identity' } });
    expect(await none.authorize(SAY, {})).toMatchObject({ ok: false, error: { code: 'unauthorized', reason: 'no_identity' } });
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', variable: 'HECATE_MESH_AUTHORIZATION', message: expect.stringContaining('has no identity (no realm configured)') })]);
  });

  it('off allows every call, attaches nothing, and shouts once', async () => {
    const { log, lines } = logged();
    expect(createInvocationAuthorization({ setting: 'off', identity: () => identityOf(), log })).toBe(UNAUTHORIZED_CALLS);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', variable: 'HECATE_MESH_AUTHORIZATION', message: expect.stringMatching(/^MESH AUTHORIZATION IS OFF/) })]);
  });
});
