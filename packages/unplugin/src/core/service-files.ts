import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'tinyglobby';
import { reservedReleasePath } from './release-files.js';
import type { ReleaseFile } from './release-tarball.js';

/**
 * The paths the patterns match, with the index of the first pattern that matched each (to name
 * it in a problem found later), or what is wrong with a pattern.
 */
export type ServiceFilesResult =
  | { readonly paths: readonly string[]; readonly patternOf: ReadonlyMap<string, number>; readonly problem?: undefined }
  | { readonly problem: string };

/** How a problem names the pattern at `index`, as the user wrote it. */
function patternName(pattern: string, index: number): string {
  return `the files option's pattern ${JSON.stringify(pattern)} (files[${index}])`;
}

/**
 * The files the `files` option names: each pattern is a glob relative to the service root
 * (`prompts/**`, `sql/*.sql`), and each match ships at the same path in the release, whose top
 * folder stands for the root. A pattern that matches nothing is refused (a typo would otherwise
 * build a release that fails at run time), as is one that leaves the root or lands on a path the
 * release keeps for itself. Paths are sorted, so the release does not depend on directory order.
 */
export function findServiceFiles(root: string, patterns: readonly string[]): ServiceFilesResult {
  const patternOf = new Map<string, number>();
  for (const [index, pattern] of patterns.entries()) {
    const option = patternName(pattern, index);
    if (pattern.startsWith('/') || pattern.split('/').includes('..'))
      return { problem: `${option} leaves the service root: patterns are relative to ${root}, and what they match ships at the same path inside the release` };
    const matches = globSync(pattern, { cwd: root, onlyFiles: true, dot: true, expandDirectories: false, ignore: ['node_modules/**'] });
    if (matches.length === 0) return { problem: `${option} matches no file under ${root}: fix the pattern or remove it` };
    for (const path of matches) {
      const reserved = reservedReleasePath(path);
      if (reserved !== undefined) return { problem: `${option} matches ${path}, but ${reserved}: ship the file under a folder of its own (e.g. assets/)` };
      if (!patternOf.has(path)) patternOf.set(path, index);
    }
  }
  return { paths: [...patternOf.keys()].sort(), patternOf };
}

/**
 * What is wrong when a file the patterns match is also a file the bundler wrote for this bundle
 * (a file-loader output, an asset), both to ship at one path: with the outdir inside the service
 * root, a pattern for every `.txt` file matches the bundler's own outputs. Known only once the bundle is.
 */
export function bundlerOutputProblem(patterns: readonly string[], found: { readonly paths: readonly string[]; readonly patternOf: ReadonlyMap<string, number> }, outputs: readonly string[]): string | undefined {
  const written = new Set(outputs);
  const path = found.paths.find((candidate) => written.has(candidate));
  if (path === undefined) return undefined;
  const index = found.patternOf.get(path)!;
  return `${patternName(patterns[index]!, index)} matches ${path}, which the bundler wrote for the bundle (it ships beside main.js already): narrow the pattern, or build into an outdir outside the files it matches`;
}

/** The contents of the paths findServiceFiles returned. */
export function readServiceFiles(root: string, paths: readonly string[]): ReleaseFile[] {
  return paths.map((path) => ({ path, content: readFileSync(join(root, path)) }));
}
