import { connect, JSONCodec, type NatsConnection } from 'nats';
import { describe, expect, test } from 'vitest';
import { httpGet } from '../runtime/fixture-release.mjs';
import { useRuntimeFixture } from '../runtime/use-runtime-fixture.js';
import { useNatsServers } from '../support/nats-server.js';
import { until, useMeshRuns } from './mesh-caller.js';

const fixture = useRuntimeFixture();
const servers = useNatsServers(1);
const json = JSONCodec();

/** Callers run in this process (the echo service's mesh, which serves echo.say and calls fixture.echo). */
const { startCaller, startProvider } = useMeshRuns(fixture);

async function raw(url: string): Promise<NatsConnection> {
  return connect({ servers: url });
}

describe('advertising and discovery across processes', () => {
  test('a provider in another process is found by lookup, with its service, version, instance and subject', async () => {
    const [server] = servers();
    const provider = await startProvider(server!.url);
    const caller = await startCaller(server!.url);
    const [found] = await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
    expect(found).toMatchObject({ service: 'runtime-fixture', serviceVersion: '1.0.0', capability: 'fixture.echo', version: 2, did: '' });
    expect(found!.subject).toBe(`hecate.mesh.fixture.echo.v2.${found!.instance}`);
    expect((await httpGet(await provider.port(), '/health')).json?.checks).toEqual({ service: [{ status: 'ok' }], mesh: [{ status: 'ok' }] });
    provider.kill('SIGTERM');
    await provider.exited;
  });

  test('$SRV.PING, $SRV.INFO and $SRV.STATS answer in the micro protocol shape to a raw NATS request', async () => {
    const [server] = servers();
    const provider = await startProvider(server!.url);
    const nc = await raw(server!.url);
    try {
      const ping = json.decode((await nc.request('$SRV.PING.runtime-fixture', undefined, { timeout: 2000 })).data) as Record<string, unknown>;
      expect(ping).toMatchObject({ type: 'io.nats.micro.v1.ping_response', name: 'runtime-fixture', version: '1.0.0' });
      const info = json.decode((await nc.request(`$SRV.INFO.runtime-fixture.${String(ping.id)}`, undefined, { timeout: 2000 })).data);
      expect(info).toEqual({
        type: 'io.nats.micro.v1.info_response',
        name: 'runtime-fixture',
        id: ping.id,
        version: '1.0.0',
        description: 'Runs under the hecate-om runtime in e2e tests',
        metadata: {
          'hecate.did': '',
          'hecate.realm': '',
          'hecate.contract_hash': fixture.release().manifest.contractHash,
          'hecate.hecate_om': fixture.release().manifest.runtime.hecateOm,
        },
        endpoints: [
          {
            name: 'fixture-echo-v2',
            subject: 'hecate.mesh.fixture.echo.v2',
            queue_group: 'hecate',
            metadata: { 'hecate.capability': 'fixture.echo', 'hecate.capability_version': '2', 'hecate.addressing': 'shared' },
          },
          {
            name: 'fixture-echo-v2-instance',
            subject: `hecate.mesh.fixture.echo.v2.${String(ping.id)}`,
            queue_group: 'hecate',
            metadata: { 'hecate.capability': 'fixture.echo', 'hecate.capability_version': '2', 'hecate.addressing': 'instance' },
          },
        ],
      });
      await nc.request(`hecate.mesh.fixture.echo.v2.${String(ping.id)}`, json.encode({ hello: 1 }), { timeout: 2000 });
      const stats = json.decode((await nc.request(`$SRV.STATS.runtime-fixture.${String(ping.id)}`, undefined, { timeout: 2000 })).data) as {
        type: string;
        endpoints: { name: string; num_requests: number; num_errors: number }[];
      };
      expect(stats.type).toBe('io.nats.micro.v1.stats_response');
      expect(stats.endpoints.map(({ name, num_requests, num_errors }) => ({ name, num_requests, num_errors }))).toEqual([
        { name: 'fixture-echo-v2', num_requests: 0, num_errors: 0 },
        { name: 'fixture-echo-v2-instance', num_requests: 1, num_errors: 0 },
      ]);
    } finally {
      await nc.close();
      provider.kill('SIGTERM');
      await provider.exited;
    }
  });

  test('a graceful shutdown withdraws the instance: it leaves the view of a caller and the process exits 0', async () => {
    const [server] = servers();
    const provider = await startProvider(server!.url);
    const caller = await startCaller(server!.url);
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
    provider.kill('SIGTERM');
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 0, 'the withdrawn provider to leave the view');
    expect((await provider.exited).code).toBe(0);
  });
});

