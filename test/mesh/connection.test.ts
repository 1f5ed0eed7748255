import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, Empty, ErrorCode, type NatsError } from 'nats';
import { afterEach, describe, expect, test } from 'vitest';
import { MESH_LEAVE_WITHIN_MS } from '../../packages/runtime/src/mesh/timings.js';
import { httpGet } from '../runtime/fixture-release.mjs';
import { useRuntimeFixture } from '../runtime/use-runtime-fixture.js';
import { startNatsServer, useNatsServers, type NatsServer } from '../support/nats-server.js';
import { until, useMeshRuns } from './mesh-caller.js';

const fixture = useRuntimeFixture();
const servers = useNatsServers(1);
const ownServers: NatsServer[] = [];
afterEach(async () => {
  for (const server of ownServers.splice(0)) await server.stop();
});
const { startCaller, startProvider } = useMeshRuns(fixture);

describe('calling from start()', () => {
  test('a call made from start() waits for the connection and the first sweep, and gets the answer of another instance', async () => {
    const [server] = servers();
    const provider = await startProvider(server!.url);
    const caller = fixture.start({ HECATE_MESH_URL: server!.url, HECATE_MESH_AUTHORIZATION: 'off', HECATE_HEALTH_PORT: '0', FIXTURE_START: 'mesh-call' });
    const [called] = await Promise.all([caller.waitFor((event) => event.fixture === 'mesh-call', 'the call from start()'), caller.ready()]);
    expect(called).toMatchObject({ answer: { ok: true, value: { echo: { from: 'start' }, pid: provider.child.pid } } });
  });

  test('discovered() resolves once the first sweep is done, so a lookup from start() sees the providers', async () => {
    const [server] = servers();
    await startProvider(server!.url);
    const caller = fixture.start({ HECATE_MESH_URL: server!.url, HECATE_MESH_AUTHORIZATION: 'off', HECATE_HEALTH_PORT: '0', FIXTURE_START: 'mesh-lookup' });
    const looked = await caller.waitFor((event) => event.fixture === 'mesh-lookup', 'the lookup from start()');
    expect(looked).toMatchObject({ discovered: true, providers: [expect.any(String)] });
  });
});

