import { execFile, execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCAFFOLDED_TREE } from '../../packages/cli/test/helpers/scaffolded-repository.js';
import { cliBin, tempDir } from './support/cli.js';

/** A private mount namespace lets a test mount a tmpfs without privileges; some sandboxes forbid it. */
function canMountPrivately(): boolean {
  try {
    execFileSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs tmpfs "$1"', 'sh', tmpdir()], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('hecate-om scaffold into a directory that is a mount point', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await tempDir('mount');
  });
  afterEach(() => rm(cwd, { recursive: true, force: true }));

  it.skipIf(!canMountPrivately())('fills an empty mounted --dir . (a bind-mounted workspace), which a rename from its parent cannot reach', async () => {
    const workspace = join(cwd, 'workspace');
    await mkdir(workspace);
    // Mounts a fresh tmpfs on the workspace, scaffolds into it, then lists it as treeOf does, all inside the namespace.
    const script = [
      'mount -t tmpfs tmpfs "$1" && cd "$1"',
      '"$2" "$3" scaffold --name hecate-billing --description "Bills usage over the mesh" --dir . >/dev/null || exit $?',
      "find . -mindepth 1 \\( -type d -printf '%P/\\n' \\) -o -printf '%P\\n' | LC_ALL=C sort",
    ].join('\n');
    const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('unshare', ['-rm', 'sh', '-c', script, 'sh', workspace, process.execPath, cliBin], (error, stdout, stderr) => {
        resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      });
    });
    expect(result).toEqual({ status: 0, stdout: SCAFFOLDED_TREE.map((path) => `${path}\n`).join(''), stderr: '' });
  });
});
