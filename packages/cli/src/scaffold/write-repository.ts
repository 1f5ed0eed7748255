import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { TargetDirectory } from './target-directory.js';
import type { RenderedFile } from './templates.js';

/** mkdtemp makes a private directory; the repository gets the modes the user's umask gives any other. */
const DIRECTORY_MODE = 0o777 & ~process.umask();

/**
 * Writes the files into a temporary directory beside the target, then moves them into place with
 * rename, so that a failure midway (a full disk, a killed process) leaves no half-made repository:
 * an absent or empty target ends up complete or untouched. With `forced`, each file is renamed into
 * the existing directory in turn, replacing the file of the same path and leaving others alone.
 */
export async function writeRepository(target: TargetDirectory, files: readonly RenderedFile[]): Promise<void> {
  const staging = await mkdtemp(join(dirname(target.path), `.${basename(target.path)}.scaffold-`));
  try {
    await chmod(staging, DIRECTORY_MODE);
    for (const file of files) {
      const path = join(staging, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content, { flag: 'wx' });
    }
    // rename(2) replaces an empty directory in one step, so an empty target needs no removal first.
    if (target.state === 'forced') await moveFilesInto(staging, target.path, files);
    else await rename(staging, target.path);
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
