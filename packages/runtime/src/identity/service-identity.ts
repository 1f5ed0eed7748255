import type { CapabilityMap, DelegateResult, RequiredCapability, ServiceIdentity, VerifyCallerResult } from '@hecate-om/contract';
import { capabilitiesCover, capabilityList, grantsCapability, issueUcan, publicKeyFromDid, ucanCid, verifyUcan, type Capabilities, type Caveat, type KeyPair } from '@hecate-om/ucan';
import { REALM_RESOURCES, type Credential } from './credential.js';

export interface ServiceIdentityOptions {
  readonly key: KeyPair;
  readonly realmDid: string;
  /** The credential in use, undefined when there is none or it has expired. */
  readonly credential: () => Credential | undefined;
  readonly revoked: () => ReadonlySet<string>;
  readonly nowSeconds: () => number;
}

/**
 * `opts.identity`: the instance's DID and credential, delegation attenuated from that credential,
 * and verification of a caller's chain to the pinned realm. Failures are values with the codes the
 * runtime README lists; a token that fails verification carries the first `@hecate-om/ucan` code.
 */
export function createServiceIdentity(options: ServiceIdentityOptions): ServiceIdentity {
  const { key, realmDid } = options;
  return {
    did: key.did,
    get credential() {
      return options.credential()?.token;
    },
    async delegate(audience: string, capabilities: CapabilityMap, lifetimeSeconds: number): Promise<DelegateResult> {
      if (!publicKeyFromDid(audience).ok) return failure('INVALID_AUDIENCE', `${JSON.stringify(audience)} is not an Ed25519 did:key`);
      if (!Number.isSafeInteger(lifetimeSeconds) || lifetimeSeconds < 1)
        return failure('INVALID_LIFETIME', `the lifetime is ${String(lifetimeSeconds)}: it must be a whole number of seconds, at least 1`);
      const credential = options.credential();
      if (credential === undefined) return failure('NO_CREDENTIAL', 'this instance holds no valid credential to delegate from');
      const held = capabilityList(credential.capabilities);
      const asked = capabilityList(capabilities as Capabilities);
      const missing = asked.filter((capability) => !capabilitiesCover(held, capability));
      if (missing.length > 0)
        return failure(
          'CAPABILITY_NOT_HELD',
          `the credential ${credential.cid} does not grant ${missing.map((capability) => `${capability.ability} on ${capability.resource}`).join(', ')}`,
        );
      const until = options.nowSeconds() + lifetimeSeconds;
      try {
        const issued = issueUcan({
          issuer: key,
          audience,
          capabilities: capabilities as Capabilities,
          // A delegation lies within the time bounds of the proof it rests on (UCAN 0.10, 6.1, 6.3).
          notBefore: credential.notBefore,
          expiration: credential.expiresAt === null ? until : Math.min(until, credential.expiresAt),
          proofs: [credential.cid],
        });
        return { ok: true, token: issued.token, cid: issued.cid, proofs: [credential.token] };
      } catch (error) {
        return failure('INVALID_CAPABILITIES', (error as Error).message);
      }
    },
    async verify(token: string, capability: RequiredCapability, proofs: readonly string[] = []): Promise<VerifyCallerResult> {
      const byCid = new Map<string, string>();
      for (const proof of proofs) {
        try {
          byCid.set(ucanCid(proof), proof);
        } catch {
          // A proof that is not a token resolves nothing: verification reports what it then lacks.
        }
      }
      const revoked = options.revoked();
      const verified = await verifyUcan(token, {
        rootIssuers: [{ did: realmDid, resources: REALM_RESOURCES }],
        audience: key.did,
        proofs: byCid,
        isRevoked: (cid) => revoked.has(cid),
      });
      if (!verified.ok) return failure(verified.errors[0]?.code ?? 'UCAN_FORMAT', verified.errors.map((error) => error.message).join('; '));
      const wanted = { resource: capability.resource, ability: capability.ability, caveat: (capability.caveat ?? {}) as Caveat };
      if (!grantsCapability(verified.ucan, wanted))
        return failure('CAPABILITY_NOT_GRANTED', `${verified.ucan.cid} does not prove ${capability.ability} on ${capability.resource}`);
      return { ok: true, issuer: verified.ucan.payload.iss, cid: verified.ucan.cid };
    },
  };
}

function failure(code: string, message: string): { ok: false; error: { code: string; message: string } } {
  return { ok: false, error: { code, message } };
}
