import { hash } from 'node:crypto';
import { CID } from 'multiformats/cid';

/** Multicodec of raw bytes: a UCAN's CID addresses the token's UTF-8 bytes as they are (spec 6.5.1). */
export const RAW_CODEC = 0x55;
/** Multihash code of sha2-256. */
export const SHA2_256 = 0x12;
/**
 * The bytes every canonical UCAN CID starts with: CID version 1, the raw codec, sha2-256 and its
 * 32-byte length (each a one-byte varint). Verification computes a CID per token and checks one per
 * proof reference, so both are done on bytes; tests hold them equal to multiformats' CID.
 */
const CANONICAL_PREFIX = [0x01, RAW_CODEC, SHA2_256, 0x20] as const;
const CANONICAL_BYTES = CANONICAL_PREFIX.length + 32;
/**
 * Exactly the canonical CIDs, spelled: `b` (base32), then the base32 of the 36 bytes. The prefix
 * bytes 01 55 12 20 spell `afkrei` and leave the next character's top two bits 0 (`a`-`h`); 288
 * bits in 58 characters leave the last one's low two bits 0. Matching this spares decoding each
 * CID of every `prf` (the common case); anything else is decoded to say what is wrong with it.
 */
const CANONICAL_CID = /^bafkrei[a-h][a-z2-7]{50}[aeimquy4]$/;

/**
 * The canonical CID of a token (spec 6.5.1): CIDv1, raw codec (0x55), sha2-256, base32 string
 * (`bafkrei...`), as multiformats' `CID.createV1(0x55, sha256 digest).toString()` gives it.
 */
export function ucanCid(token: string): string {
  const bytes = new Uint8Array(CANONICAL_BYTES);
  bytes.set(CANONICAL_PREFIX);
  bytes.set(hash('sha256', token, 'buffer'), CANONICAL_PREFIX.length);
  return base32Multibase(bytes);
}

/** RFC 4648 base32, lower case and unpadded: the multibase `b` alphabet, as character codes. */
const BASE32 = /* @__PURE__ */ Buffer.from('abcdefghijklmnopqrstuvwxyz234567', 'latin1');
const MULTIBASE_BASE32 = 0x62; // 'b'

/**
 * `b` + the base32 of `bytes`, as multiformats' base32 encoder spells it. Written out because its
 * generic radix encoder cost as much as the hash, and every proof of every chain is hashed. The
 * characters go to a buffer read once as a string: appending them one by one made a string per
 * character, garbage a provider collected on every call.
 */
function base32Multibase(bytes: Uint8Array): string {
  const text = Buffer.allocUnsafe(1 + Math.ceil((bytes.length * 8) / 5));
  text[0] = MULTIBASE_BASE32;
  let length = 1;
  let bits = 0;
  let buffer = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text[length++] = BASE32[(buffer >> bits) & 31] as number;
    }
  }
  if (bits > 0) text[length++] = BASE32[(buffer << (5 - bits)) & 31] as number;
  return text.toString('latin1', 0, length);
}

/** Why `value` is not a canonical UCAN CID string, or undefined when it is one. */
export function canonicalCidProblem(value: string): string | undefined {
  return CANONICAL_CID.test(value) ? undefined : cidProblem(value);
}

/** The slow path: multiformats explains what a non-canonical CID is. */
function cidProblem(value: string): string {
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
  return `${value} is not in canonical form (${cid.toString()})`;
}
