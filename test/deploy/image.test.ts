import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BASE_IMAGE_NODE_MAJOR } from './support/node-binary.mjs';
import { containerName, waitHealthy, zombies } from './support/containers.js';
import { podman, podmanResult } from './support/podman.js';
import { deploySetup } from './support/setup.js';

const { home, releaseDir, manifest, baseImageNodeVersion } = deploySetup();
const containers: string[] = [];

/** Starts the example image detached under a fresh name with extra `podman run` flags. */
async function start(purpose: string, flags: readonly string[] = []): Promise<string> {
  const name = containerName(purpose);
  containers.push(name);
  await podman(home, ['run', '--detach', '--name', name, ...flags, manifest.image]);
  return name;
}

afterAll(async () => {
  if (containers.length > 0) await podmanResult(home, ['rm', '--force', '--time', '0', ...containers]);
});

describe('the image built from the generated Containerfile', () => {
  it(`starts from the Node ${BASE_IMAGE_NODE_MAJOR} base image and carries the OCI labels from the manifest`, async () => {
    expect(baseImageNodeVersion.split('.')[0]).toBe(String(BASE_IMAGE_NODE_MAJOR));
    const version = await podman(home, ['run', '--rm', manifest.image, 'node', '--version']);
    expect(version.trim()).toBe(`v${baseImageNodeVersion}`);
    const labels = JSON.parse(await podman(home, ['image', 'inspect', '--format', '{{json .Labels}}', manifest.image])) as Record<string, string>;
    expect(labels).toMatchObject({
      'org.opencontainers.image.title': manifest.name,
      'org.opencontainers.image.version': manifest.version,
      'org.opencontainers.image.description': manifest.description,
      'org.opencontainers.image.licenses': manifest.license,
    });
  });

  it('runs, passes its HEALTHCHECK, runs as uid and gid 1000, and stops with exit 0 within a second', async () => {
    const name = await start('run');
    await waitHealthy(home, name);
    const status = await podman(home, ['exec', name, 'cat', '/proc/1/status']);
    expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe('1000');
    expect(/^Gid:\s+(\d+)/m.exec(status)?.[1]).toBe('1000');
    expect(await podman(home, ['image', 'inspect', '--format', '{{.Config.User}}', manifest.image])).toBe('1000:1000\n');

    // Given one second before SIGKILL (which would end it with 137), it ends by itself with 0.
    await podman(home, ['stop', '--time', '1', name]);
    expect(await podman(home, ['inspect', '--format', '{{.State.ExitCode}}', name])).toBe('0\n');
  });

  it('runs and stays healthy with a read-only root, no capabilities and no new privileges', async () => {
    // As the Quadlet unit runs it: the state directory is a volume, the only place the service writes.
    const state = `${containerName('hardened-state')}:${manifest.paths.state}`;
    const name = await start('hardened', ['--read-only', '--cap-drop=all', '--security-opt=no-new-privileges', '--volume', state]);
    await waitHealthy(home, name);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await waitHealthy(home, name, 0);
    const effective = /^CapEff:\s+(\w+)/m.exec(await podman(home, ['exec', name, 'cat', '/proc/1/status']))?.[1];
    expect(effective).toBe('0000000000000000');
  });

  it('has its orphaned processes reaped when run with --init, as the Quadlet unit runs it', async () => {
    const name = await start('init', ['--init']);
    await waitHealthy(home, name);
    // The shell exits at once; its background child is orphaned to PID 1 of the container.
    await podman(home, ['exec', name, 'sh', '-c', 'sleep 0.2 &']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await zombies(home, name)).toEqual([]);

    // The same without an init leaves a zombie behind: the check above can fail.
    const bare = await start('no-init');
    await waitHealthy(home, bare);
    await podman(home, ['exec', bare, 'sh', '-c', 'sleep 0.2 &']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await zombies(home, bare)).toHaveLength(1);
  });
});

describe('the reproducible build documented in the Containerfile', () => {
  it('gives the same image digest twice with --format oci --timestamp 0 --no-cache', async () => {
    const digests: string[] = [];
    for (const tag of ['first', 'second']) {
      const image = `localhost/hecate-deploy/reproducible:${tag}`;
      await podman(home, ['build', '--quiet', '--no-cache', '--format', 'oci', '--timestamp', '0', '--tag', image, '-f', join(releaseDir, 'Containerfile'), releaseDir]);
      digests.push(await podman(home, ['image', 'inspect', '--format', '{{.Digest}}', image]));
    }
    expect(digests[0]).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(digests[1]).toBe(digests[0]);
  });
});
