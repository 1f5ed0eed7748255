import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'tinyglobby';
import { reservedReleasePath } from './release-files.js';
import type { ReleaseFile } from './release-tarball.js';

/** The paths the patterns match, or what is wrong with a pattern. */
export type ServiceFilesResult = { readonly paths: readonly string[]; readonly problem?: undefined } | { readonly problem: string };

/**
 * The files the `files` option names: each pattern is a glob relative to the service root
 * (`prompts/**`, `sql/*.sql`), and each match ships at the same path in the release, whose top
 * folder stands for the root. A pattern that matches nothing is refused (a typo would otherwise
 * build a release that fails at run time), as is one that leaves the root or lands on a path the
 * release keeps for itself. Paths are sorted, so the release does not depend on directory order.
 */
export function findServiceFiles(root: string, patterns: readonly string[]): ServiceFilesResult {
  const paths = new Set<string>();
  for (const [index, pattern] of patterns.entries()) {
    const option = `the files option's pattern ${JSON.stringify(pattern)} (files[${index}])`;
    if (pattern.startsWith('/') || pattern.split('/').includes('..'))
      return { problem: `${option} leaves the service root: patterns are relative to ${root}, and what they match ships at the same path inside the release` };
    const matches = globSync(pattern, { cwd: root, onlyFiles: true, dot: true, expandDirectories: false, ignore: ['node_modules/**'] });
    if (matches.length === 0) return { problem: `${option} matches no file under ${root}: fix the pattern or remove it` };
    for (const path of matches) {
      const reserved = reservedReleasePath(path);
      if (reserved !== undefined) return { problem: `${option} matches ${path}, but ${reserved}: ship the file under a folder of its own (e.g. assets/)` };
      paths.add(path);
    }
  }
  return { paths: [...paths].sort() };
}

/** The contents of the paths findServiceFiles returned. */
export function readServiceFiles(root: string, paths: readonly string[]): ReleaseFile[] {
  return paths.map((path) => ({ path, content: readFileSync(join(root, path)) }));
}
