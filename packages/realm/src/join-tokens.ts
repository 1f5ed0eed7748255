import { createHash, randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { ServiceNameSchema } from '@hecate-om/contract';
import type { DataFileError } from './data-file.js';
import { createDataFile, readDataFile } from './data-file.js';
import { DataDirectory, JoinTokenRecordSchema, UsedJoinTokenRecordSchema, type JoinTokenRecord } from './data-directory.js';
import type { Policy } from './policy.js';

export { JOIN_TOKEN_PATTERN } from '@hecate-om/contract/rules';
export const JOIN_TOKEN_DEFAULTS = { lifetimeSeconds: 24 * 3600 } as const;
/** A join token is meant to be used within a deployment, not kept around as a standing credential. */
export const JOIN_TOKEN_MAX_LIFETIME_SECONDS = 30 * 24 * 3600;

export interface CreateJoinTokenOptions {
  /** The realm's data directory; the token's hash is written under `join-tokens/`. */
  readonly dataDir: string;
  /** The service the token enrolls one instance of. */
  readonly service: string;
  /** Seconds until the token expires, 1 to 30 days' worth. @default 86400 (one day) */
  readonly lifetimeSeconds?: number;
  /** When given, the service must be in it and accept join tokens, so a typo fails now rather than at enrollment. */
  readonly policy?: Policy;
  /** The clock, in Unix milliseconds. @default Date.now */
  readonly now?: () => number;
}

export interface JoinToken {
  /** The secret, shown once: the realm keeps only its SHA-256. */
  readonly token: string;
  readonly service: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

export type JoinTokenErrorCode = 'INVALID_SERVICE' | 'INVALID_LIFETIME' | 'UNKNOWN_SERVICE' | 'JOIN_TOKENS_NOT_ACCEPTED' | DataFileError['code'];

export type CreateJoinTokenResult =
  | { readonly ok: true; readonly value: JoinToken }
  | { readonly ok: false; readonly error: { readonly code: JoinTokenErrorCode; readonly message: string } };

/** The SHA-256 of a join token, hex: the only form in which the realm stores it. */
export function joinTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Creates a one-time join token for `service` and records its hash in the data directory. The
 * operator hands the token to one instance (mounted as a secret); its first claim enrolls the
 * instance's DID for the service and uses the token up.
 */
export async function createJoinToken(options: CreateJoinTokenOptions): Promise<CreateJoinTokenResult> {
  const { service, lifetimeSeconds = JOIN_TOKEN_DEFAULTS.lifetimeSeconds, policy, now = Date.now } = options;
  const name = ServiceNameSchema.safeParse(service);
  if (!name.success) return failure('INVALID_SERVICE', `service ${JSON.stringify(service)} ${name.error.issues[0]?.message ?? 'is not a service name'}`);
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 1 || lifetimeSeconds > JOIN_TOKEN_MAX_LIFETIME_SECONDS)
    return failure('INVALID_LIFETIME', `lifetimeSeconds is ${lifetimeSeconds}: it must be a whole number of seconds from 1 to ${JOIN_TOKEN_MAX_LIFETIME_SECONDS}`);
  if (policy !== undefined) {
    const entry = policy.services[service];
    if (entry === undefined) return failure('UNKNOWN_SERVICE', `the policy of realm ${policy.name} names no service ${service}`);
    if (!entry.enroll.joinTokens) return failure('JOIN_TOKENS_NOT_ACCEPTED', `the policy of ${service} does not accept join tokens (enroll.joinTokens is false)`);
  }
  const directory = new DataDirectory(options.dataDir);
  const prepared = await directory.prepare();
  if (!prepared.ok) return { ok: false, error: prepared.error };
  const token = `hjt_${randomBytes(32).toString('base64url')}`;
  const createdAt = Math.floor(now() / 1000);
  const record: JoinTokenRecord = { hash: joinTokenHash(token), service, createdAt, expiresAt: createdAt + lifetimeSeconds };
  const written = await createDataFile(directory.joinTokenFile(record.hash), record);
  // 256 random bits never collide; a file already there is a fault to report, not to overwrite.
  if (!written.ok) return { ok: false, error: written.exists ? { code: 'DATA_FILE_UNWRITABLE', message: `${directory.joinTokenFile(record.hash)}: exists already` } : written.error };
  return { ok: true, value: { token, service, expiresAt: record.expiresAt } };
}

function failure(code: JoinTokenErrorCode, message: string): { ok: false; error: { code: JoinTokenErrorCode; message: string } } {
  return { ok: false, error: { code, message } };
}

export type ClaimJoinTokenResult =
  | { readonly ok: true; readonly record: JoinTokenRecord }
  | { readonly ok: false; readonly code: 'JOIN_TOKEN_UNKNOWN' | 'JOIN_TOKEN_USED' | 'JOIN_TOKEN_EXPIRED' | 'JOIN_TOKEN_WRONG_SERVICE'; readonly message: string }
  | { readonly ok: false; readonly code: 'INTERNAL_ERROR'; readonly message: string; readonly error: DataFileError };

/**
 * Uses a join token up for `did`, if it is known, unused, unexpired and for `service`. The used
 * record (who used it, when) is created under `used-join-tokens/` by a hard link, which only one
 * claim can win, even between processes; the winner then removes the pending record. A claim that
 * finds a used record is refused, whether or not the pending one is still there.
 */
export async function claimJoinToken(directory: DataDirectory, token: string, service: string, did: string, now: number): Promise<ClaimJoinTokenResult> {
  const hash = joinTokenHash(token);
  const pendingFile = directory.joinTokenFile(hash);
  const pending = await readDataFile(pendingFile, JoinTokenRecordSchema);
  if (!pending.ok) {
    if (!pending.missing) return { ok: false, code: 'INTERNAL_ERROR', message: pending.error.message, error: pending.error };
    const used = await readDataFile(directory.usedJoinTokenFile(hash), UsedJoinTokenRecordSchema);
    if (used.ok) return { ok: false, code: 'JOIN_TOKEN_USED', message: `the join token for ${used.value.service} already enrolled ${used.value.usedBy}` };
    if (!used.missing) return { ok: false, code: 'INTERNAL_ERROR', message: used.error.message, error: used.error };
    return { ok: false, code: 'JOIN_TOKEN_UNKNOWN', message: 'the realm never issued this join token' };
  }
  const record = pending.value;
  if (record.hash !== hash) {
    const error: DataFileError = { code: 'DATA_FILE_INVALID', file: pendingFile, message: `${pendingFile}: $.hash does not match the file name` };
    return { ok: false, code: 'INTERNAL_ERROR', message: error.message, error };
  }
  if (record.service !== service)
    return { ok: false, code: 'JOIN_TOKEN_WRONG_SERVICE', message: `the join token was created for ${record.service}, not ${service}` };
  if (now > record.expiresAt)
    return { ok: false, code: 'JOIN_TOKEN_EXPIRED', message: `the join token for ${service} expired at ${new Date(record.expiresAt * 1000).toISOString()}` };
  const usedFile = directory.usedJoinTokenFile(hash);
  const used = await createDataFile(usedFile, { ...record, usedAt: now, usedBy: did });
  if (!used.ok && used.exists)
    return { ok: false, code: 'JOIN_TOKEN_USED', message: `the join token for ${service} was used by another claim at the same moment` };
  if (!used.ok) return { ok: false, code: 'INTERNAL_ERROR', message: used.error.message, error: used.error };
  // The used record is in place, so this claim owns the token and removes its pending record; were
  // that to fail, the used record would still refuse every later claim.
  await unlink(pendingFile).catch(() => undefined);
  return { ok: true, record };
}
