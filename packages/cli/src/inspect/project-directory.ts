import { stat } from 'node:fs/promises';
import { join } from 'node:path';

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
 * Why `root` (absolute) cannot be the service project `inspect` was pointed at, or `undefined` when
 * it holds a package.json. Checked by the CLI, so the answer speaks of its DIR argument rather than
 * of the build plugin's `root` option, which the plugin's own message advises.
 */
export async function projectDirectoryProblem(root: string): Promise<string | undefined> {
  const directory = await statOrCode(root);
  if (directory === 'missing') return `${root} does not exist`;
  if (typeof directory === 'string') return `${root}: ${directory}`;
  if (!directory.isDirectory) return `${root} is not a directory`;
  const packageJson = await statOrCode(join(root, 'package.json'));
  if (packageJson === 'missing') return `${root} holds no package.json: pass the directory of the service project, which holds its package.json`;
  if (typeof packageJson === 'string') return `${join(root, 'package.json')}: ${packageJson}`;
  if (!packageJson.isFile) return `${join(root, 'package.json')} is not a regular file`;
  return undefined;
}
