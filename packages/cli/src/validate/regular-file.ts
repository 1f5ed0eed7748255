import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

export type ReadRegularFileResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly message: string };

/** What a path that is not a regular file is, in the words `ls -l` and `stat(1)` use. */
function kindOf(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a file';
}

/**
 * Reads a regular file as UTF-8, refusing anything else and anything over `maxBytes`. A FIFO or a
 * terminal would block the read (and opening a FIFO blocks until a writer comes), a device may never
 * end: the path is stat'ed before it is opened, and opened without blocking so that a FIFO swapped in
 * between is still refused rather than waited on. `message` starts with the path.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<ReadRegularFileResult> {
  const refusal = (stats: Stats): ReadRegularFileResult | undefined => {
    const kind = kindOf(stats);
    if (kind !== undefined) return { ok: false, message: `${path} is ${kind}, not a regular file` };
    if (stats.size > maxBytes) return { ok: false, message: `${path} is ${stats.size} bytes, more than the ${maxBytes} bytes read at most` };
    return undefined;
  };
  try {
    const before = refusal(await stat(path));
    if (before !== undefined) return before;
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const opened = await handle.stat();
      const refused = refusal(opened);
      if (refused !== undefined) return refused;
      // One byte more than stat saw: a file that grew since is refused, not cut short.
      const buffer = Buffer.alloc(opened.size + 1);
      let length = 0;
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      if (length > opened.size) return { ok: false, message: `${path} grew while it was read` };
      return { ok: true, text: buffer.toString('utf8', 0, length) };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { ok: false, message: `${path}: ${(error as Error).message}` };
  }
}
