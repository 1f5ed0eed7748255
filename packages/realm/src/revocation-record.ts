import { sign, verify } from 'node:crypto';
import { publicKeyFromDid, type KeyPair } from '@hecate-om/ucan';

/** A UCAN 0.10 revocation message (spec 6.6): who revokes which token, and their signature over `REVOKE:<cid>`. */
export interface Revocation {
  readonly iss: string;
  readonly revoke: string;
  /** Unpadded base64 of the issuer's Ed25519 signature over `REVOKE:${revoke}`. */
  readonly challenge: string;
}

/** The revocation of the token `cid` by `issuer` (spec 6.6: `base64Unpadded(sign(key, "REVOKE:" + cid))`). */
export function signRevocation(issuer: KeyPair, cid: string): Revocation {
  const signature = sign(null, Buffer.from(`REVOKE:${cid}`, 'utf8'), issuer.privateKey);
  return { iss: issuer.did, revoke: cid, challenge: signature.toString('base64').replace(/=+$/, '') };
}

/** Whether `challenge` is `iss`'s signature over `REVOKE:<revoke>`; never throws. */
export function revocationSignatureValid(revocation: Revocation): boolean {
  const key = publicKeyFromDid(revocation.iss);
  if (!key.ok) return false;
  const signature = Buffer.from(revocation.challenge, 'base64');
  return signature.length === 64 && verify(null, Buffer.from(`REVOKE:${revocation.revoke}`, 'utf8'), key.publicKey, signature);
}
