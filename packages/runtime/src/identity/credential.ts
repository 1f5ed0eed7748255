import { capabilitiesCover, capabilityList, parseUcan, verifyUcan, type Capabilities } from '@hecate-om/ucan';

/** A credential this instance may use: granted by the pinned realm, to this DID, within what it asked. */
export interface Credential {
  readonly token: string;
  readonly cid: string;
  readonly capabilities: Capabilities;
  /** Unix seconds; the lifetime starts at `nbf`, or when it was received when there is none. */
  readonly notBefore: number;
  /** Unix seconds, or null for a credential that never expires (static mode only in practice). */
  readonly expiresAt: number | null;
}

export type CredentialProblemCode = 'CREDENTIAL_INVALID' | 'CREDENTIAL_WRONG_ISSUER' | 'CREDENTIAL_WRONG_AUDIENCE' | 'CREDENTIAL_EXCEEDS_REQUEST' | 'CREDENTIAL_EXPIRED' | 'CREDENTIAL_REVOKED';

export type CheckCredentialResult = { readonly ok: true; readonly credential: Credential } | { readonly ok: false; readonly code: CredentialProblemCode; readonly message: string };

export interface CredentialExpectations {
  readonly realmDid: string;
  /** This instance's DID: the credential's audience. */
  readonly did: string;
  /** What the service asked for (`ucan-request.json`'s `cap`); a credential granting more is refused. */
  readonly asked: Capabilities;
  /** Unix seconds. */
  readonly now: number;
  readonly revoked: ReadonlySet<string>;
}

const CLOCK_SKEW_SECONDS = 10;

/** The realm's DID owns every `hecate://` resource, and nothing else. */
export const REALM_RESOURCES = ['hecate://*'] as const;

/**
 * Checks a credential as issue 11 asks: a valid UCAN 0.10 (signature, time bounds, structure), its
 * issuer the pinned realm, its audience this instance, each capability within what was asked, and
 * not revoked. The skew is the realm's own (10 s): enough for a credential just granted by a realm
 * whose clock is a little ahead; the identity part itself stops using it at `exp` by its own clock.
 */
export async function checkCredential(token: string, expected: CredentialExpectations): Promise<CheckCredentialResult> {
  // The issuer first: a token from another realm would otherwise be reported as unproven capabilities.
  const parsed = parseUcan(token);
  if (parsed.ok && parsed.ucan.payload.iss !== expected.realmDid)
    return { ok: false, code: 'CREDENTIAL_WRONG_ISSUER', message: `${parsed.ucan.cid} is issued by ${parsed.ucan.payload.iss}, not by the pinned realm ${expected.realmDid}` };
  const verified = await verifyUcan(token, {
    rootIssuers: [{ did: expected.realmDid, resources: REALM_RESOURCES }],
    audience: expected.did,
    now: expected.now,
    clockSkewSeconds: CLOCK_SKEW_SECONDS,
    isRevoked: (cid) => expected.revoked.has(cid),
  });
  if (!verified.ok) {
    const codes = new Set(verified.errors.map((error) => error.code));
    const message = verified.errors.map((error) => error.message).join('; ');
    if (codes.has('UCAN_REVOKED')) return { ok: false, code: 'CREDENTIAL_REVOKED', message };
    if (codes.has('UCAN_EXPIRED')) return { ok: false, code: 'CREDENTIAL_EXPIRED', message };
    if (codes.has('UCAN_AUDIENCE')) return { ok: false, code: 'CREDENTIAL_WRONG_AUDIENCE', message };
    return { ok: false, code: 'CREDENTIAL_INVALID', message };
  }
  const { payload, cid } = verified.ucan;
  const asked = capabilityList(expected.asked);
  const beyond = capabilityList(payload.cap).filter((capability) => !capabilitiesCover(asked, capability));
  if (beyond.length > 0) {
    const listed = beyond.map((capability) => `${capability.ability} on ${capability.resource}`).join(', ');
    return { ok: false, code: 'CREDENTIAL_EXCEEDS_REQUEST', message: `${cid} grants ${listed}, which this service did not ask for` };
  }
  return {
    ok: true,
    credential: { token, cid, capabilities: payload.cap, notBefore: payload.nbf ?? expected.now, expiresAt: payload.exp },
  };
}
