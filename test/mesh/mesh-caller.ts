import type { Mesh } from '@hecate-om/contract';
import { afterEach } from 'vitest';
import { systemClock } from '../../packages/runtime/src/health-monitor.js';
import { createLogger } from '../../packages/runtime/src/logger.js';
import { createMeshParts } from '../../packages/runtime/src/mesh/mesh-parts.js';
import { echoManifest } from '../../packages/runtime/test/manifest-fixture.js';
import type { RunningRelease } from '../runtime/fixture-release.mjs';
import type { RuntimeFixture } from '../runtime/use-runtime-fixture.js';

export interface MeshCaller {
  readonly mesh: Mesh;
  /** Withdraws, then drains the connection, as a runtime's shutdown does. */
  stop(): Promise<void>;
}

/**
 * A caller in the test's own process: the echo service's mesh parts, started as the runtime starts
 * them (connection, then the advertisement, told the service is ready), serving echo.say.
 */
export async function startMeshCaller(urls: readonly string[], secretsDir?: string): Promise<MeshCaller> {
  const parts = createMeshParts({
    urls,
    ...(secretsDir === undefined ? {} : { secretsDir }),
    manifest: echoManifest,
    log: createLogger({ level: 'silent', service: echoManifest, write: () => {} }),
    identity: () => ({ did: '', realm: '' }),
    readiness: async () => ({ ready: true }),
    health: async () => 'ok',
    clock: systemClock,
    random: Math.random,
  });
  parts.mesh.serve('echo.say', (payload) => ({ said: payload }));
  await parts.connection.start?.();
  await parts.advertisement.start?.();
  parts.advertisement.ready?.();
  await parts.connected();
  return {
    mesh: parts.mesh,
    async stop() {
      await parts.advertisement.withdraw?.();
      await parts.connection.stop?.();
    },
  };
}

/** Polls `read` every 50 ms until `done` holds; fails naming `what` and the last value after `deadlineMs`. */
export async function until<T>(read: () => T, done: (value: T) => boolean, what: string, deadlineMs = 15_000): Promise<T> {
  const giveUpAt = Date.now() + deadlineMs;
  for (;;) {
    const value = read();
    if (done(value)) return value;
    if (Date.now() > giveUpAt) throw new Error(`gave up after ${deadlineMs} ms waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts mesh callers in this process and providers (the runtime fixture) in others, on a NATS
 * server's URL; every caller started is stopped after each test. A provider is returned once it has
 * advertised, with authorization off: these tests are about the mesh, authorization.test.ts about
 * who may call.
 */
export function useMeshRuns(fixture: RuntimeFixture): {
  startCaller(url: string): Promise<MeshCaller>;
  startProvider(url: string, env?: Record<string, string>): Promise<RunningRelease>;
} {
  const callers: MeshCaller[] = [];
  afterEach(async () => {
    for (const caller of callers.splice(0)) await caller.stop();
  });
  return {
    async startCaller(url) {
      const caller = await startMeshCaller([url]);
      callers.push(caller);
      return caller;
    },
    async startProvider(url, env = {}) {
      const run = fixture.start({ HECATE_MESH_URL: url, HECATE_MESH_AUTHORIZATION: 'off', HECATE_LOG_LEVEL: 'info', HECATE_HEALTH_PORT: '0', ...env });
      await run.waitFor((event) => event.message === 'mesh: advertised', 'the advertisement');
      return run;
    },
  };
}
