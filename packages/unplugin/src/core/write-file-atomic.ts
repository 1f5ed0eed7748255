import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes through a temporary file in the same directory and renames it into place, so a reader
 * (a container build, a second build sharing the cache) never sees a half-written file. Synchronous:
 * the files are small, and a few sync calls cost less than the thread-pool round trips of async ones.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Writes the artifacts of successive builds (watch mode), skipping a file whose content is what
 * this writer last wrote there and which nobody touched since: an unchanged rebuild costs a stat.
 */
export class ArtifactWriter {
  readonly #written = new Map<string, { content: string | Uint8Array; size: number; mtimeMs: number }>();

  write(path: string, content: string | Uint8Array): void {
    const last = this.#written.get(path);
    if (last !== undefined && sameContent(last.content, content)) {
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat !== undefined && stat.size === last.size && stat.mtimeMs === last.mtimeMs) return;
    }
    writeFileAtomic(path, content);
    const { size, mtimeMs } = statSync(path);
    this.#written.set(path, { content, size, mtimeMs });
  }
}

function sameContent(a: string | Uint8Array, b: string | Uint8Array): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a === b || Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
