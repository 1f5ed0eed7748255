import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeshProviderChange } from '@hecate-om/contract';
import { generateKeyPair, issueUcan, writeKeyFile } from '@hecate-om/ucan';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { MESH_LEAVE_WITHIN_MS } from '../../packages/runtime/src/mesh/timings.js';
import { httpGet } from '../runtime/fixture-release.mjs';
import { useRuntimeFixture } from '../runtime/use-runtime-fixture.js';
import { startNatsServer, useNatsServers, type NatsServer } from '../support/nats-server.js';
import { until, useMeshRuns, type MeshCaller } from './mesh-caller.js';

const fixture = useRuntimeFixture();
const servers = useNatsServers(1);
const scratch = mkdtempSync(join(tmpdir(), 'hecate-mesh-lifecycle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ownServers: NatsServer[] = [];
afterEach(async () => {
  for (const server of ownServers.splice(0)) await server.stop();
});

const { startCaller, startProvider } = useMeshRuns(fixture);

interface HealthJson {
  readonly status: string;
  readonly checks: Record<string, { status: string; output?: string }[]>;
}

/** Polls the provider's /health until `done` holds of it; the last answer otherwise, after 15 s. */
async function healthUntil(port: number, done: (health: HealthJson) => boolean): Promise<HealthJson> {
  let health: HealthJson | undefined;
  for (const giveUpAt = Date.now() + 15_000; Date.now() < giveUpAt; await new Promise((resolve) => setTimeout(resolve, 100))) {
    health = (await httpGet(port, '/health')).json as unknown as HealthJson;
    if (done(health)) break;
  }
  return health as HealthJson;
}

const instancesOf = (caller: MeshCaller): string[] => caller.mesh.lookup('fixture.echo').map((provider) => `${provider.instance}:${provider.health}`);

describe('the advertisement follows readiness', () => {
  test('health down withdraws the instance from the view of others, and recovery advertises it again', async () => {
    const [server] = servers();
    const healthFile = join(scratch, 'health-down-and-back');
    writeFileSync(healthFile, 'ok');
    const provider = await startProvider(server!.url, { FIXTURE_HEALTH_FILE: healthFile });
    const caller = await startCaller(server!.url);
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
    writeFileSync(healthFile, 'down');
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 0, 'the unhealthy provider to leave the view');
    expect(await caller.mesh.call('fixture.echo', {})).toEqual({ ok: false, error: { code: 'no_providers', message: 'no instance advertises fixture.echo' } });
    const health = await healthUntil(await provider.port(), (answer) => answer.checks.mesh?.[0]?.status === 'down');
    expect(health.checks.mesh).toEqual([{ status: 'down', output: 'withdrawn: the service check is down: upstream refused' }]);
    // The provider's log comes through a pipe, which may lag behind what the mesh has seen.
    expect(await provider.waitFor((event) => event.message === 'mesh: withdrawn: the service check is down: upstream refused', 'the withdrawal line')).toMatchObject({ level: 'warn' });
    writeFileSync(healthFile, 'ok');
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the recovered provider back in the view');
    expect(await caller.mesh.call('fixture.echo', { back: true })).toMatchObject({ ok: true, value: { echo: { back: true }, pid: provider.child.pid } });
    const advertised = await until(() => provider.lines.filter((event) => event.message === 'mesh: advertised'), (lines) => lines.length >= 2, 'the second advertisement line');
    expect(advertised).toHaveLength(2);
  });

  test('an expired credential withdraws the instance: it leaves the view of others, and the log says why', async () => {
    const [server] = servers();
    const realm = generateKeyPair();
    const instance = generateKeyPair();
    const dirs = { secrets: join(scratch, 'expiring', 'secrets'), state: join(scratch, 'expiring', 'state') };
    mkdirSync(dirs.secrets, { recursive: true, mode: 0o700 });
    mkdirSync(dirs.state, { mode: 0o700 });
    const written = await writeKeyFile(join(dirs.secrets, 'identity.key'), instance);
    expect(written).toEqual({ ok: true });
    // Static mode: the credential is mounted, valid long enough for the instance to boot and advertise.
    const now = Math.floor(Date.now() / 1000);
    const credential = issueUcan({ issuer: realm, audience: instance.did, capabilities: { 'hecate://fixture/*': { 'fixture/answer': [{}] } }, notBefore: now, expiration: now + 15 });
    writeFileSync(join(dirs.secrets, 'credential.jwt'), `${credential.token}\n`, { mode: 0o600 });
    const provider = fixture.start({
      HECATE_MESH_URL: server!.url,
      HECATE_REALM_DID: realm.did,
      HECATE_SECRETS_DIR: dirs.secrets,
      HECATE_STATE_DIR: dirs.state,
      HECATE_HEALTH_PORT: '0',
      HECATE_LOG_LEVEL: 'info',
    });
    await provider.waitFor((event) => event.message === 'mesh: advertised', 'the advertisement');
    const caller = await startCaller(server!.url);
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 0, 'the provider whose credential expired to leave the view', 30_000);
    // The line may reach this process after the withdrawal has reached the caller over NATS.
    const withdrawn = await provider.waitFor((event) => event.message?.startsWith('mesh: withdrawn') === true, 'the withdrawal line');
    expect(withdrawn).toMatchObject({ level: 'warn', message: expect.stringMatching(new RegExp(`^mesh: withdrawn: the identity check is down: the credential ${credential.cid} expired at `)) });
  });

  test('a graceful shutdown withdraws before the drain and stop(), and the instance leaves the view of a watcher', async () => {
    const [server] = servers();
    const caller = await startCaller(server!.url);
    const changes: MeshProviderChange[] = [];
    const controller = new AbortController();
    const watching = (async () => {
      for await (const change of caller.mesh.watch('fixture.echo', { signal: controller.signal })) changes.push(change);
    })();
    const provider = await startProvider(server!.url);
    await until(() => changes, (list) => list.length === 1, 'the provider added');
    provider.kill('SIGTERM');
    expect((await provider.exited).code).toBe(0);
    await until(() => changes, (list) => list.length === 2, 'the provider removed');
    controller.abort();
    await watching;
    expect(changes.map((change) => [change.type, change.provider.service, change.provider.capability])).toEqual([
      ['added', 'runtime-fixture', 'fixture.echo'],
      ['removed', 'runtime-fixture', 'fixture.echo'],
    ]);
    const order = provider.lines.map((event) => event.message ?? event.fixture).filter((step) => ['mesh: withdrawn: shutting down', 'stop', 'stopped'].includes(String(step)));
    expect(order).toEqual(['mesh: withdrawn: shutting down', 'stop', 'stopped']);
  });
});

