import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadStandInBaseImage, loadSystemdImage } from './support/base-images.js';
import { createPodmanHome, podman, podmanResult } from './support/podman.js';
import { ensurePrerequisites } from './support/prerequisites.js';
import { runOk } from './support/run.js';
import type { DeploySetup } from './support/setup.js';

const EXAMPLE_DIR = resolve(import.meta.dirname, '../../examples/hecate-echo');

/**
 * Once per run: the commands, a podman home of the run's own, the example's release built by its own
 * build script, and the stand-in images (from the cache when it holds valid copies).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await ensurePrerequisites();
  const work = await mkdtemp(join(tmpdir(), 'hecate-om-deploy-'));
  const home = await createPodmanHome(join(work, 'podman'));
  const releaseDir = join(work, 'hecate-echo-dist');
  await runOk(process.execPath, ['build.mjs', releaseDir], { cwd: EXAMPLE_DIR, timeoutMs: 120_000 });
  const [nodeVersion] = await Promise.all([loadStandInBaseImage(home), loadSystemdImage(home)]);
  const manifest = JSON.parse(await readFile(join(releaseDir, 'manifest.json'), 'utf8')) as DeploySetup['manifest'];
  // The Containerfile as the build wrote it, built the way its header says; saved for podman 5.4
  // in the systemd container to load.
  await podman(home, ['build', '--quiet', '--format', 'docker', '--tag', manifest.image, '-f', join(releaseDir, 'Containerfile'), releaseDir]);
  const imageArchive = join(work, 'service-image.tar');
  await podman(home, ['save', '--quiet', '--output', imageArchive, manifest.image]);

  project.provide('deploy', { work, podmanDir: home.dir, releaseDir, manifest, baseImageNodeVersion: nodeVersion, imageArchive });

  return async () => {
    await podmanResult(home, ['rm', '--all', '--force', '--time', '0']);
    await podmanResult(home, ['system', 'reset', '--force']);
    await rm(work, { recursive: true, force: true });
  };
}
