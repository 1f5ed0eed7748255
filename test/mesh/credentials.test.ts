import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nkeys } from 'nats';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { httpGet } from '../runtime/fixture-release.mjs';
import { useRuntimeFixture } from '../runtime/use-runtime-fixture.js';
import { startNatsServer, type NatsServer } from '../support/nats-server.js';
import { startMeshCaller, until, type MeshCaller } from './mesh-caller.js';

const fixture = useRuntimeFixture();
const scratch = mkdtempSync(join(tmpdir(), 'hecate-mesh-credentials-'));
const user = nkeys.createUser();
const seed = new TextDecoder().decode(user.getSeed());
let server: NatsServer | undefined;
const callers: MeshCaller[] = [];

/** The secrets directory runRelease gives the fixture's release (it creates it on the first run). */
function secretsDir(): string {
  const dir = join(dirname(fixture.release().dir), 'secrets');
  mkdirSync(dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  const config = join(scratch, 'nkey-users.conf');
  writeFileSync(config, `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n`);
  server = await startNatsServer({ config });
});
afterEach(async () => {
  for (const caller of callers.splice(0)) await caller.stop();
  rmSync(join(secretsDir(), 'nats.nk'), { force: true });
});
afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('with nats.nk in the secrets directory the service connects to a server that lists users by nkey, and is called', async () => {
  writeFileSync(join(secretsDir(), 'nats.nk'), `${seed}\n`, { mode: 0o600 });
  // No realm here: the call is let through unauthorized, as only HECATE_MESH_AUTHORIZATION=off allows.
  const provider = fixture.start({ HECATE_MESH_URL: server!.url, HECATE_MESH_AUTHORIZATION: 'off' });
  await provider.waitFor((event) => event.message === 'mesh: advertised', 'the advertisement');
  expect(provider.lines).toContainEqual(expect.objectContaining({ message: 'mesh credentials read', file: join(secretsDir(), 'nats.nk') }));
  const callerSecrets = join(scratch, 'caller-secrets');
  mkdirSync(callerSecrets, { recursive: true });
  writeFileSync(join(callerSecrets, 'nats.nk'), seed, { mode: 0o600 });
  const caller = await startMeshCaller([server!.url], callerSecrets);
  callers.push(caller);
  await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
  expect(await caller.mesh.call('fixture.echo', { with: 'nkey' })).toMatchObject({ ok: true, value: { echo: { with: 'nkey' } } });
});

test('without credentials the server refuses it: ready, with the mesh check down', async () => {
  const run = fixture.start({ HECATE_MESH_URL: server!.url });
  const port = await run.ready();
  const health = await httpGet(port, '/health');
  expect(health.json).toMatchObject({ status: 'degraded', checks: { mesh: [{ status: 'down' }] } });
});

test('a nats.nk that is not an nkey seed stops the boot, naming the file', async () => {
  writeFileSync(join(secretsDir(), 'nats.nk'), 'not-a-seed\n', { mode: 0o600 });
  const run = fixture.start({ HECATE_MESH_URL: server!.url });
  expect((await run.exited).code).toBe(1);
  expect(run.lines.at(-1)).toMatchObject({
    level: 'fatal',
    message: expect.stringMatching(new RegExp(`^starting the mesh part threw Error: ${join(secretsDir(), 'nats.nk').replaceAll('/', '\\/')} is not an nkey seed \\(SU\\.\\.\\.\\): `)),
  });
});
