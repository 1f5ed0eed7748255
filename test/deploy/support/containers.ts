import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { podman, podmanResult, type PodmanHome } from './podman.js';

/** A container name of this run's own. */
export function containerName(purpose: string): string {
  return `hecate-deploy-${purpose}-${randomBytes(3).toString('hex')}`;
}

/**
 * Runs `podman healthcheck run` until it passes, for at most `timeoutMs` (the first check can only
 * pass once node has started and `start()` has returned). Resolves to how many checks it took;
 * rejects with the last check's output and the container's log.
 */
export async function waitHealthy(home: PodmanHome, name: string, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt += 1) {
    const check = await podmanResult(home, ['healthcheck', 'run', name]);
    if (check.code === 0) return attempt;
    if (Date.now() > deadline) {
      const logs = await podmanResult(home, ['logs', name]);
      throw new Error(`${name} never turned healthy: ${check.stdout}${check.stderr}\n--- log\n${logs.stdout}${logs.stderr}`);
    }
    await sleep(250);
  }
}

/** The PIDs inside the container whose state is Z (zombie), as the container's own /proc shows them. */
export async function zombies(home: PodmanHome, name: string): Promise<string[]> {
  const out = await podman(home, ['exec', name, 'sh', '-c', 'grep -l "^State:[[:space:]]*Z" /proc/[0-9]*/status || true']);
  return out.split('\n').filter((line) => line !== '');
}
