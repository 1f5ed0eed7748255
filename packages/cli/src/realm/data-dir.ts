import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Flags, type Interfaces } from '@oclif/core';
import type { Problem } from '../hecate-command.js';

/**
 * The realm's data directory unless --data-dir says otherwise: beside where the commands run, so
 * `realm dev`, `realm join-token` and `realm revoke` started in one directory share one realm.
 */
export const DEFAULT_REALM_DATA_DIR = '.hecate-realm';

/** The --data-dir flag every realm command takes. */
export const dataDirFlag = (purpose: string): Interfaces.OptionFlag<string> =>
  Flags.string({ default: DEFAULT_REALM_DATA_DIR, description: `The realm's data directory: ${purpose}.` });

/**
 * Why `dataDir` is not a realm's data directory (none, or no realm key in it), or undefined when it
 * is one. The operator's commands refuse a directory no realm ever started in rather than create
 * one: a join token or revocation recorded where no realm reads it would be silently lost.
 */
export async function realmDataDirProblem(dataDir: string): Promise<Problem | undefined> {
  const root = resolve(dataDir);
  const hint = `start the realm once with this data directory (hecate-om realm dev --data-dir ${dataDir}), or pass the one it uses`;
  try {
    if (!(await stat(root)).isDirectory()) return { flag: '--data-dir', message: `${root} is not a directory`, hint };
  } catch (error) {
    return { flag: '--data-dir', message: `${root}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (error as Error).message}`, hint };
  }
  // The realm and its zod schemas load only when a command runs, so --help stays quick.
  const { DATA_LAYOUT } = await import('@hecate-om/realm');
  const key = join(root, DATA_LAYOUT.key);
  try {
    await stat(key);
  } catch {
    return { flag: '--data-dir', message: `${root} holds no realm key (${DATA_LAYOUT.key}): it is not a realm's data directory`, hint };
  }
  return undefined;
}
