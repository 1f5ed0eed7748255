import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Why a path holds no regular file to read. */
export type NotARegularFile =
  | { readonly kind: 'missing' }
  | { readonly kind: 'not-a-file'; readonly what: string }
  | { readonly kind: 'too-large'; readonly size: number };

export interface ReadRegularFileOptions {
  /** Refuse a file larger than this many bytes, before reading it. */
  readonly maxBytes: number;
  /** Refuse a symbolic link instead of reading what it points to (for files this plugin wrote itself). */
  readonly noFollow?: boolean;
}

/**
 * The bytes of a regular file, or why there are none. The type is checked on the open descriptor
 * before a byte is read: opened with O_NONBLOCK, a FIFO cannot block the event loop waiting for a
 * writer, and is refused, as are devices, sockets and directories; with `noFollow`, a symbolic link
 * is refused too (O_NOFOLLOW), so a link planted where a cache file should be reads nothing.
 */
export function readRegularFile(path: string, options: ReadRegularFileOptions): Buffer | NotARegularFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow === true ? constants.O_NOFOLLOW : 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    if (code === 'EISDIR') return { kind: 'not-a-file', what: 'a directory' };
    if (code === 'ELOOP') return { kind: 'not-a-file', what: 'a symbolic link' };
    return { kind: 'not-a-file', what: `a file that cannot be opened (${code ?? String(error)})` };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { kind: 'not-a-file', what: 'a directory' };
    if (!stat.isFile()) return { kind: 'not-a-file', what: 'not a regular file (a FIFO, socket or device)' };
    if (stat.size > options.maxBytes) return { kind: 'too-large', size: stat.size };
    const bytes = Buffer.alloc(stat.size);
    let read = 0;
    while (read < bytes.length) {
      const count = readSync(fd, bytes, read, bytes.length - read, read);
      if (count === 0) break;
      read += count;
    }
    return bytes.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
