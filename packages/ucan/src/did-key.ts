import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { base58btc } from 'multiformats/bases/base58';

/** An Ed25519 key pair and the did:key that names its public half. */
export interface KeyPair {
  did: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** Multicodec varint of ed25519-pub (0xed), which prefixes the key inside a did:key. */
const ED25519_PUB_PREFIX = [0xed, 0x01] as const;
const ED25519_PUBLIC_KEY_BYTES = 32;
const DID_KEY_PREFIX = 'did:key:';
/** `did:key:z` + base58btc of 34 bytes is 56 characters after the `z`; anything far longer is not a key. */
const MAX_DID_KEY_LENGTH = 128;

export function generateKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { did: didFromPublicKey(publicKey), publicKey, privateKey };
}

/** The raw 32 bytes of an Ed25519 public key (RFC 8037 `x`). Throws when the key is not Ed25519. */
export function rawPublicKey(publicKey: KeyObject): Uint8Array {
  if (publicKey.asymmetricKeyType !== 'ed25519')
    throw new TypeError(`expected an Ed25519 key, got ${publicKey.asymmetricKeyType ?? publicKey.type}`);
  const { x } = publicKey.export({ format: 'jwk' });
  return Buffer.from(x ?? '', 'base64url');
}

/**
 * `did:key:z` + base58btc(0xed 0x01 + the 32-byte public key) (the did:key method, Ed25519).
 * Accepts a public KeyObject (or a private one, whose public half is used) or the raw 32 bytes.
 */
export function didFromPublicKey(key: KeyObject | Uint8Array): string {
  const raw = key instanceof Uint8Array ? key : rawPublicKey(key.type === 'private' ? createPublicKey(key) : key);
  if (raw.length !== ED25519_PUBLIC_KEY_BYTES) throw new TypeError(`an Ed25519 public key is 32 bytes, got ${raw.length}`);
  const bytes = new Uint8Array(ED25519_PUB_PREFIX.length + raw.length);
  bytes.set(ED25519_PUB_PREFIX);
  bytes.set(raw, ED25519_PUB_PREFIX.length);
  return DID_KEY_PREFIX + base58btc.encode(bytes);
}

export type PublicKeyResult = { ok: true; publicKey: KeyObject } | { ok: false; message: string };

/** The Ed25519 public key a did:key names, or why it names none (another method, key type or a bad encoding). */
export function publicKeyFromDid(did: string): PublicKeyResult {
  if (typeof did !== 'string' || !did.startsWith(DID_KEY_PREFIX))
    return { ok: false, message: `${describe(did)} is not a did:key` };
  if (did.length > MAX_DID_KEY_LENGTH) return { ok: false, message: `a did:key of ${did.length} characters is too long for an Ed25519 key` };
  const encoded = did.slice(DID_KEY_PREFIX.length);
  if (!encoded.startsWith('z')) return { ok: false, message: `${did} is not base58btc (it must start with did:key:z)` };
  let bytes: Uint8Array;
  try {
    bytes = base58btc.decode(encoded);
  } catch {
    return { ok: false, message: `${did} is not valid base58btc` };
  }
  if (bytes[0] !== ED25519_PUB_PREFIX[0] || bytes[1] !== ED25519_PUB_PREFIX[1])
    return { ok: false, message: `${did} is not an Ed25519 key (its multicodec prefix is not 0xed 0x01)` };
  if (bytes.length !== ED25519_PUB_PREFIX.length + ED25519_PUBLIC_KEY_BYTES)
    return { ok: false, message: `${did} holds ${bytes.length - 2} key bytes, an Ed25519 key has 32` };
  try {
    const x = Buffer.from(bytes.subarray(ED25519_PUB_PREFIX.length)).toString('base64url');
    return { ok: true, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }) };
  } catch (error) {
    return { ok: false, message: `${did} is not a usable Ed25519 key: ${(error as Error).message}` };
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
}
