import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Problem } from '../hecate-command.js';

async function statOrCode(path: string): Promise<{ readonly isDirectory: boolean; readonly isFile: boolean } | string> {
  try {
    const stats = await stat(path);
    return { isDirectory: stats.isDirectory(), isFile: stats.isFile() };
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : message;
  }
}

/**
 * Why `root` (absolute) cannot be the service project `inspect` was pointed at, as a problem of its
 * DIR argument, or `undefined` when it holds a package.json. Checked by the CLI, so that the answer
 * speaks of DIR rather than of the build plugin's `root` option, which the plugin's message advises.
 */
export async function projectDirectoryProblem(root: string): Promise<Problem | undefined> {
  const problem = (message: string): Problem => ({ flag: 'DIR', message, hint: 'pass the directory of the service project, which holds its package.json' });
  const directory = await statOrCode(root);
  if (directory === 'missing') return problem(`${root} does not exist`);
  if (typeof directory === 'string') return problem(`${root}: ${directory}`);
  if (!directory.isDirectory) return problem(`${root} is not a directory`);
  const packageJson = await statOrCode(join(root, 'package.json'));
  if (packageJson === 'missing') return problem(`${root} holds no package.json`);
  if (typeof packageJson === 'string') return problem(`${join(root, 'package.json')}: ${packageJson}`);
  if (!packageJson.isFile) return problem(`${join(root, 'package.json')} is not a regular file`);
  return undefined;
}
