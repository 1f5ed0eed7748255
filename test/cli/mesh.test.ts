import { describe, expect, test } from 'vitest';
import { useRuntimeFixture } from '../runtime/use-runtime-fixture.js';
import { useNatsServers } from '../support/nats-server.js';
import { repoRoot, runCli } from './support/cli.js';

const fixture = useRuntimeFixture();
const servers = useNatsServers(1);

/** Runs the CLI with no HECATE_MESH_URL from the test's own environment. */
const cli = (args: readonly string[]) => runCli(args, { cwd: repoRoot, env: { HECATE_MESH_URL: undefined } });

async function startProvider(url: string, health = 'ok') {
  const run = fixture.start({ HECATE_MESH_URL: url, HECATE_MESH_AUTHORIZATION: 'off', HECATE_LOG_LEVEL: 'info', FIXTURE_HEALTH: health });
  await run.waitFor((event) => event.message === 'mesh: advertised', 'the advertisement');
  return run;
}

describe('hecate-om mesh', () => {
  test('ls lists each instance with its service, version, health and capabilities, as text and as --json', async () => {
    const [server] = servers();
    const provider = await startProvider(server!.url, 'degraded');
    const listed = await cli(['mesh', 'ls', '--server', server!.url, '--json']);
    expect(listed.status).toBe(0);
    const report = JSON.parse(listed.stdout) as { ok: boolean; instances: { instance: string }[] };
    expect(report).toEqual({
      ok: true,
      servers: [server!.url],
      instances: [
        {
          service: 'runtime-fixture',
          serviceVersion: '1.0.0',
          description: 'Runs under the hecate-om runtime in e2e tests',
          instance: expect.any(String),
          did: '',
          realm: '',
          // Its /health status, from its STATS reply: the fixture's health() says degraded.
          health: 'degraded',
          contractHash: fixture.release().manifest.contractHash,
          capabilities: [{ name: 'fixture.echo', version: 2 }],
        },
      ],
    });
    const text = await cli(['mesh', 'ls', '--server', server!.url]);
    expect(text.stdout).toBe(`1 instance on ${server!.url}\nruntime-fixture@1.0.0 ${report.instances[0]!.instance} degraded\n  fixture.echo v2\n`);
    provider.kill('SIGTERM');
    await provider.exited;
  });

  test('call prints the answer and exits 0; a failed call prints its code and exits 1', async () => {
    const [server] = servers();
    const provider = await startProvider(server!.url);
    const answered = await cli(['mesh', 'call', 'fixture.echo', '{"hello":"cli"}', '--server', server!.url]);
    expect([answered.status, JSON.parse(answered.stdout)]).toEqual([0, { echo: { hello: 'cli' }, pid: provider.child.pid }]);
    expect(answered.stderr).toMatch(/^answered by runtime-fixture@1\.0\.0 \S+\n$/);
    const thrown = await cli(['mesh', 'call', 'fixture.echo', '{"throw":"no such account"}', '--server', server!.url, '--json']);
    expect([thrown.status, JSON.parse(thrown.stdout)]).toEqual([
      1,
      // The error names the instance that answered it, as a success does on stderr.
      { ok: false, error: { code: 'handler_error', message: 'Error: no such account', provider: expect.objectContaining({ service: 'runtime-fixture', serviceVersion: '1.0.0', capability: 'fixture.echo' }) } },
    ]);
    const missing = await cli(['mesh', 'call', 'billing.charge', '{}', '--server', server!.url]);
    expect([missing.status, missing.stdout]).toEqual([1, 'no instance advertises billing.charge\nthe call failed: no_providers\n']);
    provider.kill('SIGTERM');
    await provider.exited;
  });

  test('refuses a payload that is not JSON and a --server that is not a nats:// URL, naming each, with exit 2', async () => {
    const refused = await cli(['mesh', 'call', 'fixture.echo', '{hello', '--server', 'http://localhost:4222']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--server: "http://localhost:4222" must be one or more nats://host:port URLs');
    expect(refused.stderr).toContain("PAYLOAD: is not JSON: Expected property name or '}' in JSON at position 1");
  });

  test('says which server it cannot reach, with exit 1', async () => {
    const unreachable = await cli(['mesh', 'ls', '--server', 'nats://127.0.0.1:1', '--json']);
    expect([unreachable.status, JSON.parse(unreachable.stdout)]).toEqual([
      1,
      { ok: false, servers: ['nats://127.0.0.1:1'], message: 'cannot connect to nats://127.0.0.1:1: NatsError: CONNECTION_REFUSED' },
    ]);
  });
});
