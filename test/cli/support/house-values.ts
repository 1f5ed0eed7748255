import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Values that belong to the hecate-om project itself and must not reach a service scaffolded for
 * another org and registry: the default registry, the default org wherever an org goes, the
 * example service, and our repository's address.
 */
export const HOUSE_VALUES: readonly RegExp[] = [
  /ghcr\.io/i,
  /hecate-echo/,
  /github\.com[/:]hecate-om/i,
  /(?<!\.cache)\/hecate-om\//, // the org as a path component: <registry>/hecate-om/<name> (not the plugin's cacheDir)
  /@hecate-om\/(?!contract\b|runtime\b|ucan\b|unplugin\b|cli\b)[a-z]/, // the org as the package's npm scope (ours, the runtime's ucan among them, excepted)
  /\borg['"]?\s*[:=]\s*['"]hecate-om['"]/, // the org as an option value
];

export interface HouseValueFound {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** Every line of every file under `dir` (skipping `skip`, relative paths) that holds a house value. */
export async function findHouseValues(dir: string, skip: readonly string[] = ['node_modules']): Promise<HouseValueFound[]> {
  const found: HouseValueFound[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const file = relative(dir, path);
    if (!entry.isFile() || skip.some((prefix) => file === prefix || file.startsWith(`${prefix}/`))) continue;
    const text = (await readFile(path)).toString('latin1');
    text.split('\n').forEach((line, index) => {
      if (HOUSE_VALUES.some((pattern) => pattern.test(line))) found.push({ file, line: index + 1, text: line.slice(0, 200) });
    });
  }
  return found;
}
