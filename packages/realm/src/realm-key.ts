import { stat } from 'node:fs/promises';
import { generateKeyPair, readKeyFile, writeKeyFile, type KeyPair } from '@hecate-om/ucan';
import type { DataDirectory } from './data-directory.js';

export type RealmKeyResult = { readonly ok: true; readonly keyPair: KeyPair; readonly created: boolean } | { readonly ok: false; readonly message: string };

/**
 * The realm's identity: its key file, created on first start. An existing key is only ever read:
 * a corrupt or unreadable key stops the realm naming the file (replacing it would change the DID
 * every service pins), and so does a key others may read (like ssh, since a key others can read
 * is a key others may hold).
 */
export async function loadRealmKey(directory: DataDirectory, { create }: { readonly create: boolean }): Promise<RealmKeyResult> {
  const file = directory.keyFile;
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, message: `${file}: ${(error as Error).message}` };
    if (!create) return { ok: false, message: `${file}: no realm key: start the realm once to create it` };
    const keyPair = generateKeyPair();
    const written = await writeKeyFile(file, keyPair);
    // Another process may have created it between the stat and the write: use theirs.
    if (!written.ok && written.error.code !== 'KEY_FILE_EXISTS') return { ok: false, message: written.error.message };
    if (written.ok) return { ok: true, keyPair, created: true };
    return loadRealmKey(directory, { create: false });
  }
  if ((mode & 0o077) !== 0)
    return { ok: false, message: `${file}: permissions ${(mode & 0o777).toString(8).padStart(4, '0')} let others read the realm key: chmod 600 ${file}` };
  const read = await readKeyFile(file);
  return read.ok ? { ok: true, keyPair: read.keyPair, created: false } : { ok: false, message: read.error.message };
}