describe('failures of providers and of NATS', () => {
  test('a SIGSTOPped provider: idempotent calls fail over after the per-attempt timeout, it is marked suspect and tried last, then leaves the view', async () => {
    const [server] = servers();
    const [first, second] = await Promise.all([startProvider(server!.url), startProvider(server!.url)]);
    const caller = await startCaller(server!.url);
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 2, 'both providers in the view');
    first!.kill('SIGSTOP');
    try {
      const answers = [];
      for (let index = 0; index < 4; index++) answers.push(await caller.mesh.call('fixture.echo', { index }, { idempotent: true, timeout: 500 }));
      expect(answers.map((answer) => answer.ok && (answer.value as { pid: number }).pid)).toEqual([1, 2, 3, 4].map(() => second!.child.pid));
      const stopped = caller.mesh.lookup('fixture.echo').find((provider) => provider.health === 'suspect');
      expect(stopped?.instance).toBeDefined();
      // Once suspect it is tried after the healthy one: no call waits on it any more.
      const startedAt = performance.now();
      for (let index = 0; index < 4; index++) expect(await caller.mesh.call('fixture.echo', { index }, { idempotent: true, timeout: 500 })).toMatchObject({ ok: true });
      expect(performance.now() - startedAt).toBeLessThan(4 * 500);
      await until(() => instancesOf(caller), (list) => list.length === 1, 'the hung provider to leave the view', MESH_LEAVE_WITHIN_MS + 5000);
      expect(caller.mesh.lookup('fixture.echo').map((provider) => provider.instance)).not.toContain(stopped!.instance);
    } finally {
      first!.kill('SIGCONT');
    }
  });

  test('a non-idempotent call to a SIGSTOPped provider fails with timeout rather than running twice', async () => {
    const [server] = servers();
    const provider = await startProvider(server!.url);
    const caller = await startCaller(server!.url);
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
    provider.kill('SIGSTOP');
    try {
      expect(await caller.mesh.call('fixture.echo', {}, { timeout: 300 })).toMatchObject({ ok: false, error: { code: 'timeout' } });
      expect(caller.mesh.lookup('fixture.echo').map((found) => found.health)).toEqual(['suspect']);
    } finally {
      provider.kill('SIGCONT');
    }
  });

  test('the NATS server restarted under running services: the check says disconnected, then everything recovers', async () => {
    const first = await startNatsServer();
    ownServers.push(first);
    const provider = await startProvider(first.url);
    const caller = await startCaller(first.url);
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
    await first.stop();
    ownServers.splice(0);
    const port = await provider.port();
    const down = await healthUntil(port, (health) => health.checks.mesh?.[0]?.status === 'down');
    expect(down).toMatchObject({ status: 'degraded', checks: { mesh: [{ status: 'down', output: `disconnected from ${first.url}; reconnecting` }] } });
    const restarted = await startNatsServer({ port: first.port });
    ownServers.push(restarted);
    await provider.waitFor((event) => event.message === 'mesh reconnected', 'the reconnection');
    // The caller reconnects on its own schedule (2 s plus jitter): calls answer again once both are back.
    let answer = await caller.mesh.call('fixture.echo', { after: 'restart' }, { idempotent: true, timeout: 1000 });
    for (const giveUpAt = Date.now() + 15_000; !answer.ok && Date.now() < giveUpAt; await new Promise((resolve) => setTimeout(resolve, 200)))
      answer = await caller.mesh.call('fixture.echo', { after: 'restart' }, { idempotent: true, timeout: 1000 });
    expect(answer).toMatchObject({ ok: true, value: { echo: { after: 'restart' } } });
    expect(caller.mesh.lookup('fixture.echo')).toHaveLength(1);
    expect((await healthUntil(port, (health) => health.status === 'ok')).checks).toEqual({ service: [{ status: 'ok' }], mesh: [{ status: 'ok' }] });
  });
});
