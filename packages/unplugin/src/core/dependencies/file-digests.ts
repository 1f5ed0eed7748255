import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { debug } from '../debug.js';
import { readRegularFile } from '../regular-file.js';
import { writeFileAtomic } from '../write-file-atomic.js';

/** One remembered file: `[size, mtimeMs, sha256]`. */
type Stamp = readonly [number, number, string];

const FORMAT = 1;
/** A few hundred bytes per file: far past this, the file is not one the plugin wrote. */
const MAX_DIGESTS_BYTES = 64 * 1024 * 1024;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The content digests of installed package files, remembered by path, size and mtime in a file of
 * the cache folder (as make and esbuild's incremental builds trust them): a warm build of a release
 * that ships node_modules stats each file instead of reading and hashing it, and reads the files
 * only when it packs a new tarball. Only the files of the latest build are kept, so the file does
 * not grow with every version installed over time. Like every cache file it is untrusted input: read
 * only as a regular file (never through a link), each entry of the wrong shape ignored, anything
 * wrong a miss (the file hashed again), and a failed write is logged, never an error.
 */
export class FileDigests {
  readonly #known: ReadonlyMap<string, Stamp>;
  readonly #used = new Map<string, Stamp>();
  #changed = false;

  constructor(private readonly file: string) {
    this.#known = readStamps(file);
  }

  /** The sha256 (hex) of the file at the absolute `path`: remembered while its size and mtime are unchanged. */
  digestOf(path: string): string {
    const { size, mtimeMs } = statSync(path);
    const known = this.#known.get(path);
    const stamp: Stamp =
      known !== undefined && known[0] === size && known[1] === mtimeMs ? known : [size, mtimeMs, createHash('sha256').update(readFileSync(path)).digest('hex')];
    if (stamp !== known) this.#changed = true;
    this.#used.set(path, stamp);
    return stamp[2];
  }

  /** Writes the digests of this build's files, when one was new or one is no longer used. */
  save(): void {
    if (!this.#changed && this.#used.size === this.#known.size) return;
    try {
      writeFileAtomic(this.file, `${JSON.stringify({ format: FORMAT, files: Object.fromEntries([...this.#used].sort(([a], [b]) => (a < b ? -1 : 1))) })}\n`);
    } catch (error) {
      debug('package file digests: not written: %s', (error as Error).message);
    }
  }
}

function readStamps(file: string): ReadonlyMap<string, Stamp> {
  const bytes = readRegularFile(file, { maxBytes: MAX_DIGESTS_BYTES, noFollow: true });
  if ('kind' in bytes) return new Map(); // none yet, or not a file the plugin wrote: every file is hashed again
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    debug('package file digests: miss: %s is not JSON', file);
    return new Map();
  }
  const files = (json as { format?: unknown; files?: unknown } | null)?.files;
  if ((json as { format?: unknown }).format !== FORMAT || files === null || typeof files !== 'object' || Array.isArray(files)) return new Map();
  return new Map(Object.entries(files).filter((entry): entry is [string, Stamp] => isStamp(entry[1])));
}

function isStamp(value: unknown): value is Stamp {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    Number.isFinite(value[0]) &&
    Number.isFinite(value[1]) &&
    typeof value[2] === 'string' &&
    SHA256_HEX.test(value[2])
  );
}
