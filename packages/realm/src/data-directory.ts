import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ServiceNameSchema } from '@hecate-om/contract';
import type { DataFileError } from './data-file.js';

/**
 * Where the realm keeps what it must remember, one file per record so that the realm process and
 * the operator's commands (join-token, revoke) never rewrite each other's files:
 *
 * | path | what |
 * | --- | --- |
 * | `realm.key` | the realm's Ed25519 private key, PKCS#8 PEM |
 * | `enrollments/<did>.json` | an instance enrolled by join token or by the development mode |
 * | `join-tokens/<sha256>.json` | a join token not used yet, by the SHA-256 of the token |
 * | `used-join-tokens/<sha256>.json` | a join token that enrolled an instance, and which |
 * | `revocations/<cid>.json` | a signed revocation of a credential |
 *
 * Directories are 0700, files 0600, every file written atomically (`writeDataFile`).
 */
export const DATA_LAYOUT = {
  key: 'realm.key',
  enrollments: 'enrollments',
  joinTokens: 'join-tokens',
  usedJoinTokens: 'used-join-tokens',
  revocations: 'revocations',
} as const;

export const DATA_DIRECTORY_MODE = 0o700;

const UnixSecondsSchema = /* @__PURE__ */ z.number().int().nonnegative();
const DidKeyStringSchema = /* @__PURE__ */ z.string().regex(/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/, 'must be a did:key');
/** A join token is stored only as this digest. */
export const TokenHashSchema = /* @__PURE__ */ z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (SHA-256)');
/** The canonical UCAN CID: CIDv1, raw codec, sha2-256, base32 (spec 6.5.1). */
export const CanonicalCidSchema = /* @__PURE__ */ z.string().regex(/^bafkrei[a-z2-7]{52}$/, 'must be a canonical UCAN CID (bafkrei... : CIDv1, raw, sha2-256, base32)');

export const EnrollmentRecordSchema = /* @__PURE__ */ z.strictObject({
  did: DidKeyStringSchema,
  service: ServiceNameSchema,
  enrolledAt: UnixSecondsSchema,
  via: /* @__PURE__ */ z.enum(['join-token', 'development']),
});

export const JoinTokenRecordSchema = /* @__PURE__ */ z.strictObject({
  hash: TokenHashSchema,
  service: ServiceNameSchema,
  createdAt: UnixSecondsSchema,
  expiresAt: UnixSecondsSchema,
});

export const UsedJoinTokenRecordSchema = /* @__PURE__ */ JoinTokenRecordSchema.extend({
  usedAt: UnixSecondsSchema,
  usedBy: DidKeyStringSchema,
});

/** A UCAN 0.10 revocation (spec 6.6), and when the realm recorded it. */
export const RevocationRecordSchema = /* @__PURE__ */ z.strictObject({
  iss: DidKeyStringSchema,
  revoke: CanonicalCidSchema,
  challenge: /* @__PURE__ */ z.string().regex(/^[A-Za-z0-9+/]{86}$/, 'must be the unpadded base64 of a 64-byte Ed25519 signature'),
  revokedAt: UnixSecondsSchema,
});

export type EnrollmentRecord = z.infer<typeof EnrollmentRecordSchema>;
export type JoinTokenRecord = z.infer<typeof JoinTokenRecordSchema>;
export type UsedJoinTokenRecord = z.infer<typeof UsedJoinTokenRecordSchema>;
export type RevocationRecord = z.infer<typeof RevocationRecordSchema>;

/** The paths of one data directory; every name inside it derives from a checked value. */
export class DataDirectory {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get keyFile(): string {
    return join(this.root, DATA_LAYOUT.key);
  }

  /** `did:key:z6Mk...` → `enrollments/z6Mk....json`; the DID must already be checked as a did:key. */
  enrollmentFile(did: string): string {
    return join(this.root, DATA_LAYOUT.enrollments, `${safeName(did.slice('did:key:'.length))}.json`);
  }

  joinTokenFile(hash: string): string {
    return join(this.root, DATA_LAYOUT.joinTokens, `${safeName(hash)}.json`);
  }

  usedJoinTokenFile(hash: string): string {
    return join(this.root, DATA_LAYOUT.usedJoinTokens, `${safeName(hash)}.json`);
  }

  get revocationsDirectory(): string {
    return join(this.root, DATA_LAYOUT.revocations);
  }

  revocationFile(cid: string): string {
    return join(this.revocationsDirectory, `${safeName(cid)}.json`);
  }

  /** Creates the directory and its subdirectories (0700) where missing; existing ones are kept as they are. */
  async prepare(): Promise<{ ok: true } | { ok: false; error: DataFileError }> {
    const directories = [DATA_LAYOUT.enrollments, DATA_LAYOUT.joinTokens, DATA_LAYOUT.usedJoinTokens, DATA_LAYOUT.revocations];
    for (const directory of [this.root, ...directories.map((name) => join(this.root, name))]) {
      try {
        await mkdir(directory, { recursive: true, mode: DATA_DIRECTORY_MODE });
      } catch (error) {
        return {
          ok: false,
          error: { code: 'DATA_FILE_UNWRITABLE', file: directory, message: `${directory}: cannot create the realm's data directory: ${(error as Error).message}` },
        };
      }
    }
    return { ok: true };
  }

  /** The record files of a subdirectory (temporary files of a write in progress start with a dot and are skipped). */
  async recordFiles(directory: string): Promise<string[]> {
    const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    return names.filter((name) => name.endsWith('.json') && !name.startsWith('.')).sort().map((name) => join(directory, name));
  }
}

/** A path segment can never climb out of its directory, whatever a caller passes. */
function safeName(name: string): string {
  if (!/^[A-Za-z0-9]+$/.test(name)) throw new TypeError(`not a safe record name: ${JSON.stringify(name)}`);
  return name;
}
