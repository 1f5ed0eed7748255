// Hand-made tokens for the tests: any header, any payload, signed by any key, so that every rule
// can be broken on purpose. Valid tokens come from issueUcan; these only from here.
import { sign } from 'node:crypto';
import { generateKeyPair, ucanCid, type KeyPair } from '../src/index.js';

/** A fixed decision time (2027-01-15), passed as `now` so no test depends on the clock. */
export const NOW = 1_800_000_000;
export const HOUR = 3600;

export const realm = generateKeyPair();
export const service = generateKeyPair();
export const peer = generateKeyPair();
export const stranger = generateKeyPair();

export const segment = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A well-formed payload from `issuer` to `audience`, valid around NOW, with `overrides` applied (undefined deletes). */
export function payloadOf(issuer: KeyPair, audience: KeyPair | string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    ucv: '0.10.0',
    iss: issuer.did,
    aud: typeof audience === 'string' ? audience : audience.did,
    nbf: NOW - HOUR,
    exp: NOW + HOUR,
    cap: { 'hecate://echo/*': { 'echo/*': [{}] } },
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete payload[key];
    else payload[key] = value;
  }
  return payload;
}

/** Encodes and signs any header and payload with `signer`'s key (its Ed25519 signature over header.payload). */
export function forge(payload: unknown, signer: KeyPair, header: unknown = { alg: 'EdDSA', typ: 'JWT' }): { token: string; cid: string } {
  const signingInput = `${segment(header)}.${segment(payload)}`;
  const token = `${signingInput}.${sign(null, Buffer.from(signingInput), signer.privateKey).toString('base64url')}`;
  return { token, cid: ucanCid(token) };
}
