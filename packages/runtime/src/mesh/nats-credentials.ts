import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MESH_FILES } from '@hecate-om/contract/rules';
import { credsAuthenticator, nkeyAuthenticator, nkeys, type Authenticator } from 'nats';
import { describeError } from '../describe-error.js';

export type NatsCredentials =
  | { readonly ok: true; readonly authenticator: Authenticator | undefined; readonly file: string | undefined }
  | { readonly ok: false; readonly message: string };

/**
 * The credentials the mesh connects with, from the secrets directory: `nats.creds` when present,
 * else `nats.nk`, else none. Checked before the first connection, so a file an operator got wrong
 * stops the boot naming it rather than failing every reconnect.
 */
export async function readNatsCredentials(secretsDir: string): Promise<NatsCredentials> {
  const credentials = await readSecret(join(secretsDir, MESH_FILES.credentials));
  if (credentials.state === 'unreadable') return { ok: false, message: credentials.message };
  if (credentials.state === 'read') {
    if (!/-----BEGIN NATS USER JWT-----/.test(credentials.text) || !/-----BEGIN USER NKEY SEED-----/.test(credentials.text))
      return { ok: false, message: `${credentials.file} is not a NATS credentials file: it needs a user JWT and a user nkey seed, each in its BEGIN/END block, as nsc writes them` };
    return { ok: true, authenticator: credsAuthenticator(new TextEncoder().encode(credentials.text)), file: credentials.file };
  }
  const seed = await readSecret(join(secretsDir, MESH_FILES.nkeySeed));
  if (seed.state === 'unreadable') return { ok: false, message: seed.message };
  if (seed.state === 'missing') return { ok: true, authenticator: undefined, file: undefined };
  const bytes = new TextEncoder().encode(seed.text.trim());
  try {
    nkeys.fromSeed(bytes);
  } catch (error) {
    return { ok: false, message: `${seed.file} is not an nkey seed (SU...): ${describeError(error)}` };
  }
  return { ok: true, authenticator: nkeyAuthenticator(bytes), file: seed.file };
}

type Secret =
  | { readonly state: 'read'; readonly file: string; readonly text: string }
  | { readonly state: 'missing' }
  | { readonly state: 'unreadable'; readonly message: string };

async function readSecret(file: string): Promise<Secret> {
  try {
    return { state: 'read', file, text: await readFile(file, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    return { state: 'unreadable', message: `cannot read ${file}: ${describeError(error)}` };
  }
}
