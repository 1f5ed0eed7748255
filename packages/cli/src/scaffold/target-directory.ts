import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { FlagProblem } from './scaffold-input.js';

/** Where the repository goes, and what is there now. */
export interface TargetDirectory {
  readonly path: string;
  /** `absent`: created by the final rename; `empty` or `forced`: filled in place. */
  readonly state: 'absent' | 'empty' | 'forced';
}

export type TargetDirectoryResult =
  | { readonly ok: true; readonly value: TargetDirectory }
  | { readonly ok: false; readonly problems: readonly FlagProblem[] };

type PathKind = 'missing' | 'directory' | 'symlink' | 'other';

/** What is at `path`; `follow`: what a symbolic link there points to, rather than the link itself. */
async function kindOf(path: string, follow: boolean): Promise<PathKind> {
  try {
    const stats = follow ? await stat(path) : await lstat(path);
    if (stats.isSymbolicLink()) return 'symlink';
    return stats.isDirectory() ? 'directory' : 'other';
  } catch (error) {
    // ENOTDIR: a component of the path is a file, so nothing can be at the path either.
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw error;
  }
}

/**
 * Decides whether the repository may be written to `path` (absolute) without touching anything:
 * the directory must be absent or empty, or `force` given; its parent must exist.
 */
export async function checkTargetDirectory(path: string, force: boolean): Promise<TargetDirectoryResult> {
  const refuse = (message: string, hint?: string): TargetDirectoryResult => ({
    ok: false,
    problems: [hint === undefined ? { flag: '--dir', message } : { flag: '--dir', message, hint }],
  });
  const kind = await kindOf(path, true);
  if (kind === 'other') return refuse(`${path} exists and is not a directory`);
  if (kind === 'missing') {
    // A link to a directory is followed, as the user asked for it by name; one to nothing cannot be renamed onto.
    if ((await kindOf(path, false)) === 'symlink')
      return refuse(`${path} is a symbolic link to ${resolve(dirname(path), await readlink(path))}, which does not exist`, 'create that directory, or choose another --dir');
    const parent = dirname(path);
    if ((await kindOf(parent, true)) !== 'directory') return refuse(`${parent}, the parent of ${path}, is not an existing directory: create it first`);
    return { ok: true, value: { path, state: 'absent' } };
  }
  const entries = await readdir(path);
  if (entries.length === 0) return { ok: true, value: { path, state: 'empty' } };
  if (!force)
    return refuse(
      `${path} is not empty (${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}): choose another --dir, or pass --force to write the generated files over it`,
    );
  return { ok: true, value: { path, state: 'forced' } };
}

/**
 * Under --force, generated files replace files of the same path, but cannot replace a directory nor
 * go under a file: found only while moving them into place, either would leave the target half
 * overwritten. Nor may they go through a symbolic link to a directory, which would write them
 * wherever it points, outside the target; a link in place of a generated file is replaced, as
 * rename replaces the link, not what it points to. `paths` are the generated files' paths,
 * `/`-separated, relative to `targetPath`.
 */
export async function forcedPathConflicts(targetPath: string, paths: readonly string[]): Promise<FlagProblem[]> {
  const kinds = new Map<string, Promise<PathKind>>();
  const kindAt = (path: string): Promise<PathKind> => {
    const known = kinds.get(path) ?? kindOf(join(targetPath, path), false);
    kinds.set(path, known);
    return known;
  };
  const messages = new Set<string>();
  paths: for (const path of paths) {
    const segments = path.split('/');
    for (let depth = 1; depth < segments.length; depth += 1) {
      const directory = segments.slice(0, depth).join('/');
      const kind = await kindAt(directory);
      if (kind === 'other') messages.add(`${join(targetPath, directory)} is a file: the generated files under ${directory}/ need a directory there`);
      if (kind === 'symlink')
        messages.add(`${join(targetPath, directory)} is a symbolic link: the generated files under ${directory}/ would be written where it points, outside ${targetPath}`);
      // What lies below a file or a link is reported through it already.
      if (kind !== 'directory' && kind !== 'missing') continue paths;
    }
    if ((await kindAt(path)) === 'directory') messages.add(`${join(targetPath, path)} is a directory: the generated file ${path} cannot replace it`);
  }
  return [...messages].map((message) => ({ flag: '--force', message }));
}
