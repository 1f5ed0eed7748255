import { canonicalCidProblem, revocationSignatureValid, signRevocation } from '@hecate-om/ucan';
import { createDataFile, readDataFile, type DataFileError } from './data-file.js';
import { DataDirectory, RevocationRecordSchema, type RevocationRecord } from './data-directory.js';
import { loadRealmKey } from './realm-key.js';

export interface RevokeOptions {
  /** The realm's data directory: its key signs the revocation, which is recorded under `revocations/`. */
  readonly dataDir: string;
  /** The canonical CID of the credential (or any token of a chain the realm roots) to revoke. */
  readonly cid: string;
  /** The clock, in Unix milliseconds. @default Date.now */
  readonly now?: () => number;
}

export type RevokeResult =
  | { readonly ok: true; readonly value: { readonly revocation: RevocationRecord; readonly alreadyRevoked: boolean } }
  | { readonly ok: false; readonly error: { readonly code: 'INVALID_CID' | 'NO_REALM_KEY' | DataFileError['code']; readonly message: string } };

/**
 * Revokes a token for good (spec 6.6: revocations are irreversible): signs `REVOKE:<cid>` with the
 * realm's key and records it, so that `GET /api/v1/revocations` lists it from the next request on,
 * in the running realm too. Revoking a CID twice keeps the first record.
 */
export async function revoke(options: RevokeOptions): Promise<RevokeResult> {
  const { cid, now = Date.now } = options;
  const problem = typeof cid === 'string' ? canonicalCidProblem(cid) : 'a CID is a string';
  if (problem !== undefined) return { ok: false, error: { code: 'INVALID_CID', message: `cannot revoke ${JSON.stringify(cid)}: ${problem}` } };
  const directory = new DataDirectory(options.dataDir);
  const key = await loadRealmKey(directory, { create: false });
  if (!key.ok) return { ok: false, error: { code: 'NO_REALM_KEY', message: key.message } };
  const prepared = await directory.prepare();
  if (!prepared.ok) return { ok: false, error: prepared.error };
  const file = directory.revocationFile(cid);
  const revocation: RevocationRecord = { ...signRevocation(key.keyPair, cid), revokedAt: Math.floor(now() / 1000) };
  const created = await createDataFile(file, revocation);
  if (created.ok) return { ok: true, value: { revocation, alreadyRevoked: false } };
  if (!created.exists) return { ok: false, error: created.error };
  const existing = await readDataFile(file, RevocationRecordSchema);
  if (existing.ok) return { ok: true, value: { revocation: existing.value, alreadyRevoked: true } };
  return { ok: false, error: existing.missing ? { code: 'DATA_FILE_UNREADABLE', file, message: `${file}: vanished while being read` } : existing.error };
}

export type ListRevocationsResult = { readonly ok: true; readonly value: RevocationRecord[] } | { readonly ok: false; readonly error: DataFileError };

/**
 * Every revocation on file, oldest first, each read back as untrusted input: its schema, its file
 * name, and a signature by `realmDid` over it. The first bad file is the error, naming it.
 */
export async function listRevocations(directory: DataDirectory, realmDid: string): Promise<ListRevocationsResult> {
  let files: string[];
  try {
    files = await directory.recordFiles(directory.revocationsDirectory);
  } catch (error) {
    return { ok: false, error: { code: 'DATA_FILE_UNREADABLE', file: directory.revocationsDirectory, message: `${directory.revocationsDirectory}: ${(error as Error).message}` } };
  }
  const revocations: RevocationRecord[] = [];
  for (const file of files) {
    const read = await readDataFile(file, RevocationRecordSchema);
    // A file gone between the listing and the read was not a revocation (they are never deleted).
    if (!read.ok && read.missing) continue;
    if (!read.ok) return { ok: false, error: read.error };
    const record = read.value;
    const invalid = (detail: string): ListRevocationsResult => ({ ok: false, error: { code: 'DATA_FILE_INVALID', file, message: `${file}: ${detail}` } });
    if (file !== directory.revocationFile(record.revoke)) return invalid('$.revoke does not match the file name');
    if (record.iss !== realmDid) return invalid(`$.iss is ${record.iss}, not this realm (${realmDid})`);
    if (!revocationSignatureValid(record)) return invalid('$.challenge is not the realm\'s signature over REVOKE:<cid>');
    revocations.push(record);
  }
  return { ok: true, value: revocations.sort((a, b) => a.revokedAt - b.revokedAt || a.revoke.localeCompare(b.revoke)) };
}
