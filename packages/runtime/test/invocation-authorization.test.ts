import type { MeshProvider } from '@hecate-om/contract';
import { generateKeyPair, issueInvocation, issueUcan, parseUcan, ucanCid } from '@hecate-om/ucan';
import { ServiceResponseType } from 'nats';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { PROOFS_UNKNOWN, UNAUTHORIZED_CALLS, type CallAuthorization, type CallHeaders } from '../src/mesh/authorization.js';
import { createInvocationAuthorization, INVOCATION_HEADER, meshCallCapability, PROOFS_HEADER, type MeshIdentity } from '../src/mesh/invocation-authorization.js';
import { answerCall } from '../src/mesh/answer.js';
import { callCapability, readAnswer, type SendAttempt } from '../src/mesh/caller.js';
import { HandlerRegistry } from '../src/mesh/handlers.js';
import { ProviderView } from '../src/mesh/provider-view.js';
import { endpointName, instanceSubject, METADATA } from '../src/mesh/subjects.js';

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

describe('proofs sent once per provider, then named by CID', () => {
  const invoke = (overrides: Partial<Parameters<typeof issueInvocation>[0]> = {}) => {
    const issued = issueInvocation({ issuer: caller, audience: providerKey.did, capability: meshCallCapability('echo.say'), credential, ...overrides });
    if (!issued.ok) throw new Error(issued.error.message);
    return issued.invocation;
  };

  it('carries the credential on the first call to a provider only; a provider that never verified it answers proofs_unknown', async () => {
    const { log } = logged();
    const callerSide = createInvocationAuthorization({ setting: 'on', identity: () => identityOf(), log });
    const warm = createInvocationAuthorization({ setting: 'on', identity: () => identityOf(providerKey, null), log });
    const cold = createInvocationAuthorization({ setting: 'on', identity: () => identityOf(providerKey, null), log });
    const first = await callerSide.attach(provider(providerKey.did), 'echo.say');
    const second = await callerSide.attach(provider(providerKey.did), 'echo.say');
    if (!first.ok || !second.ok) throw new Error('not attached');
    expect([first.headers[PROOFS_HEADER], PROOFS_HEADER in second.headers]).toEqual([credential, false]);
    expect(await warm.authorize(SAY, first.headers)).toEqual({ ok: true });
    expect(await warm.authorize(SAY, second.headers)).toEqual({ ok: true });
    const unknown = await cold.authorize(SAY, second.headers);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unauthorized', reason: PROOFS_UNKNOWN } });
    expect(!unknown.ok && unknown.error.message).toBe(`the call carried no ${PROOFS_HEADER} and this provider has not verified ${ucanCid(credential)} itself: send them with the call`);
    const resent = await callerSide.attach(provider(providerKey.did), 'echo.say', { carryProofs: true });
    expect(resent.ok && resent.headers[PROOFS_HEADER]).toBe(credential);
    if (resent.ok) expect(await cold.authorize(SAY, resent.headers)).toEqual({ ok: true });
  });

  it('never trusts a CID it did not verify: a forged proof is refused and not remembered, and a CID verified for one caller proves nothing for another', async () => {
    const { log } = logged();
    const providerSide = createInvocationAuthorization({ setting: 'on', identity: () => identityOf(providerKey, null), log });
    // An invocation naming the real credential's CID, carrying a token the caller made up in its place.
    const forged = issueUcan({ issuer: caller, audience: caller.did, capabilities: { 'hecate://mesh/echo.say': { 'mesh/call': [{}] } }, expiration: now + 3600 }).token;
    const cited = invoke();
    const substituted = await providerSide.authorize(SAY, { [INVOCATION_HEADER]: cited.token, [PROOFS_HEADER]: forged });
    expect(substituted).toMatchObject({ ok: false, error: { code: 'unauthorized', reason: 'broken_chain' } });
    expect(!substituted.ok && substituted.error.message).toContain(`${ucanCid(credential)}: no proof with this CID was given`);
    // The forged token's own CID, named alone, is as unknown to the provider as before.
    const namingForged = issueUcan({ issuer: caller, audience: providerKey.did, capabilities: { 'hecate://mesh/echo.say': { 'mesh/call': [{}] } }, expiration: now + 60, nonce: 'forged', proofs: [ucanCid(forged)] });
    expect(await providerSide.authorize(SAY, { [INVOCATION_HEADER]: namingForged.token })).toMatchObject({ ok: false, error: { reason: PROOFS_UNKNOWN } });
    // The caller's credential, now verified here, names the caller as its audience: another issuer citing it is refused.
    expect(await providerSide.authorize(SAY, { [INVOCATION_HEADER]: invoke().token, [PROOFS_HEADER]: credential })).toEqual({ ok: true });
    const other = generateKeyPair();
    const borrowed = issueUcan({ issuer: other, audience: providerKey.did, capabilities: { 'hecate://mesh/echo.say': { 'mesh/call': [{}] } }, expiration: now + 60, nonce: 'borrowed', proofs: [ucanCid(credential)] });
    const refused = await providerSide.authorize(SAY, { [INVOCATION_HEADER]: borrowed.token });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthorized', reason: 'broken_chain' } });
    expect(!refused.ok && refused.error.message).toContain(`is for ${caller.did}, but this token's issuer is ${other.did}`);
  });

  it('a call to a provider that lost the proofs is sent once more with them, and answered', async () => {
    const { log } = logged();
    const callerSide = createInvocationAuthorization({ setting: 'on', identity: () => identityOf(), log });
    const providerSide = () => createInvocationAuthorization({ setting: 'on', identity: () => identityOf(providerKey, null), log });
    let current = providerSide();
    const arrived: CallHeaders[] = [];
    // The caller's side of one instance, the provider's of another, as two processes would be:
    // the call takes the caller's path (callCapability) to a provider answering as the runtime does.
    const echoSay = { name: 'echo.say', version: 1 };
    const view = new ProviderView();
    view.upsert({
      type: ServiceResponseType.INFO,
      name: 'hecate-echo',
      id: 'i1',
      version: '1.0.0',
      description: 'echo',
      metadata: { [METADATA.did]: providerKey.did, [METADATA.realm]: realm.did },
      endpoints: [
        {
          name: endpointName(echoSay, 'instance'),
          subject: instanceSubject(echoSay, 'i1'),
          metadata: { [METADATA.capability]: echoSay.name, [METADATA.version]: '1', [METADATA.addressing]: 'instance' },
        },
      ],
    });
    const handlers = new HandlerRegistry([echoSay]);
    handlers.serve('echo.say', (payload) => payload);
    const send: SendAttempt = async (to, body, headers) => {
      arrived.push(headers);
      const answered = await answerCall(echoSay, body, headers, handlers, current);
      return readAnswer(new TextEncoder().encode(JSON.stringify(answered)), to);
    };
    const callingMember = { call: (capability: string, payload: unknown) => callCapability(view, callerSide, send, capability, payload) };
    expect(await callingMember.call('echo.say', 'one')).toMatchObject({ ok: true, value: 'one' });
    expect(await callingMember.call('echo.say', 'two')).toMatchObject({ ok: true, value: 'two' });
    // The provider restarts with an empty proof cache; the caller does not know.
    current = providerSide();
    expect(await callingMember.call('echo.say', 'three')).toMatchObject({ ok: true, value: 'three' });
    expect(arrived.map((headers) => PROOFS_HEADER in headers)).toEqual([true, false, false, true]);
    expect(await callingMember.call('echo.say', 'four')).toMatchObject({ ok: true, value: 'four' });
    expect(arrived.at(-1)).not.toHaveProperty(PROOFS_HEADER);
  });
});
