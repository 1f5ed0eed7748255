import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { didFromPublicKey, type KeyPair } from './did-key.js';

export type KeyFileErrorCode = 'KEY_FILE_EXISTS' | 'KEY_FILE_UNREADABLE' | 'KEY_FILE_INVALID' | 'KEY_FILE_UNWRITABLE';

export interface KeyFileError {
  code: KeyFileErrorCode;
  file: string;
  message: string;
}

export type KeyFileResult = { ok: true; keyPair: KeyPair } | { ok: false; error: KeyFileError };
export type WriteKeyFileResult = { ok: true } | { ok: false; error: KeyFileError };

/** A PKCS#8 PEM Ed25519 key is about 120 bytes; refuse to read anything much larger into memory. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

/**
 * Writes the private key as PKCS#8 PEM, mode 0600, atomically and never over an existing file: the
 * key is written in full to a temporary file beside `file`, then hard-linked into place (which
 * fails if `file` exists, where a rename would replace it: a key lost is an identity lost).
 */
export async function writeKeyFile(file: string, keyPair: KeyPair): Promise<WriteKeyFileResult> {
  const pem = keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' });
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(pem);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    return keyFileError('KEY_FILE_UNWRITABLE', file, (error as Error).message);
  }
  try {
    await link(temporary, file);
    return { ok: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return keyFileError('KEY_FILE_EXISTS', file, 'a key file is already there; it is never overwritten');
    return keyFileError('KEY_FILE_UNWRITABLE', file, (error as Error).message);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** Loads an Ed25519 private key from a PKCS#8 PEM file; every failure names the file. */
export async function readKeyFile(file: string): Promise<KeyFileResult> {
  let pem: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_KEY_FILE_BYTES)
        return keyFileError('KEY_FILE_INVALID', file, `${size} bytes is too large for a PKCS#8 Ed25519 key (at most ${MAX_KEY_FILE_BYTES})`);
      pem = await readFile(handle);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return keyFileError('KEY_FILE_UNREADABLE', file, (error as Error).message);
  }
  return keyPairFromPem(pem, file);
}

/** The key pair of a PKCS#8 PEM Ed25519 private key; `file` names where it came from in errors. */
export function keyPairFromPem(pem: string | Buffer, file: string): KeyFileResult {
  try {
    const privateKey = createPrivateKey({ key: pem, format: 'pem' });
    if (privateKey.asymmetricKeyType !== 'ed25519')
      return keyFileError('KEY_FILE_INVALID', file, `holds a ${privateKey.asymmetricKeyType ?? 'unknown'} key, an Ed25519 key is needed`);
    const publicKey = createPublicKey(privateKey);
    return { ok: true, keyPair: { did: didFromPublicKey(publicKey), publicKey, privateKey } };
  } catch (error) {
    return keyFileError('KEY_FILE_INVALID', file, `is not a PKCS#8 PEM private key (${(error as Error).message})`);
  }
}

function keyFileError(code: KeyFileErrorCode, file: string, detail: string): { ok: false; error: KeyFileError } {
  return { ok: false, error: { code, file, message: `${file}: ${detail}` } };
}
