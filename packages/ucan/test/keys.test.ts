import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base58btc } from 'multiformats/bases/base58';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { didFromPublicKey, generateKeyPair, keyPairFromPem, publicKeyFromDid, readKeyFile, writeKeyFile } from '../src/index.js';

// The Ed25519 did:key from UCAN 0.10's own principal examples (spec 3.2.2).
const SPEC_DID = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';

describe('did:key', () => {
  it('round-trips the spec example did:key through its public key', () => {
    const result = publicKeyFromDid(SPEC_DID);
    if (!result.ok) throw new Error(result.message);
    expect(result.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(didFromPublicKey(result.publicKey)).toBe(SPEC_DID);
  });

  it('names a generated key z6Mk... and derives the same DID from either half and the raw bytes', () => {
    const pair = generateKeyPair();
    expect(pair.did).toMatch(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/);
    expect(didFromPublicKey(pair.privateKey)).toBe(pair.did);
    const raw = Buffer.from(pair.publicKey.export({ format: 'jwk' }).x as string, 'base64url');
    expect(didFromPublicKey(raw)).toBe(pair.did);
  });

  it.each([
    ['did:web:example.com', 'is not a did:key'],
    ['did:key:abc', 'is not base58btc'],
    ['did:key:z0OIl', 'is not valid base58btc'],
    // P-256 from the same spec section: a did:key, but not an Ed25519 one.
    ['did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169', 'is not an Ed25519 key'],
    ['did:key:z6Mk', 'is not an Ed25519 key'],
    [`did:key:${base58btc.encode(new Uint8Array([0xed, 0x01, ...new Uint8Array(31).fill(7)]))}`, 'holds 31 key bytes, an Ed25519 key has 32'],
    [`did:key:z${'1'.repeat(200)}`, 'too long'],
  ])('refuses %s with a reason', (did, reason) => {
    const result = publicKeyFromDid(did);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(reason);
  });

  it('refuses a key that is not Ed25519', () => {
    const { publicKey } = generateKeyPairSync('x25519');
    expect(() => didFromPublicKey(publicKey)).toThrow('expected an Ed25519 key, got x25519');
  });
});

describe('key files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hecate-ucan-keys-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes PKCS#8 PEM with mode 0600 and reads back the same identity', async () => {
    const pair = generateKeyPair();
    const file = join(dir, 'service.key');
    expect(await writeKeyFile(file, pair)).toEqual({ ok: true });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const read = await readKeyFile(file);
    expect(read.ok && read.keyPair.did).toBe(pair.did);
  });

  it('never overwrites an existing key file and leaves no temporary file behind', async () => {
    const file = join(dir, 'kept.key');
    const first = generateKeyPair();
    await writeKeyFile(file, first);
    const second = await writeKeyFile(file, generateKeyPair());
    expect(second).toEqual({
      ok: false,
      error: { code: 'KEY_FILE_EXISTS', file, message: `${file}: a key file is already there; it is never overwritten` },
    });
    const read = await readKeyFile(file);
    expect(read.ok && read.keyPair.did).toBe(first.did);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('reports a missing directory as unwritable, naming the file', async () => {
    const file = join(dir, 'missing', 'x.key');
    const result = await writeKeyFile(file, generateKeyPair());
    expect(result.ok === false && result.error.code).toBe('KEY_FILE_UNWRITABLE');
    expect(result.ok === false && result.error.file).toBe(file);
  });

  it('names the file when it is missing, corrupt, too large or another key type', async () => {
    const missing = join(dir, 'absent.key');
    const missingResult = await readKeyFile(missing);
    expect(missingResult.ok === false && missingResult.error).toMatchObject({ code: 'KEY_FILE_UNREADABLE', file: missing });
    expect(missingResult.ok === false && missingResult.error.message).toMatch(new RegExp(`^${missing}: ENOENT`));

    const corrupt = join(dir, 'corrupt.key');
    await writeFile(corrupt, '-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n');
    const corruptResult = await readKeyFile(corrupt);
    expect(corruptResult.ok === false && corruptResult.error).toMatchObject({ code: 'KEY_FILE_INVALID', file: corrupt });
    expect(corruptResult.ok === false && corruptResult.error.message).toContain(`${corrupt}: is not a PKCS#8 PEM private key`);

    const large = join(dir, 'large.key');
    await writeFile(large, 'x'.repeat(20_000));
    const largeResult = await readKeyFile(large);
    expect(largeResult.ok === false && largeResult.error.message).toBe(
      `${large}: 20000 bytes is too large for a PKCS#8 Ed25519 key (at most 16384)`,
    );

    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const rsaResult = keyPairFromPem(rsa, 'rsa.pem');
    expect(rsaResult).toEqual({
      ok: false,
      error: { code: 'KEY_FILE_INVALID', file: 'rsa.pem', message: 'rsa.pem: holds a rsa key, an Ed25519 key is needed' },
    });
  });

  it('derives the public half of a loaded key', async () => {
    const pair = generateKeyPair();
    const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' });
    const loaded = keyPairFromPem(pem, 'k.pem');
    expect(loaded.ok && createPublicKey(loaded.keyPair.privateKey).export({ format: 'jwk' })).toEqual(pair.publicKey.export({ format: 'jwk' }));
  });
});