describe('calls', () => {
  test('a call reaches the provider and returns its answer; a throwing handler is a handler_error with its message', async () => {
    const [server] = servers();
    const provider = await startProvider(server!.url);
    const caller = await startCaller(server!.url);
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
    const answer = await caller.mesh.call('fixture.echo', { hello: 'mesh' });
    expect(answer).toMatchObject({ ok: true, value: { echo: { hello: 'mesh' }, pid: provider.child.pid } });
    // The failure names the instance that answered it, as a success does.
    expect(await caller.mesh.call('fixture.echo', { throw: 'no such account' })).toEqual({
      ok: false,
      error: { code: 'handler_error', message: 'Error: no such account', provider: answer.ok ? answer.provider : undefined },
    });
    // A payload that is not JSON is the caller's error, refused before anything is sent.
    expect(await caller.mesh.call('fixture.echo', { amount: 10n })).toEqual({
      ok: false,
      error: { code: 'invalid_payload', message: 'the payload is not JSON: Do not know how to serialize a BigInt' },
    });
    provider.kill('SIGTERM');
    await provider.exited;
  });

  test('no_providers for an unknown capability or a version nobody has; timeout for a slow non-idempotent call; payload_too_large before sending', async () => {
    const [server] = servers();
    const provider = await startProvider(server!.url);
    const caller = await startCaller(server!.url);
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
    expect(await caller.mesh.call('billing.charge', {})).toEqual({ ok: false, error: { code: 'no_providers', message: 'no instance advertises billing.charge' } });
    expect(await caller.mesh.call('fixture.echo', {}, { minVersion: 3 })).toEqual({
      ok: false,
      error: { code: 'no_providers', message: 'no instance advertises fixture.echo v3 or later' },
    });
    const slow = await caller.mesh.call('fixture.echo', { sleep: 2000 }, { timeout: 200 });
    expect(slow).toMatchObject({ ok: false, error: { code: 'timeout' } });
    const big = await caller.mesh.call('fixture.echo', { blob: 'x'.repeat(300 * 1024) });
    expect(big).toEqual({ ok: false, error: { code: 'payload_too_large', message: 'the payload is 307211 bytes of JSON: the mesh carries at most 262144' } });
    provider.kill('SIGTERM');
    await provider.exited;
  });

  test('a SIGKILLed provider leaves the view and idempotent calls go on at the other without an error', async () => {
    const [server] = servers();
    const [first, second] = await Promise.all([startProvider(server!.url), startProvider(server!.url)]);
    const caller = await startCaller(server!.url);
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 2, 'both providers in the view');
    const answeredBy = new Set<unknown>();
    for (let index = 0; index < 6; index++) {
      const answer = await caller.mesh.call('fixture.echo', { index }, { idempotent: true });
      if (answer.ok) answeredBy.add((answer.value as { pid: number }).pid);
    }
    expect(answeredBy).toEqual(new Set([first!.child.pid, second!.child.pid]));
    first!.kill('SIGKILL');
    await first!.exited;
    for (let index = 0; index < 6; index++)
      expect(await caller.mesh.call('fixture.echo', { index }, { idempotent: true, timeout: 1000 })).toMatchObject({ ok: true, value: { pid: second!.child.pid } });
    expect(caller.mesh.lookup('fixture.echo').map((provider) => provider.service)).toEqual(['runtime-fixture']);
    second!.kill('SIGTERM');
    await second!.exited;
  });
});

describe('the boot', () => {
  test('fails clearly when start() returns without serving a declared capability', async () => {
    const [server] = servers();
    const run = fixture.start({ HECATE_MESH_URL: server!.url, FIXTURE_MESH_SERVE: 'none', HECATE_HEALTH_PORT: '0' });
    expect((await run.exited).code).toBe(1);
    expect(run.lines.at(-1)).toMatchObject({
      level: 'fatal',
      message:
        'starting the mesh advertisement part threw Error: start() returned without serving fixture.echo: call opts.mesh.serve(capability, handler) for every declared capability',
    });
  });

  test('an unreachable NATS server leaves the service ready, with the mesh check down (degraded) while it keeps trying', async () => {
    const run = fixture.start({ HECATE_MESH_URL: 'nats://127.0.0.1:1', HECATE_HEALTH_PORT: '0', HECATE_LOG_LEVEL: 'info' });
    await run.waitFor((event) => event.message === 'ready');
    await run.waitFor((event) => event.variable === 'HECATE_MESH_URL', 'the failed connection');
    const health = await httpGet(await run.port(), '/health');
    expect([health.status, health.json]).toEqual([
      200,
      {
        status: 'degraded',
        name: 'runtime-fixture',
        version: '1.0.0',
        checks: { service: [{ status: 'ok' }], mesh: [{ status: 'down', output: expect.stringMatching(/^cannot connect to nats:\/\/127\.0\.0\.1:1: ECONNREFUSED; trying again in [\d.]+ s \(attempt \d+\)$/) }] },
      },
    ]);
    expect((await httpGet(await run.port(), '/health/ready')).status).toBe(200);
  });

  test('standalone without HECATE_MESH_URL: said once at boot, and /health has no mesh check', async () => {
    const run = fixture.start({ HECATE_LOG_LEVEL: 'info', HECATE_HEALTH_PORT: '0' });
    await run.waitFor((event) => event.message === 'ready');
    expect(run.lines.filter((event) => event.message?.startsWith('standalone')).map((event) => event.message)).toEqual([
      'standalone: HECATE_MESH_URL is not set, so no capability is advertised and mesh calls find no provider',
    ]);
    expect((await httpGet(await run.port(), '/health')).json?.checks).toEqual({ service: [{ status: 'ok' }] });
  });
});
