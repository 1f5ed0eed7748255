import { join } from 'node:path';
import type { z } from 'zod';
import { readDataFile, type DataFileError } from './data-file.js';
import { DATA_LAYOUT, EnrollmentRecordSchema, JoinTokenRecordSchema, UsedJoinTokenRecordSchema, type DataDirectory } from './data-directory.js';
import { listRevocations } from './revocations.js';

const RECORD_SCHEMAS: readonly (readonly [string, z.ZodType])[] = [
  [DATA_LAYOUT.enrollments, EnrollmentRecordSchema],
  [DATA_LAYOUT.joinTokens, JoinTokenRecordSchema],
  [DATA_LAYOUT.usedJoinTokens, UsedJoinTokenRecordSchema],
];

/**
 * Reads every record of the data directory once at start, so that a damaged or foreign file
 * stops the realm naming it, instead of failing the first claim that happens to touch it.
 */
export async function checkDataDirectory(directory: DataDirectory, realmDid: string): Promise<{ ok: true } | { ok: false; error: DataFileError }> {
  for (const [name, schema] of RECORD_SCHEMAS) {
    const subdirectory = join(directory.root, name);
    let files: string[];
    try {
      files = await directory.recordFiles(subdirectory);
    } catch (error) {
      return { ok: false, error: { code: 'DATA_FILE_UNREADABLE', file: subdirectory, message: `${subdirectory}: ${(error as Error).message}` } };
    }
    for (const file of files) {
      const read = await readDataFile(file, schema);
      if (!read.ok && !read.missing) return { ok: false, error: read.error };
    }
  }
  const revocations = await listRevocations(directory, realmDid);
  return revocations.ok ? { ok: true } : revocations;
}
