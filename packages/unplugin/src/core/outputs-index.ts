import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The file in the output directory that names the artifacts the plugin wrote there. A new build
 * removes what the last one listed and this one does not write (the tarball of the version before
 * a bump, the Quadlet unit of a renamed service), and nothing else: a file is removed only when the
 * plugin provably wrote it.
 */
export const OUTPUTS_INDEX_FILE = '.hecate-om-outputs.json';

const INDEX_FORMAT = 1;

/** A plain file name: no folder, no `.` or `..`, so an edited index cannot reach outside outdir. */
const PLAIN_FILE_NAME = /^(?!\.\.?$)[^/\\\0]+$/;

export function outputsIndexJson(fileNames: readonly string[]): string {
  return `${JSON.stringify({ format: INDEX_FORMAT, outputs: [...fileNames].sort() }, null, 2)}\n`;
}

/**
 * Removes from `outdir` what its index lists and `fileNames` (this build's artifacts) does not.
 * Call before writing this build's index. A missing or unreadable index removes nothing.
 */
export function removeStaleOutputs(outdir: string, fileNames: readonly string[]): string[] {
  let listed: unknown;
  try {
    listed = (JSON.parse(readFileSync(join(outdir, OUTPUTS_INDEX_FILE), 'utf8')) as { outputs?: unknown }).outputs;
  } catch {
    return []; // the first build into this outdir, or an index that is not ours: nothing is provably ours
  }
  if (!Array.isArray(listed)) return [];
  const current = new Set(fileNames);
  const stale = listed.filter((name): name is string => typeof name === 'string' && PLAIN_FILE_NAME.test(name) && name !== OUTPUTS_INDEX_FILE && !current.has(name));
  for (const name of stale) rmSync(join(outdir, name), { force: true });
  return stale;
}
