import { MESH_CALL_ABILITY, meshResource } from '@hecate-om/contract';
import { CAPABILITY_NAME_PATTERN } from '@hecate-om/contract/rules';
import { generateKeyPair, issueUcan, ucanCid, type Capabilities, type KeyPair } from '@hecate-om/ucan';
import type { MeshIdentity } from './invocation-authorization.js';

/** A credential's lifetime when the test does not choose one: a realm policy's usual hour. */
export const TEST_CREDENTIAL_LIFETIME_SECONDS = 3600;

export interface TestGrant {
  /**
   * The capabilities the member may call, as a realm policy's `mesh` list names them
   * (`billing.charge`), or `*` for every one, as the development realm grants.
   */
  readonly calls: readonly string[];
  /** Seconds from now until the credential expires, at least 1. */
  readonly lifetimeSeconds: number;
}

/** One enrolled member: its mesh identity, and the CID of its credential (to revoke it). */
export interface TestEnrollment {
  readonly identity: MeshIdentity;
  readonly credentialCid: string;
}

/**
 * The realm of a test mesh, in memory: a root key made for the mesh, and a credential per member
 * granting `mesh/call` on `hecate://mesh/<name>` for each capability it may call, issued as the
 * realm issues one (by the root, to the member's DID, from now until its expiry). The revocation
 * list is shared by every member, as the list the realm serves is.
 */
export class TestRealm {
  readonly #root: KeyPair = generateKeyPair();
  readonly #revoked = new Set<string>();

  get did(): string {
    return this.#root.did;
  }

  /** Throws a TypeError for a grant no test could mean (a name that is no capability, a lifetime under a second). */
  enroll(grant: TestGrant): TestEnrollment {
    const bad = grant.calls.filter((name) => name !== '*' && !CAPABILITY_NAME_PATTERN.test(name));
    if (bad.length > 0) throw new TypeError(`createTestMesh: calls lists ${bad.map((name) => JSON.stringify(name)).join(', ')}: each must be a capability name such as billing.charge, or *`);
    if (!Number.isSafeInteger(grant.lifetimeSeconds) || grant.lifetimeSeconds < 1)
      throw new TypeError(`createTestMesh: credentialLifetimeSeconds must be a whole number of seconds, at least 1, got ${String(grant.lifetimeSeconds)}`);
    const key = generateKeyPair();
    const now = Math.floor(Date.now() / 1000);
    const capabilities: Capabilities = {};
    for (const name of grant.calls) capabilities[meshResource(name)] = { [MESH_CALL_ABILITY]: [{}] };
    const { token } = issueUcan({ issuer: this.#root, audience: key.did, capabilities, notBefore: now, expiration: now + grant.lifetimeSeconds });
    const expiresAtMs = (now + grant.lifetimeSeconds) * 1000;
    const revoked = this.#revoked;
    return {
      // As the identity part holds it: the credential in use until it expires, then none.
      identity: { key, realmDid: this.#root.did, credential: () => (Date.now() < expiresAtMs ? token : undefined), revoked: () => revoked },
      credentialCid: ucanCid(token),
    };
  }

  /** Puts a credential on the revocation list every member's verifier reads. */
  revoke(cid: string): void {
    this.#revoked.add(cid);
  }
}