describe("this instance's own connection", () => {
  test('cut off from NATS, a call answers disconnected at once, a call in flight is not blamed on its provider, and the view keeps the providers', async () => {
    const own = await startNatsServer();
    ownServers.push(own);
    await startProvider(own.url);
    const caller = await startCaller(own.url);
    await until(() => caller.mesh.lookup('fixture.echo'), (list) => list.length === 1, 'the provider in the view');
    const inFlight = caller.mesh.call('fixture.echo', { sleep: 1500 }, { timeout: 3000, idempotent: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await own.stop();
    ownServers.splice(0);
    const cutOff = await inFlight;
    expect(cutOff).toMatchObject({ ok: false, error: { code: 'disconnected', message: expect.stringContaining(`disconnected from ${own.url}; reconnecting`) } });
    const startedAt = performance.now();
    expect(await caller.mesh.call('fixture.echo', {}, { timeout: 3000 })).toEqual({
      ok: false,
      error: { code: 'disconnected', message: `disconnected from ${own.url}; reconnecting: no provider was tried` },
    });
    expect(performance.now() - startedAt).toBeLessThan(3000);
    // Past the time a provider that stopped answering leaves the views: this one did not leave, the caller did.
    await new Promise((resolve) => setTimeout(resolve, MESH_LEAVE_WITHIN_MS));
    expect(caller.mesh.lookup('fixture.echo').map((provider) => provider.health)).toEqual(['ok']);
  });

  test('a mesh URL that never connects is logged once per cause, naming HECATE_MESH_URL, shown in the mesh check, and no withdrawal is claimed', async () => {
    const url = 'nats://127.0.0.1:1';
    const run = fixture.start({ HECATE_MESH_URL: url, HECATE_MESH_AUTHORIZATION: 'off', HECATE_HEALTH_PORT: '0', HECATE_LOG_LEVEL: 'info' });
    const port = await run.ready();
    const warned = await run.waitFor((event) => event.variable === 'HECATE_MESH_URL', 'the warning');
    expect(warned).toMatchObject({ level: 'warn', cause: 'ECONNREFUSED', message: expect.stringMatching(/^cannot connect to nats:\/\/127\.0\.0\.1:1: ECONNREFUSED; trying again in [\d.]+ s \(attempt 1\) \(HECATE_MESH_URL\)$/) });
    const health = (await httpGet(port, '/health')).json as { checks: Record<string, unknown> };
    expect(health.checks.mesh).toEqual([{ status: 'down', output: expect.stringMatching(/^cannot connect to nats:\/\/127\.0\.0\.1:1: ECONNREFUSED; trying again in [\d.]+ s \(attempt \d+\)$/) }]);
    // A second attempt (1.5 to 2.5 s later) fails the same way: said once.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    run.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
    expect(run.lines.filter((event) => event.variable === 'HECATE_MESH_URL')).toHaveLength(1);
    expect(run.lines.filter((event) => event.message === 'withdrawn')).toEqual([]);
  });

  test('a lost server is dialled again forever, each wait longer than the one before (2 s doubling up to 30 s), never in a tight loop', async () => {
    const own = await startNatsServer();
    ownServers.push(own);
    await startProvider(own.url);
    const { port } = own;
    await own.stop();
    ownServers.splice(0);
    // Where the server was, a listener that notes each of the client's attempts and hangs up on it.
    const attempts: number[] = [];
    const listener = createServer((socket) => {
      attempts.push(performance.now());
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
    const gapsOf = () => attempts.slice(1).map((at, index) => Math.round(at - attempts[index]!));
    try {
      // A constant wait (the client's default, 2 s plus up to 1 s) never leaves 5 s between two attempts.
      await until(gapsOf, (gaps) => gaps.some((gap) => gap >= 5000), 'a wait of 5 s or more between two attempts', 40_000);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
    const gaps = gapsOf();
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1400);
    // Each wait is drawn from twice the one before, ±25 %: never under 0.6 times the one before it.
    for (let index = 1; index < gaps.length; index++) expect(gaps[index]!).toBeGreaterThan(gaps[index - 1]! * 0.6);
  }, 60_000);
});

describe('the advertisement on a server with a small max_payload', () => {
  test("one whose INFO or STATS reply would not fit is not made: the log and the mesh check name the service, the size, the limit and what to shorten", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hecate-max-payload-'));
    try {
      const config = join(dir, 'nats.conf');
      writeFileSync(config, 'max_payload: 512\n');
      const own = await startNatsServer({ config });
      ownServers.push(own);
      const run = fixture.start({ HECATE_MESH_URL: own.url, HECATE_MESH_AUTHORIZATION: 'off', HECATE_HEALTH_PORT: '0', HECATE_LOG_LEVEL: 'info' });
      const port = await run.ready();
      const failed = await run.waitFor((event) => event.message?.startsWith('advertising on the mesh failed') === true, 'the failed advertisement');
      const said = /runtime-fixture@1\.0\.0 cannot be advertised: its \$SRV\.(INFO|STATS) reply would be (\d+) bytes, over the NATS server's max_payload of 512 bytes; shorten the manifest's description \(\d+ bytes\) or declare fewer capabilities \(1, about \d+ bytes each\), or raise max_payload on the server/;
      expect(failed).toMatchObject({ level: 'error', message: expect.stringMatching(said) });
      expect(Number(said.exec(String(failed.message))?.[2])).toBeGreaterThan(512);
      const health = (await httpGet(port, '/health')).json as { checks: { mesh: { output?: string }[] } };
      expect(health.checks.mesh[0]?.output).toMatch(said);
      // Nothing half made: no micro service answers for the instance.
      const nc = await connect({ servers: own.url });
      try {
        await expect(nc.request('$SRV.PING', Empty, { timeout: 1000 })).rejects.toMatchObject({ code: ErrorCode.NoResponders } satisfies Partial<NatsError>);
      } finally {
        await nc.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
