import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const exampleRoot = join(repoRoot, 'examples', 'hecate-echo');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
export const supportDir = fileURLToPath(new URL('./', import.meta.url));

export const run = promisify(execFile);

export function tempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `hecate-${label}-`));
}

export async function sortedEntries(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/**
 * A copy of a fixture service project in a temporary directory, which the test may edit; its
 * node_modules is the e2e package's, so @hecate-om/contract and @hecate-om/runtime resolve.
 */
export async function copyOfProject(source: string): Promise<string> {
  const root = await tempDir('project');
  await cp(source, root, { recursive: true });
  await symlink(join(repoRoot, 'test', 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

export interface ChildBuild {
  readonly errors: { text: string; location: unknown }[];
}

/** Builds in a fresh `node` process (support/build-service.mjs), optionally recording every module it loads. */
export async function buildInChild(
  config: { root: string; outdir: string; options?: Record<string, unknown> },
  loadLog?: string,
): Promise<ChildBuild> {
  const args = loadLog === undefined ? [] : ['--import', join(supportDir, 'record-loads.mjs')];
  const env = { ...process.env, HECATE_BUILD: JSON.stringify(config), ...(loadLog === undefined ? {} : { HECATE_LOAD_LOG: loadLog }) };
  try {
    const { stdout } = await run(process.execPath, [...args, join(supportDir, 'build-service.mjs')], { env });
    return JSON.parse(stdout) as ChildBuild;
  } catch (error) {
    const { stdout } = error as { stdout?: string };
    if (stdout === undefined || stdout === '') throw error;
    return JSON.parse(stdout) as ChildBuild;
  }
}
