import { MESH_CALL_ABILITY, meshResource, type MeshAuthorization, type MeshError } from '@hecate-om/contract';
import { RUNTIME_SETTINGS } from '@hecate-om/contract/rules';
import { createInvocationVerifier, issueInvocation, type Capability, type InvocationVerifier, type KeyPair, type UcanError } from '@hecate-om/ucan';
import { REALM_RESOURCES } from '../identity/credential.js';
import type { RuntimeLogger } from '../logger.js';
import { PROOFS_UNKNOWN, UNAUTHORIZED_CALLS, type Authorized, type CallAuthorization, type CallHeaders } from './authorization.js';
import { DeliveredProofs } from './delivered-proofs.js';

/**
 * The NATS headers a call carries its authorization in: the invocation, and the tokens it rests on
 * (the caller's credential first), comma-separated (a JWT has no comma). The proofs go to each
 * provider until it has been sent them once: later invocations name them by CID (their `prf`).
 */
export const INVOCATION_HEADER = 'Hecate-Invocation';
export const PROOFS_HEADER = 'Hecate-Proofs';

/** What the mesh needs of the instance's identity; read once the identity part has started. */
export interface MeshIdentity {
  readonly key: KeyPair;
  readonly realmDid: string;
  /** The credential in use, undefined while none is valid. */
  readonly credential: () => string | undefined;
  /** The realm's revocation list, as last fetched. */
  readonly revoked: () => ReadonlySet<string>;
}

export interface InvocationAuthorizationOptions {
  /** `HECATE_MESH_AUTHORIZATION`. */
  readonly setting: MeshAuthorization;
  /** The instance's identity, read once its part has started; undefined when no realm is configured. */
  readonly identity: (() => MeshIdentity) | undefined;
  readonly log: RuntimeLogger;
}

/** `mesh/call` on `hecate://mesh/<name>`: what the realm grants a caller of capability `<name>`. */
export function meshCallCapability(capability: string): Capability {
  return { resource: meshResource(capability), ability: MESH_CALL_ABILITY };
}

/**
 * The mesh's `CallAuthorization` for `HECATE_MESH_AUTHORIZATION` (issue 12, section 5). `off`:
 * nothing attached, every call served, and a warning in capitals now. `on`: per attempt, the caller
 * attaches a one-time invocation of `mesh/call` on `hecate://mesh/<capability>` addressed to the
 * DID the provider advertises, attenuated from its credential and carrying it; the provider
 * verifies it before the handler (`@hecate-om/ucan`'s invocation verifier: chain to the pinned
 * realm, audience, grant, freshness, replay, revocation, with its proof cache so that a caller's
 * credential is verified once and each call costs one signature check). The credential travels
 * to a provider once (see `DeliveredProofs`); a provider that does not hold the proofs a call
 * left out answers `proofs_unknown`, never trusting a CID it did not verify itself. Without an
 * identity (no realm), every call is refused both ways (`no_identity`), and a warning says so now.
 */
