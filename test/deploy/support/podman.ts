import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, runOk, type RunOptions, type RunResult } from './run.js';

/**
 * The settings that make rootful podman build and run containers on the CI machines (see
 * ../../../README.md, "Deployment tests"): root there lacks CAP_SYS_RESOURCE, so podman's default
 * ulimits of 1048576 cannot be set; crun 1.8 refuses the hybrid cgroup layout, runc does not; and
 * nothing may need systemd or touch the host's network or the host's own containers.
 */
export const CONTAINERS_CONF = `[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "none"
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;

/** Where one podman environment keeps its configuration and storage. */
export interface PodmanHome {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A podman of its own: private containers.conf, storage.conf, graph root, run root and engine state under `dir`. */
export async function createPodmanHome(dir: string): Promise<PodmanHome> {
  await mkdir(join(dir, 'graphroot'), { recursive: true });
  await mkdir(join(dir, 'runroot'), { recursive: true });
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const storageConf = `[storage]
driver = "overlay"
graphroot = "${join(dir, 'graphroot')}"
runroot = "${join(dir, 'runroot')}"
`;
  // The engine's own state (the "alive" file, locks, events) lives in /run/libpod unless told
  // otherwise: another podman on the machine resetting it would pull the rug from under this run.
  await mkdir(join(dir, 'engine'), { recursive: true });
  await writeFile(join(dir, 'containers.conf'), `${CONTAINERS_CONF}tmp_dir = "${join(dir, 'engine')}"\n`);
  await writeFile(join(dir, 'storage.conf'), storageConf);
  // Every image the tests use is local and fully named: no short name may reach a registry.
  await writeFile(join(dir, 'registries.conf'), 'unqualified-search-registries = []\n');
  return { dir, env: podmanEnv(dir) };
}

/** The environment that points podman at the home made by createPodmanHome. */
export function podmanEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CONTAINERS_CONF: join(dir, 'containers.conf'),
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'),
    TMPDIR: join(dir, 'tmp'),
  };
}

/** podman in the given home; throws with both outputs unless it exits 0. */
export function podman(home: PodmanHome, args: readonly string[], options: Omit<RunOptions, 'env'> = {}): Promise<string> {
  return runOk('podman', args, { timeoutMs: 300_000, ...options, env: home.env });
}

/** podman in the given home, for a result the caller inspects (exit code and all). */
export function podmanResult(home: PodmanHome, args: readonly string[], options: Omit<RunOptions, 'env'> = {}): Promise<RunResult> {
  return run('podman', args, { timeoutMs: 300_000, ...options, env: home.env });
}
