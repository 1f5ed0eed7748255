// A cache of things the deployment tests build slowly (Node binaries, root filesystems, base images),
// shared by the vitest global setup and scripts/test-node.mjs, so plain JavaScript.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$HECATE_OM_DEPLOY_CACHE`, else `$XDG_CACHE_HOME/hecate-om-deploy`, else `~/.cache/hecate-om-deploy`. */
export function cacheRoot() {
  if (process.env.HECATE_OM_DEPLOY_CACHE) return process.env.HECATE_OM_DEPLOY_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'hecate-om-deploy');
}

async function sha256File(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

/** The record that marks an entry complete: what it was built from and the hash of every file. */
const RECORD = 'entry.json';

async function validEntry(dir, inputs) {
  let record;
  try {
    record = JSON.parse(await readFile(join(dir, RECORD), 'utf8'));
  } catch {
    return undefined;
  }
  if (JSON.stringify(record.inputs) !== JSON.stringify(inputs)) return undefined;
  const names = (await readdir(dir)).filter((name) => name !== RECORD).sort();
  if (JSON.stringify(names) !== JSON.stringify(Object.keys(record.files).sort())) return undefined;
  for (const name of names) if ((await sha256File(join(dir, name))) !== record.files[name]) return undefined;
  return record;
}

/**
 * The cache entry `<name>-<hash of inputs>` under cacheRoot(): reused when its record names the same
 * inputs and every file still has its recorded hash; otherwise built by `build(dir)` into a fresh
 * directory, recorded, and renamed into place (a concurrent run that wins the rename is kept).
 * Resolves to `{ dir, details }`, details being what `build` returned.
 */
export async function cached(name, inputs, build) {
  const root = cacheRoot();
  const key = createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
  const dir = join(root, `${name}-${key}`);
  const found = await validEntry(dir, inputs);
  if (found) return { dir, details: found.details };

  await mkdir(root, { recursive: true });
  const building = join(root, `.building-${name}-${key}-${randomBytes(4).toString('hex')}`);
  await mkdir(building);
  try {
    const details = (await build(building)) ?? null;
    const files = {};
    for (const file of (await readdir(building)).sort()) files[file] = await sha256File(join(building, file));
    await writeFile(join(building, RECORD), `${JSON.stringify({ inputs, files, details }, null, 2)}\n`);
    // An entry that failed validation is ours (its name carries our key): replace it.
    await rm(dir, { recursive: true, force: true });
    await rename(building, dir).catch(async (error) => {
      if (!(await validEntry(dir, inputs))) throw error;
    });
    return { dir, details };
  } finally {
    await rm(building, { recursive: true, force: true });
  }
}
