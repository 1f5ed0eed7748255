import { createHash } from 'node:crypto';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';

/** Multicodec of raw bytes: a UCAN's CID addresses the token's UTF-8 bytes as they are (spec 6.5.1). */
export const RAW_CODEC = 0x55;
/** Multihash code of sha2-256. */
export const SHA2_256 = 0x12;

/**
 * The canonical CID of a token (spec 6.5.1): CIDv1, raw codec (0x55), sha2-256, base32 string
 * (`bafkrei...`). Hashed with node:crypto, so it is synchronous.
 */
export function ucanCid(token: string): string {
  const hash = createHash('sha256').update(token, 'utf8').digest();
  return CID.createV1(RAW_CODEC, createDigest(SHA2_256, hash)).toString();
}

/** Why `value` is not a canonical UCAN CID string, or undefined when it is one. */
export function canonicalCidProblem(value: string): string | undefined {
  let cid: CID;
  try {
    cid = CID.parse(value);
  } catch {
    return `${JSON.stringify(value.slice(0, 80))} is not a CID`;
  }
  if (!value.startsWith('b')) return `${value} is not base32`;
  if (cid.version !== 1) return `${value} is not a CIDv1`;
  if (cid.code !== RAW_CODEC) return `${value} does not use the raw codec (0x55)`;
  if (cid.multihash.code !== SHA2_256) return `${value} is not a sha2-256 hash`;
  if (cid.toString() !== value) return `${value} is not in canonical form (${cid.toString()})`;
  return undefined;
}
