import { sign, verify } from 'node:crypto';
import { type KeyPair, publicKeyFromDid } from './did-key.js';

/**
 * A UCAN 0.10 revocation (spec section 6.6, "Revocation"): who revokes which token, and their
 * signature over `REVOKE:<cid>`. Revocations are irreversible; a verifier that holds one refuses the
 * token with that CID (pass `isRevoked` to `verifyUcan`).
 */
export interface Revocation {
  readonly iss: string;
  readonly revoke: string;
  /** Unpadded base64 of the issuer's Ed25519 signature over `REVOKE:${revoke}`. */
  readonly challenge: string;
}

/** The revocation of the token `cid` by `issuer` (spec 6.6: `base64Unpadded(sign(key, "REVOKE:" + cid))`). */
export function signRevocation(issuer: KeyPair, cid: string): Revocation {
  const signature = sign(null, challengeText(cid), issuer.privateKey);
  return { iss: issuer.did, revoke: cid, challenge: signature.toString('base64').replace(/=+$/, '') };
}

/** Whether `challenge` is `iss`'s signature over `REVOKE:<revoke>`; never throws. */
export function revocationSignatureValid(revocation: Revocation): boolean {
  const key = publicKeyFromDid(revocation.iss);
  if (!key.ok) return false;
  const signature = Buffer.from(revocation.challenge, 'base64');
  return signature.length === 64 && verify(null, challengeText(revocation.revoke), key.publicKey, signature);
}

function challengeText(cid: string): Buffer {
  return Buffer.from(`REVOKE:${cid}`, 'utf8');
}

/** An entry of a revocation list that revokes nothing, at its JSON path (`$.revocations[2]`). */
export interface IgnoredRevocation {
  readonly path: string;
  readonly reason: 'malformed' | 'untrusted-issuer' | 'bad-signature';
  readonly message: string;
}

export type RevocationListResult =
  | { readonly ok: true; readonly revoked: ReadonlySet<string>; readonly ignored: readonly IgnoredRevocation[] }
  | { readonly ok: false; readonly message: string };

/** More entries than any realm serves: a list this long is not read, so a hostile one stays cheap. */
export const MAX_REVOCATION_LIST_ENTRIES = 100_000;

/**
 * The CIDs a revocation list revokes, taking only revocations by one of `issuers` (for a service,
 * its pinned realm) with a valid signature. The list is what a realm serves at
 * `GET /api/v1/revocations` (`{ "revocations": [...] }`) or the bare array. Every other entry is
 * ignored, and said why, at its JSON path: a revocation by anyone else revokes nothing here.
 */
export function readRevocationList(list: unknown, issuers: readonly string[]): RevocationListResult {
  const wrapped = list !== null && typeof list === 'object' && !Array.isArray(list);
  const entries = wrapped ? (list as { revocations?: unknown }).revocations : list;
  const base = wrapped ? '$.revocations' : '$';
  if (!Array.isArray(entries)) return { ok: false, message: 'is neither a list of revocations nor an object with one under "revocations"' };
  if (entries.length > MAX_REVOCATION_LIST_ENTRIES) return { ok: false, message: `holds ${entries.length} revocations, more than ${MAX_REVOCATION_LIST_ENTRIES}` };
  const revoked = new Set<string>();
  const ignored: IgnoredRevocation[] = [];
  entries.forEach((entry: unknown, index) => {
    const path = `${base}[${index}]`;
    if (!isRevocation(entry)) ignored.push({ path, reason: 'malformed', message: 'is not a revocation { iss, revoke, challenge } of strings' });
    else if (!issuers.includes(entry.iss)) ignored.push({ path, reason: 'untrusted-issuer', message: `is issued by ${entry.iss}, not by ${issuers.join(' or ')}` });
    else if (!revocationSignatureValid(entry)) ignored.push({ path, reason: 'bad-signature', message: `its challenge is not ${entry.iss}'s signature over REVOKE:${entry.revoke}` });
    else revoked.add(entry.revoke);
  });
  return { ok: true, revoked, ignored };
}

function isRevocation(value: unknown): value is Revocation {
  if (value === null || typeof value !== 'object') return false;
  const { iss, revoke, challenge } = value as Record<string, unknown>;
  return typeof iss === 'string' && typeof revoke === 'string' && typeof challenge === 'string';
}
