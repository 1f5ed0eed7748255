import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const cliBin = join(repoRoot, 'packages', 'cli', 'bin', 'run.js');
export const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment a user's shell would give: no colour forced by the test runner. */
function plainEnvironment(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _force, NO_COLOR: _no, ...env } = process.env;
  return { ...env, ...extra };
}

/**
 * Runs `hecate-om <args>` as a user would: `node packages/cli/bin/run.js`, in `cwd`. A command that
 * hangs is killed after half a minute (status null), so the test fails instead of the run stalling.
 */
export function runCli(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliBin, ...args],
      { cwd: options.cwd, env: plainEnvironment(options.env ?? {}), maxBuffer: 16 * 1024 * 1024, timeout: 30_000 },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

export function tempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `hecate-cli-${label}-`));
}

/** Every file and directory under `dir`, relative and sorted, dot files included. */
export async function treeOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => `${relative(dir, join(entry.parentPath, entry.name))}${entry.isDirectory() ? '/' : ''}`)
    .sort();
}

/** Every file under `dir` with its content, for comparing a tree before and after. */
export async function contentsOf(dir: string): Promise<Record<string, string>> {
  const contents: Record<string, string> = {};
  for (const path of await treeOf(dir)) if (!path.endsWith('/')) contents[path] = await readFile(join(dir, path), 'utf8');
  return contents;
}
