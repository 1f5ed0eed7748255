import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { debug } from './debug.js';
import { readRegularFile } from './regular-file.js';
import { writeFileAtomic } from './write-file-atomic.js';

/** The index of what this cache wrote: tarball file name → sha256 of its bytes. */
const INDEX_FILE = 'release-tarballs.json';
/** The only names this cache gives its tarballs: a file named otherwise was not written by it. */
const TARBALL_NAME = /^release-[0-9a-f]{32}\.tar\.gz$/;
/** A release is a bundle and its source map; far past this, the file is not one the plugin wrote. */
const MAX_TARBALL_BYTES = 512 * 1024 * 1024;
const MAX_INDEX_BYTES = 64 * 1024;

/**
 * The last packed release tarball, kept in `cacheDir` across builds. A cached tarball is untrusted
 * (anything may write under node_modules/.cache): it is used only when it is a regular file (no
 * symbolic link) whose sha256 is the one recorded when it was written, in this cache's own index;
 * else it is a miss, logged with DEBUG=hecate-om. Only files the index records, under the names
 * this cache gives, are ever deleted: a user's own `release-1.0.0.tar.gz` in the same folder stays.
 */
export class TarballCache {
  constructor(readonly cacheDir: string) {}

  /** The tarball stored for `key` (a hex digest of everything it is packed from), when it is sound. */
  read(key: string): Uint8Array | undefined {
    const name = nameFor(key);
    const expected = this.#index().get(name);
    if (expected === undefined) return undefined;
    const bytes = readRegularFile(join(this.cacheDir, name), { maxBytes: MAX_TARBALL_BYTES, noFollow: true });
    if ('kind' in bytes) {
      debug('tarball cache: miss: %s is %s', name, bytes.kind === 'too-large' ? `${bytes.size} bytes` : bytes.kind === 'missing' ? 'missing' : bytes.what);
      return undefined;
    }
    if (sha256Of(bytes) !== expected) {
      debug('tarball cache: miss: %s does not have the sha256 it was written with', name);
      return undefined;
    }
    return bytes;
  }

  /** Keeps `bytes` as the one cached tarball, deleting the ones this cache wrote before. */
  write(key: string, bytes: Uint8Array): void {
    const name = nameFor(key);
    try {
      mkdirSync(this.cacheDir, { recursive: true });
      for (const earlier of this.#index().keys()) if (earlier !== name) removeIfRegular(join(this.cacheDir, earlier));
      writeFileAtomic(join(this.cacheDir, name), bytes);
      writeFileAtomic(join(this.cacheDir, INDEX_FILE), `${JSON.stringify({ [name]: sha256Of(bytes) }, null, 2)}\n`);
    } catch (error) {
      debug('tarball cache: not written: %s', (error as Error).message);
    }
  }

  /** The index's entries whose names and hashes have the shapes this cache writes; anything else is ignored. */
  #index(): Map<string, string> {
    const bytes = readRegularFile(join(this.cacheDir, INDEX_FILE), { maxBytes: MAX_INDEX_BYTES, noFollow: true });
    if ('kind' in bytes) return new Map();
    try {
      const json: unknown = JSON.parse(bytes.toString('utf8'));
      if (json === null || typeof json !== 'object' || Array.isArray(json)) return new Map();
      return new Map(
        Object.entries(json).filter(
          (entry): entry is [string, string] => TARBALL_NAME.test(entry[0]) && typeof entry[1] === 'string' && /^[0-9a-f]{64}$/.test(entry[1]),
        ),
      );
    } catch {
      debug('tarball cache: index %s is not JSON: ignored', INDEX_FILE);
      return new Map();
    }
  }
}

function nameFor(key: string): string {
  return `release-${key.slice(0, 32)}.tar.gz`;
}

/** Deletes a regular file this cache wrote; a symbolic link or folder put in its place is left alone. */
function removeIfRegular(path: string): void {
  try {
    if (lstatSync(path).isFile()) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
