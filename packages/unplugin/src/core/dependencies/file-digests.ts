import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../write-file-atomic.js';

/** One remembered file: `[size, mtimeMs, sha256]`. */
type Stamp = readonly [number, number, string];

const FORMAT = 1;

/**
 * The content digests of installed package files, remembered by path, size and mtime in a file of
 * the cache folder (as make and esbuild's incremental builds trust them): a warm build of a release
 * that ships node_modules stats each file instead of reading and hashing it, and reads the files
 * only when it packs a new tarball. Only the files of the latest build are kept, so the file does
 * not grow with every version installed over time.
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
    writeFileAtomic(this.file, `${JSON.stringify({ format: FORMAT, files: Object.fromEntries([...this.#used].sort(([a], [b]) => (a < b ? -1 : 1))) })}\n`);
  }
}

function readStamps(file: string): ReadonlyMap<string, Stamp> {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; files?: Record<string, Stamp> };
    return json.format === FORMAT && typeof json.files === 'object' && json.files !== null ? new Map(Object.entries(json.files)) : new Map();
  } catch {
    return new Map(); // no digests yet, or unreadable: every file is hashed once again
  }
}
