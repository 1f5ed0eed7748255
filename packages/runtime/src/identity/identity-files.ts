import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { IDENTITY_FILES } from '@hecate-om/contract/rules';
import { generateKeyPair, readKeyFile, writeKeyFile, type KeyPair } from '@hecate-om/ucan';

/** Where the identity part reads and writes, derived once from the two directory settings. */
export interface IdentityPaths {
  readonly secretKey: string;
  readonly secretCredential: string;
  readonly joinToken: string;
  readonly stateDirectory: string;
  readonly stateKey: string;
  readonly stateCredential: string;
  readonly stateRevocations: string;
}

export function identityPaths(secretsDir: string, stateDir: string): IdentityPaths {
  const stateDirectory = join(stateDir, IDENTITY_FILES.stateDirectory);
  return {
    secretKey: join(secretsDir, IDENTITY_FILES.secretKey),
    secretCredential: join(secretsDir, IDENTITY_FILES.secretCredential),
    joinToken: join(secretsDir, IDENTITY_FILES.joinToken),
    stateDirectory,
    stateKey: join(stateDirectory, IDENTITY_FILES.stateKey),
    stateCredential: join(stateDirectory, IDENTITY_FILES.stateCredential),
    stateRevocations: join(stateDirectory, IDENTITY_FILES.stateRevocations),
  };
}

export type IdentityKey = { readonly keyPair: KeyPair; readonly file: string; readonly created: boolean };
export type LoadKeyResult = { readonly ok: true; readonly value: IdentityKey } | { readonly ok: false; readonly message: string };

/** A join token or a credential is a few hundred bytes; never read more than this into memory. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;
const OWNER_ONLY = 0o077;

/**
 * The instance's Ed25519 key: the one mounted in the secrets directory if there is one, else the
 * one under the state directory, created there on first boot (0600 in a 0700 directory, written
 * atomically). A key that exists but cannot be read, is not an Ed25519 key, or may be read by others
 * is an error naming the file, and is never replaced: a key lost is an identity lost.
 */
export async function loadIdentityKey(paths: IdentityPaths): Promise<LoadKeyResult> {
  if (await exists(paths.secretKey)) return keyFrom(paths.secretKey, false);
  const directory = await ownerOnlyDirectory(paths.stateDirectory);
  if (!directory.ok) return { ok: false, message: `${directory.message}: it holds the identity key` };
  if (await exists(paths.stateKey)) return keyFrom(paths.stateKey, true);
  const written = await writeKeyFile(paths.stateKey, generateKeyPair());
  // Another process may have won the race to create it: use the key that is there.
  if (!written.ok && written.error.code !== 'KEY_FILE_EXISTS') return { ok: false, message: written.error.message };
  const loaded = await keyFrom(paths.stateKey, true);
  return loaded.ok && written.ok ? { ok: true, value: { ...loaded.value, created: true } } : loaded;
}

async function keyFrom(file: string, ownerOnly: boolean): Promise<LoadKeyResult> {
  if (ownerOnly) {
    const mode = (await lstat(file)).mode & 0o777;
    if ((mode & OWNER_ONLY) !== 0)
      return { ok: false, message: `${file} is mode ${octal(mode)}: an identity key others may read is refused; it must be 0600 (chmod 600 ${file})` };
  }
  const read = await readKeyFile(file);
  if (!read.ok) return { ok: false, message: `${read.error.message}; it is never replaced: restore it, or remove it to enroll as a new instance` };
  return { ok: true, value: { keyPair: read.keyPair, file, created: false } };
}

/** The trimmed text of a small file (at most `maxBytes`), undefined when there is none; other failures name the file. */
export async function readSecretText(file: string, maxBytes = MAX_SECRET_FILE_BYTES): Promise<{ ok: true; text: string | undefined } | { ok: false; message: string }> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) return { ok: false, message: `${file} is ${size} bytes, more than the ${maxBytes} it may be` };
      return { ok: true, text: (await readFile(handle, 'utf8')).trim() };
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, text: undefined };
    return { ok: false, message: `cannot read ${file}: ${(error as Error).message}` };
  }
}

/**
 * Makes `directory` (and its parents) 0700 if it is missing, and refuses one others may enter.
 * Every writer under the state directory goes through it, whichever path led there: a key mounted
 * in the secrets directory must not leave `identity/` unmade for the credential.
 */
export async function ownerOnlyDirectory(directory: string): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const mode = (await lstat(directory)).mode & 0o777;
    if ((mode & OWNER_ONLY) !== 0) return { ok: false, message: `${directory} is mode ${octal(mode)}; it must be 0700 (chmod 700 ${directory})` };
    return { ok: true };
  } catch (error) {
    return { ok: false, message: `cannot create ${directory}: ${(error as Error).message}` };
  }
}

/** Writes `text` to a temporary file beside `file` (0600, in a 0700 directory made if missing), then renames it into place. */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const directory = await ownerOnlyDirectory(dirname(file));
  if (!directory.ok) throw new Error(directory.message);
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
