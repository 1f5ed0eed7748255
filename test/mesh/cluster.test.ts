import { afterEach, expect, test } from 'vitest';
import { createLogger } from '../../packages/runtime/src/logger.js';
import { MeshPart } from '../../packages/runtime/src/mesh/mesh-part.js';
import { echoManifest } from '../../packages/runtime/test/manifest-fixture.js';
import { useRuntimeFixture } from '../runtime/use-runtime-fixture.js';
import { useNatsServers } from '../support/nats-server.js';

const fixture = useRuntimeFixture();
const servers = useNatsServers(2);

let caller: MeshPart | undefined;
afterEach(async () => {
  await caller?.withdraw?.();
  await caller?.stop();
  caller = undefined;
});

test('services connected to different servers of a two-server cluster find and call each other', async () => {
  const [first, second] = servers();
  const provider = fixture.start({ HECATE_MESH_URL: first!.url, HECATE_HEALTH_PORT: '0', HECATE_LOG_LEVEL: 'info' });
  await provider.waitFor((event) => event.message === 'mesh: advertised');
  caller = new MeshPart({ urls: [second!.url], manifest: echoManifest, log: createLogger({ level: 'silent', service: echoManifest, write: () => {} }) });
  caller.mesh.serve('echo.say', (payload) => payload);
  await caller.start();
  await caller.connected();
  const giveUpAt = Date.now() + 15_000;
  while (caller.mesh.lookup('fixture.echo').length === 0 && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(caller.mesh.lookup('fixture.echo').map((found) => found.service)).toEqual(['runtime-fixture']);
  expect(await caller.mesh.call('fixture.echo', { across: 'the route' })).toMatchObject({ ok: true, value: { echo: { across: 'the route' }, pid: provider.child.pid } });
  provider.kill('SIGTERM');
  await provider.exited;
});
