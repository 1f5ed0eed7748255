import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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

async function kindOf(path: string): Promise<'missing' | 'directory' | 'other'> {
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'other';
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
  const refuse = (message: string): TargetDirectoryResult => ({ ok: false, problems: [{ flag: '--dir', message }] });
  const kind = await kindOf(path);
  if (kind === 'other') return refuse(`${path} exists and is not a directory`);
  if (kind === 'missing') {
    const parent = dirname(path);
    if ((await kindOf(parent)) !== 'directory') return refuse(`${parent}, the parent of ${path}, is not an existing directory: create it first`);
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
 * overwritten. `paths` are the generated files' paths, `/`-separated, relative to `targetPath`.
 */
export async function forcedPathConflicts(targetPath: string, paths: readonly string[]): Promise<FlagProblem[]> {
  const kinds = new Map<string, Promise<'missing' | 'directory' | 'other'>>();
  const kindAt = (path: string): Promise<'missing' | 'directory' | 'other'> => {
    const known = kinds.get(path) ?? kindOf(join(targetPath, path));
    kinds.set(path, known);
    return known;
  };
  const messages = new Set<string>();
  for (const path of paths) {
    const segments = path.split('/');
    for (let depth = 1; depth < segments.length; depth += 1) {
      const directory = segments.slice(0, depth).join('/');
      if ((await kindAt(directory)) === 'other')
        messages.add(`${join(targetPath, directory)} is a file: the generated files under ${directory}/ need a directory there`);
    }
    if ((await kindAt(path)) === 'directory') messages.add(`${join(targetPath, path)} is a directory: the generated file ${path} cannot replace it`);
  }
  return [...messages].map((message) => ({ flag: '--force', message }));
}
