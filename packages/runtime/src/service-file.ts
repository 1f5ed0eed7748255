import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The absolute path of a file the service reads at run time, given relative to the service
 * project's root (the folder of its package.json): `serviceFile(import.meta.url, 'sql/greeting.sql')`.
 * Found from the calling module's URL by the nearest folder up that holds a package.json: from the
 * sources that is the project, and from the release, where the calling code is bundled into
 * main.js, it is the release's top folder, into which the build plugin's `files` option copies
 * the same relative paths. So one call works under `tsx`, vitest and in the release, without
 * knowing where the bundler put main.js.
 *
 * Throws a TypeError when `path` is absolute or climbs out with `..`, and an Error when no folder
 * above the module holds a package.json. The file itself is not checked: reading it reports that.
 */
export function serviceFile(moduleUrl: string | URL, path: string): string {
  const normalized = normalize(path);
  if (isAbsolute(path) || normalized === '..' || normalized.startsWith(`..${sep}`))
    throw new TypeError(`serviceFile(): ${JSON.stringify(path)} must be a path relative to the service root, inside it`);
  const root = projectRootOf(fileURLToPath(moduleUrl));
  return join(root, normalized);
}

const roots = new Map<string, string>();

function projectRootOf(file: string): string {
  const start = dirname(file);
  const known = roots.get(start);
  if (known !== undefined) return known;
  for (let dir = start; ; dir = dirname(dir)) {
    if (statSync(join(dir, 'package.json'), { throwIfNoEntry: false })?.isFile() === true) {
      roots.set(start, dir);
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`serviceFile(): no folder above ${file} holds a package.json, so the service root is unknown`);
  }
}
