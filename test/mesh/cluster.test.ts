import { afterEach, expect, test } from 'vitest';
import { useRuntimeFixture } from '../runtime/use-runtime-fixture.js';
import { useNatsServers } from '../support/nats-server.js';
import { startMeshCaller, until, type MeshCaller } from './mesh-caller.js';

const fixture = useRuntimeFixture();
const servers = useNatsServers(2);

let caller: MeshCaller | undefined;
afterEach(async () => {
  await caller?.stop();
  caller = undefined;
});

test('services connected to different servers of a two-server cluster find and call each other', async () => {
  const [first, second] = servers();
  const provider = fixture.start({ HECATE_MESH_URL: first!.url, HECATE_MESH_AUTHORIZATION: 'off', HECATE_HEALTH_PORT: '0', HECATE_LOG_LEVEL: 'info' });
  await provider.waitFor((event) => event.message === 'mesh: advertised');
  caller = await startMeshCaller([second!.url]);
  await until(() => caller!.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider on the other server in the view');
  expect(caller.mesh.lookup('fixture.echo').map((found) => found.service)).toEqual(['runtime-fixture']);
  expect(await caller.mesh.call('fixture.echo', { across: 'the route' })).toMatchObject({ ok: true, value: { echo: { across: 'the route' }, pid: provider.child.pid } });
  provider.kill('SIGTERM');
  await provider.exited;
});
