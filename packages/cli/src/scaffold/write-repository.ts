import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { TargetDirectory } from './target-directory.js';
import type { RenderedFile } from './templates.js';

/** mkdtemp makes a private directory; the repository gets the modes the user's umask gives any other. */
const DIRECTORY_MODE = 0o777 & ~process.umask();

/**
 * Writes the files into a temporary directory, then moves them into place with rename, so that a
 * failure while writing (a full disk, a bad path) leaves no half-made repository. An absent target
 * is staged beside it and created by one rename of the whole directory. An existing one (empty, or
 * with `forced`) is staged inside itself, since rename cannot cross into it when it is a mount point
 * (a bind-mounted workspace); each file is renamed in turn once all are written, replacing the file
 * of the same path and leaving others alone.
 */
export async function writeRepository(target: TargetDirectory, files: readonly RenderedFile[]): Promise<void> {
  const staging = await mkdtemp(
    target.state === 'absent' ? join(dirname(target.path), `.${basename(target.path)}.scaffold-`) : join(target.path, '.hecate-om-scaffold-'),
  );
  try {
    await chmod(staging, DIRECTORY_MODE);
    for (const file of files) {
      const path = join(staging, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content, { flag: 'wx' });
    }
    // An existing directory is kept, not replaced: it may be the user's working directory (--dir .).
    if (target.state === 'absent') await rename(staging, target.path);
    else await moveFilesInto(staging, target.path, files);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function moveFilesInto(staging: string, targetPath: string, files: readonly RenderedFile[]): Promise<void> {
  for (const file of files) {
    const destination = join(targetPath, file.path);
    await mkdir(dirname(destination), { recursive: true });
    await rename(join(staging, file.path), destination);
  }
}