export function createInvocationAuthorization(options: InvocationAuthorizationOptions): CallAuthorization {
  const { setting, log } = options;
  if (setting === 'off') {
    log.warn(
      `MESH AUTHORIZATION IS OFF (${RUNTIME_SETTINGS.meshAuthorization.variable}=off): every mesh call is served without checking who sent it. For local experiments only; refused whenever a realm is configured`,
      { variable: RUNTIME_SETTINGS.meshAuthorization.variable },
    );
    return UNAUTHORIZED_CALLS;
  }
  const identityOf = options.identity;
  if (identityOf === undefined) {
    log.warn(`mesh authorization is on and this instance has no identity (no realm configured): every mesh call it makes or receives is refused as unauthorized`, {
      variable: RUNTIME_SETTINGS.meshAuthorization.variable,
    });
    return { attach: async () => ({ ok: false, error: NO_IDENTITY }), authorize: async () => ({ ok: false, error: NO_IDENTITY }) };
  }
  const delivered = new DeliveredProofs();
  // Built on first use: the identity's key is loaded when its part starts, after boot() built this.
  let verifier: { readonly identity: MeshIdentity; readonly verifier: InvocationVerifier } | undefined;
  const identified = (): MeshIdentity => {
    const identity = identityOf();
    if (verifier?.identity.key.did !== identity.key.did)
      verifier = {
        identity,
        verifier: createInvocationVerifier({
          audience: identity.key.did,
          rootIssuers: [{ did: identity.realmDid, resources: REALM_RESOURCES }],
          isRevoked: (cid) => identity.revoked().has(cid),
        }),
      };
    return identity;
  };
  return {
    uncallable(provider) {
      if (provider.did === '') return `${provider.service} instance ${provider.instance} advertises no DID, so no call can be addressed to it`;
      const realmDid = identityOf().realmDid;
      // An instance advertising no realm is tried: its refusal says why.
      if (provider.realm !== '' && provider.realm !== realmDid)
        return `${provider.service} instance ${provider.instance} is enrolled in realm ${provider.realm}, and this instance in realm ${realmDid}`;
      return undefined;
    },
    async attach(provider, capability, attachOptions) {
      const identity = identified();
      if (provider.did === '') return { ok: false, error: unauthorized('no_identity', `${provider.service} instance ${provider.instance} advertises no DID, so no call can be addressed to it`) };
      const credential = identity.credential();
      if (credential === undefined) return { ok: false, error: unauthorized('no_credential', 'this instance holds no valid credential to call with') };
      const issued = issueInvocation({ issuer: identity.key, audience: provider.did, capability: meshCallCapability(capability), credential });
      if (!issued.ok) return { ok: false, error: unauthorized(issued.error.code === 'INVOCATION_NOT_HELD' ? 'not_granted' : 'no_credential', issued.error.message) };
      const headers: Record<string, string> = { [INVOCATION_HEADER]: issued.invocation.token };
      if (delivered.mustCarry(provider.did, credential) || attachOptions?.carryProofs === true) headers[PROOFS_HEADER] = issued.invocation.proofs.join(',');
      return { ok: true, headers };
    },
    async authorize(capability, headers): Promise<Authorized> {
      identified();
      if (verifier === undefined) return { ok: false, error: NO_IDENTITY };
      const token = headerOf(headers, INVOCATION_HEADER);
      if (token === undefined) return { ok: false, error: unauthorized('missing', `the call carries no invocation (the ${INVOCATION_HEADER} header)`) };
      const carried = headerOf(headers, PROOFS_HEADER);
      const verdict = await verifier.verifier.verify(token, carried?.split(',') ?? [], meshCallCapability(capability.name));
      if (verdict.ok) return { ok: true };
      const unknown = carried === undefined && verdict.error.reason === 'broken_chain' ? unresolvedProofs(verdict.error.errors) : [];
      if (unknown.length > 0)
        return { ok: false, error: unauthorized(PROOFS_UNKNOWN, `the call carried no ${PROOFS_HEADER} and this provider has not verified ${unknown.join(', ')} itself: send them with the call`) };
      // A chain rooted in another realm reads as escalated: say which realm this provider trusts.
      const realm = verdict.error.reason === 'escalated' ? `; this provider trusts realm ${verifier.identity.realmDid} only, so a caller enrolled in another realm is refused` : '';
      return { ok: false, error: unauthorized(verdict.error.reason, `${verdict.error.message}${realm}`) };
    },
  };
}

const NO_IDENTITY: MeshError = /* @__PURE__ */ unauthorized(
  'no_identity',
  'this instance has no identity (no realm is configured: HECATE_REALM_URL, HECATE_REALM_DID), so its mesh calls cannot be authorized; HECATE_MESH_AUTHORIZATION=off is for local experiments',
);

/** The CIDs of the proofs a verification could not find. */
function unresolvedProofs(errors: readonly UcanError[]): string[] {
  return errors.filter((error) => error.code === 'UCAN_PROOF_UNRESOLVABLE').map((error) => error.cid);
}

/** A header's value; NATS header names are case-insensitive on the wire, so any spelling is read. */
export function headerOf(headers: CallHeaders, name: string): string | undefined {
  const exact = headers[name];
  if (exact !== undefined) return exact === '' ? undefined : exact;
  const lower = name.toLowerCase();
  for (const key in headers) if (key.toLowerCase() === lower) return headers[key] === '' ? undefined : headers[key];
  return undefined;
}

function unauthorized(reason: string, message: string): MeshError {
  return { code: 'unauthorized', reason, message };
}
