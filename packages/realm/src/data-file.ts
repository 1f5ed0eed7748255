import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import { formatJsonPath } from '@hecate-om/contract';

/** Every file of the data directory is readable and writable by the realm's user alone. */
export const DATA_FILE_MODE = 0o600;
/** A record is a few hundred bytes; anything far larger was not written by the realm. */
const MAX_DATA_FILE_BYTES = 64 * 1024;

/** Why a data file could not be used: it names the file, and the JSON path when the content is wrong. */
export interface DataFileError {
  readonly code: 'DATA_FILE_UNREADABLE' | 'DATA_FILE_INVALID' | 'DATA_FILE_UNWRITABLE';
  readonly file: string;
  readonly message: string;
}

export type ReadDataFileResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly missing: true }
  | { readonly ok: false; readonly missing: false; readonly error: DataFileError };

/**
 * Reads `file` as untrusted input: at most 64 KiB, strict UTF-8, JSON, then `schema`. A missing
 * file is `{ missing: true }`, not an error, since absence is how the realm learns "not enrolled"
 * or "unknown token".
 */
export async function readDataFile<T>(file: string, schema: z.ZodType<T>): Promise<ReadDataFileResult<T>> {
  let bytes: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_DATA_FILE_BYTES) return invalid(file, `is ${size} bytes, more than the ${MAX_DATA_FILE_BYTES} a realm record can be`);
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, missing: true };
    return { ok: false, missing: false, error: { code: 'DATA_FILE_UNREADABLE', file, message: `${file}: ${(error as Error).message}` } };
  }
  const parsed = parseStrictJson(bytes);
  if (!parsed.ok) return invalid(file, parsed.message);
  const checked = schema.safeParse(parsed.value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return invalid(file, issue === undefined ? 'does not match its schema' : `${formatJsonPath(issue.path)} ${issue.message}`);
  }
  return { ok: true, value: checked.data };
}

function invalid(file: string, detail: string): { ok: false; missing: false; error: DataFileError } {
  return { ok: false, missing: false, error: { code: 'DATA_FILE_INVALID', file, message: `${file}: ${detail}` } };
}

export type StrictJsonResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

const STRICT_UTF8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** JSON text as RFC 8259 has it: UTF-8 without a byte order mark, nothing but one JSON value. */
export function parseStrictJson(bytes: Uint8Array): StrictJsonResult {
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    return { ok: false, message: 'is not valid UTF-8' };
  }
  if (text.startsWith('\uFEFF')) return { ok: false, message: 'starts with a byte order mark, which JSON does not allow' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `is not JSON: ${(error as Error).message}` };
  }
}

export type WriteDataFileResult = { readonly ok: true } | { readonly ok: false; readonly error: DataFileError };
export type CreateDataFileResult = { readonly ok: true } | { readonly ok: false; readonly exists: true } | { readonly ok: false; readonly exists: false; readonly error: DataFileError };

/**
 * Writes `value` as JSON to `file`, mode 0600, atomically: in full to a temporary file beside it,
 * flushed, then renamed over it, so a reader sees the old record or the new one, never a part.
 */
export async function writeDataFile(file: string, value: unknown): Promise<WriteDataFileResult> {
  const placed = await placeDataFile(file, value, async (temporary) => {
    await rename(temporary, file);
    return 'moved';
  });
  return placed.ok ? placed : { ok: false, error: placed.error };
}

/**
 * Writes a record that must exist once: like `writeDataFile`, but the temporary file is hard-linked
 * into place, which fails when `file` exists (where a rename would replace it). Of several
 * processes creating the same record, exactly one succeeds; the others learn it `exists`.
 */
export async function createDataFile(file: string, value: unknown): Promise<CreateDataFileResult> {
  const placed = await placeDataFile(file, value, async (temporary) => {
    await link(temporary, file);
    return 'linked';
  });
  if (placed.ok) return placed;
  return placed.cause === 'EEXIST' ? { ok: false, exists: true } : { ok: false, exists: false, error: placed.error };
}

async function placeDataFile(
  file: string,
  value: unknown,
  place: (temporary: string) => Promise<'moved' | 'linked'>,
): Promise<{ ok: true } | { ok: false; cause: string | undefined; error: DataFileError }> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let created = false;
  try {
    const handle = await open(temporary, 'wx', DATA_FILE_MODE);
    created = true;
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if ((await place(temporary)) === 'moved') created = false;
    return { ok: true };
  } catch (error) {
    const cause = (error as NodeJS.ErrnoException).code;
    return { ok: false, cause, error: { code: 'DATA_FILE_UNWRITABLE', file, message: `${file}: ${(error as Error).message}` } };
  } finally {
    // Only the temporary file this call created, and still holds, is removed.
    if (created) await unlink(temporary).catch(() => undefined);
  }
}
