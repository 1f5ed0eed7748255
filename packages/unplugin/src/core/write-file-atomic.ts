import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
 * Writes artifacts only where they changed, as esbuild does with its own outputs: a file that
 * already holds the same bytes is left alone (a warm build rewrites nothing), and a file this
 * writer wrote and nobody touched since is recognised by its size and mtime (a watch-mode rebuild
 * costs a stat per artifact).
 */
export class ArtifactWriter {
  readonly #written = new Map<string, { content: string | Uint8Array; size: number; mtimeMs: number }>();

  write(path: string, content: string | Uint8Array): void {
    const stat = statSync(path, { throwIfNoEntry: false });
    const last = this.#written.get(path);
    if (stat !== undefined && last !== undefined && stat.size === last.size && stat.mtimeMs === last.mtimeMs && last.content === content) return;
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const unchanged = stat !== undefined && stat.size === bytes.byteLength && readFileSync(path).equals(bytes);
    if (!unchanged) writeFileAtomic(path, bytes);
    const { size, mtimeMs } = unchanged ? stat : statSync(path);
    this.#written.set(path, { content, size, mtimeMs });
  }
}
