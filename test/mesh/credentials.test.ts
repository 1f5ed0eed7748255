import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nkeys } from 'nats';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { httpGet, type ReleaseLogLine, type RunningRelease } from '../runtime/fixture-release.mjs';
import { useRuntimeFixture } from '../runtime/use-runtime-fixture.js';
import { makeNatsOperator, type NatsOperator } from '../support/nats-operator.js';
import { startNatsServer, type NatsServer } from '../support/nats-server.js';
import { startMeshCaller, until, type MeshCaller } from './mesh-caller.js';

const fixture = useRuntimeFixture();
const scratch = mkdtempSync(join(tmpdir(), 'hecate-mesh-credentials-'));
const user = nkeys.createUser();
const seed = new TextDecoder().decode(user.getSeed());
let server: NatsServer | undefined;
/** A nats-server in operator/JWT mode, trusting `operator`. */
let operatorServer: NatsServer | undefined;
let operator: NatsOperator;
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
  operator = await makeNatsOperator(scratch);
  operatorServer = await startNatsServer({ config: operator.config });
});
afterEach(async () => {
  for (const caller of callers.splice(0)) await caller.stop();
  rmSync(join(secretsDir(), 'nats.nk'), { force: true });
  rmSync(join(secretsDir(), 'nats.creds'), { force: true });
});
afterAll(async () => {
  await server?.stop();
  await operatorServer?.stop();
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

type Health = { readonly [key: string]: unknown } | undefined;

/** The `mesh` check's reason in a /health answer. */
function meshOutput(health: Health): string {
  const checks = health?.checks as { mesh?: { output?: string }[] } | undefined;
  return checks?.mesh?.[0]?.output ?? '';
}

/** /health, once its `mesh` check says that connecting failed `attempt` times running. */
async function waitForMeshFailure(port: number, attempt = 1): Promise<Health> {
  const giveUpAt = Date.now() + 20_000;
  for (;;) {
    const health = (await httpGet(port, '/health')).json;
    if (meshOutput(health).endsWith(`(attempt ${attempt})`)) return health;
    if (Date.now() > giveUpAt) throw new Error(`the mesh check never said the connection failed; last: ${JSON.stringify(health)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('without credentials the server refuses it: ready, with the mesh check down naming where credentials were looked for', async () => {
  const run = fixture.start({ HECATE_MESH_URL: server!.url });
  const port = await run.ready();
  const health = await waitForMeshFailure(port);
  expect(health).toMatchObject({ status: 'degraded', checks: { mesh: [{ status: 'down' }] } });
  expect(meshOutput(health)).toContain(`without credentials (no nats.creds or nats.nk in ${secretsDir()}): AUTHORIZATION_VIOLATION; trying again in`);
});

test('a connection the server stops accepting is given up, reported naming the file, and made anew once accepted again: the instance advertises again', async () => {
  const file = join(secretsDir(), 'nats.nk');
  writeFileSync(file, `${seed}\n`, { mode: 0o600 });
  const accepting = join(scratch, 'nkey-users.conf');
  const refusing = join(scratch, 'other-nkey-users.conf');
  writeFileSync(refusing, `authorization { users = [ { nkey: "${nkeys.createUser().getPublicKey()}" } ] }\n`);
  let own = await startNatsServer({ config: accepting });
  const { port } = own;
  try {
    const provider = fixture.start({ HECATE_MESH_URL: own.url, HECATE_MESH_AUTHORIZATION: 'off', HECATE_LOG_LEVEL: 'info' });
    await provider.waitFor((event) => event.message === 'mesh: advertised', 'the advertisement');
    await own.stop();
    own = await startNatsServer({ config: refusing, port });
    // The client refuses to go on after the same authorization error twice, and closes the connection.
    const closed = await provider.waitFor((event) => event.message?.startsWith('the connection to ') === true, 'the connection given up');
    expect(closed).toMatchObject({
      level: 'warn',
      file,
      cause: 'AUTHORIZATION_VIOLATION',
      message: expect.stringContaining(`with the credentials in ${file} was given up: AUTHORIZATION_VIOLATION; trying again in`),
    });
    await own.stop();
    own = await startNatsServer({ config: accepting, port });
    await until(() => provider.lines.filter((event) => event.message === 'mesh: advertised').length, (count) => count === 2, 'the instance advertised again', 40_000);
    expect(provider.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'mesh: advertisement lost: the connection it was made on was closed, and a new one made' }));
    const callerSecrets = join(scratch, 'replaced-caller-secrets');
    mkdirSync(callerSecrets, { recursive: true });
    writeFileSync(join(callerSecrets, 'nats.nk'), seed, { mode: 0o600 });
    const caller = await startMeshCaller([own.url], callerSecrets);
    callers.push(caller);
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
    expect(await caller.mesh.call('fixture.echo', { again: true })).toMatchObject({ ok: true, value: { echo: { again: true }, pid: provider.child.pid } });
  } finally {
    await own.stop();
  }
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

describe('nats.creds against a nats-server in operator (JWT) mode', () => {
  test('with a user of the account the server trusts, the service connects, advertises and is called', async () => {
    writeFileSync(join(secretsDir(), 'nats.creds'), await operator.credsFor('provider'), { mode: 0o600 });
    const provider = fixture.start({ HECATE_MESH_URL: operatorServer!.url, HECATE_MESH_AUTHORIZATION: 'off', HECATE_LOG_LEVEL: 'info' });
    await provider.waitFor((event) => event.message === 'mesh: advertised', 'the advertisement');
    expect(provider.lines).toContainEqual(expect.objectContaining({ message: 'mesh credentials read', file: join(secretsDir(), 'nats.creds') }));
    const callerSecrets = join(scratch, 'operator-caller-secrets');
    mkdirSync(callerSecrets, { recursive: true });
    writeFileSync(join(callerSecrets, 'nats.creds'), await operator.credsFor('caller'), { mode: 0o600 });
    const caller = await startMeshCaller([operatorServer!.url], callerSecrets);
    callers.push(caller);
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
    expect(await caller.mesh.call('fixture.echo', { with: 'creds' })).toMatchObject({ ok: true, value: { echo: { with: 'creds' } } });
  });

  test('a user the server refuses is reported in /health and the log naming the file, and tried again with a growing wait', async () => {
    const file = join(secretsDir(), 'nats.creds');
    writeFileSync(file, await operator.strangerCreds('stranger'), { mode: 0o600 });
    const run = fixture.start({ HECATE_MESH_URL: operatorServer!.url, HECATE_LOG_LEVEL: 'info' });
    const port = await run.ready();
    const first = await waitForMeshFailure(port, 1);
    expect(first).toMatchObject({ status: 'degraded', checks: { mesh: [{ status: 'down' }] } });
    const refused = `^cannot connect to ${escaped(operatorServer!.url)} with the credentials in ${escaped(file)}: AUTHORIZATION_VIOLATION; trying again in ([\\d.]+) s \\(attempt (\\d)\\)$`;
    expect(meshOutput(first)).toMatch(new RegExp(refused));
    const second = await waitForMeshFailure(port, 2);
    // The wait doubles from 2 s, each ±25 %: 1.5 to 2.5 s, then 3 to 5 s.
    const waits = [first, second].map((health) => Number(new RegExp(refused).exec(meshOutput(health))?.[1]));
    expect(waits[0]).toBeGreaterThanOrEqual(1.5);
    expect(waits[0]).toBeLessThanOrEqual(2.5);
    expect(waits[1]).toBeGreaterThanOrEqual(3);
    expect(waits[1]).toBeLessThanOrEqual(5);
    // The same refusal twice running is logged once, naming the file.
    await waitForMeshFailure(port, 3);
    expect(failuresOf(run).map((line) => [line.level, line.file, line.cause])).toEqual([['warn', file, 'AUTHORIZATION_VIOLATION']]);
  });
});

test('a HECATE_MESH_URL with credentials in it is refused, and no line of the log shows them', async () => {
  const run = fixture.start({ HECATE_MESH_URL: `nats://hecate:s3cr3t-pw@127.0.0.1:${server!.port},nats://s3cr3t-token@127.0.0.1:${server!.port}` });
  expect((await run.exited).code).toBe(1);
  expect(run.lines.at(-1)).toMatchObject({ level: 'fatal', message: expect.stringContaining(`HECATE_MESH_URL is "nats://***@127.0.0.1:${server!.port},nats://***@127.0.0.1:${server!.port}"`) });
  expect(JSON.stringify(run.lines) + run.stderr()).not.toMatch(/s3cr3t/);
});

function failuresOf(run: RunningRelease): ReleaseLogLine[] {
  return run.lines.filter((line) => line.message?.startsWith('cannot connect to ') === true);
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
