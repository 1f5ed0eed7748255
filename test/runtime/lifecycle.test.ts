import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type RunningRelease, buildFixtureRelease, contractValuesOfFixture, httpGet, removeRelease } from './fixture-release.mjs';
import { useRuntimeFixture } from './use-runtime-fixture.js';

const { start } = useRuntimeFixture();
/** A realm's did:key: setting it gives the service an identity, whose part reads the secrets directory. */
const REALM_DID = 'did:key:z6MkvRK8nibeFncybSeabSGg16yww1aCZYfsVdUU4QMeS7Gk';

/** A loopback port nothing listens on: bound, read and released. */
function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
const messages = (run: RunningRelease): (string | undefined)[] =>
  run.lines.map((event) => (event.fixture === undefined ? event.message : `fixture ${event.fixture}`));

describe('boot', () => {
  it('refuses to start a release whose code has drifted from its manifest, naming the difference', async () => {
    const values = await contractValuesOfFixture('runtime-service');
    const drifted = await buildFixtureRelease('runtime-service', { ...values, capabilities: [{ name: 'fixture.echo', version: 1 }] });
    try {
      const run = start({}, drifted.dir);
      expect(await run.exited).toEqual({ code: 1, signal: null });
      expect(run.lines).toEqual([
        expect.objectContaining({
          level: 'fatal',
          service: 'runtime-fixture',
          version: '1.0.0',
          message:
            'refusing to start: the running code does not match the manifest built into this release: capabilities()[0].version is 2 but the manifest built into this release says 1',
        }),
      ]);
    } finally {
      await removeRelease(drifted.dir);
    }
  });

  it('refuses an invalid setting, naming the variable and the value', async () => {
    const run = start({ HECATE_HEALTH_PORT: 'http', HECATE_LOG_LEVEL: 'loud' });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.map((event) => event.message)).toEqual([
      'invalid configuration: HECATE_HEALTH_PORT is "http": must be a whole number from 1 to 65535, or 0 to pick a free port',
      'invalid configuration: HECATE_LOG_LEVEL is "loud": must be one of debug, info, warn, error, silent',
    ]);
  });

  it('refuses a secrets or state directory it cannot use, naming the variable and why', async () => {
    // A realm configured: the identity part would read the secrets directory.
    const run = start({ HECATE_SECRETS_DIR: '/nonexistent', HECATE_STATE_DIR: '/dev/null', HECATE_REALM_DID: REALM_DID });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.map(({ level, message }) => ({ level, message }))).toEqual([
      {
        level: 'fatal',
        message:
          'invalid configuration: HECATE_SECRETS_DIR is "/nonexistent" does not exist: it must be a readable directory, as the realm-granted credentials are read from there',
      },
      {
        level: 'fatal',
        message:
          'invalid configuration: HECATE_STATE_DIR is "/dev/null" is not a directory: it must be a readable and writable directory, as the service keeps what it must remember there',
      },
    ]);
    const file = start({ HECATE_SECRETS_DIR: '/etc/hostname', HECATE_REALM_DID: REALM_DID });
    expect(await file.exited).toEqual({ code: 1, signal: null });
    expect(file.lines.map((event) => event.message)).toEqual([
      'invalid configuration: HECATE_SECRETS_DIR is "/etc/hostname" is not a directory: it must be a readable directory, as the realm-granted credentials are read from there',
    ]);
  });

  it('warns of a set secrets directory that does not exist when no realm is configured, and boots', async () => {
    const run = start({ HECATE_SECRETS_DIR: '/nonexistent' });
    await run.ready();
    expect(run.lines[0]).toMatchObject({
      level: 'warn',
      variable: 'HECATE_SECRETS_DIR',
      message:
        'HECATE_SECRETS_DIR is "/nonexistent" does not exist: it must be a readable directory, as the realm-granted credentials are read from there; no realm is configured (HECATE_REALM_DID), so nothing reads it yet and the boot goes on',
    });
  });

  it('warns when a directory left at its default is missing, and boots', async () => {
    const run = start({ HECATE_SECRETS_DIR: undefined });
    await run.ready();
    expect(run.lines[0]).toMatchObject({
      level: 'warn',
      message: '/etc/hecate/secrets/runtime-fixture, the default of HECATE_SECRETS_DIR, does not exist: it must be a readable directory, as the realm-granted credentials are read from there',
    });
  });

  it('exits 1 naming the address when the port is taken', async () => {
    const port = await start().port();
    const second = start({ HECATE_HEALTH_PORT: String(port) });
    expect(await second.exited).toEqual({ code: 1, signal: null });
    expect(second.lines.at(-1)).toMatchObject({
      level: 'fatal',
      message: `the health endpoint cannot listen on 127.0.0.1:${port} (HECATE_HEALTH_HOST, HECATE_HEALTH_PORT): Error: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
    });
    expect(second.fixtureEvents('start')).toEqual([]);
  });

  it('warns about a HECATE_ variable it does not read, and logs nothing else at the default level', async () => {
    const run = start({ HECATE_LOG_LEVEL: 'warn', HECATE_HEALTH_PROT: '9000' });
    const port = await run.port();
    // No "ready" line at warn: the fixture's own line says start() has returned.
    await run.waitFor((event) => event.fixture === 'started');
    expect((await httpGet(port, '/health')).status).toBe(200);
    run.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.lines.map((event) => event.message ?? `fixture ${event.fixture}`)).toEqual([
      'HECATE_HEALTH_PROT is not a setting of the hecate-om runtime and is ignored',
      `health endpoint listening on port ${port}, picked at boot because HECATE_HEALTH_PORT is 0`,
      'fixture start',
      'fixture started',
      'fixture health',
      'fixture health-answered',
      'fixture stop',
    ]);
  });

  it('reports down while start() runs, then exits 1 with the error when start() throws', async () => {
    const gate = join(await mkdtemp(join(tmpdir(), 'hecate-gate-')), 'open');
    onTestFinished(() => rm(dirname(gate), { recursive: true, force: true }));
    const run = start({ FIXTURE_START: 'throw', FIXTURE_START_GATE: gate });
    const port = await run.port();
    const [health, ready] = await Promise.all([httpGet(port, '/health'), httpGet(port, '/health/ready')]);
    await writeFile(gate, '');
    expect([health.status, health.json?.status, health.json?.checks]).toEqual([
      503,
      'down',
      { service: [{ status: 'down', output: 'starting: start() has not finished' }] },
    ]);
    expect(ready.status).toBe(503);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.at(-1)).toMatchObject({
      level: 'fatal',
      message: 'start() threw Error: the database is not there',
      error: { name: 'Error', message: 'the database is not there' },
    });
    expect(run.fixtureEvents('stop')).toEqual([]);
  });

  it("logs why start() failed down to the error's cause and code, as fetch() reports a refused connection", async () => {
    const run = start({ FIXTURE_START: 'fetch', FIXTURE_FETCH_URL: `http://127.0.0.1:${await unusedPort()}/` });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.at(-1)).toMatchObject({
      level: 'fatal',
      message: 'start() threw TypeError: fetch failed',
      error: { name: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNREFUSED', syscall: 'connect', message: expect.stringContaining('ECONNREFUSED') } },
    });
  });

  it('logs an error nothing caught as a fatal event and exits 1', async () => {
    const run = start({ FIXTURE_START: 'reject-later' });
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.at(-1)).toMatchObject({
      level: 'fatal',
      service: 'runtime-fixture',
      message: 'unhandled rejection: Error: lost the connection',
      error: { name: 'Error', message: 'lost the connection' },
    });
    expect(run.stderr()).toBe('');
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM turns not ready at once, answers the probes in flight not ready, stops once with the state and exits 0', async () => {
    const gate = join(await mkdtemp(join(tmpdir(), 'hecate-gate-')), 'open');
    onTestFinished(() => rm(dirname(gate), { recursive: true, force: true }));
    const run = start({ FIXTURE_HEALTH_GATE: gate, HECATE_HEALTH_TIMEOUT_MS: '5000', FIXTURE_STATE_TOKEN: 'state-7f3a' });
    const port = await run.ready();
    const inFlight = [httpGet(port, '/health'), httpGet(port, '/health/ready')];
    await run.waitFor((event) => event.fixture === 'health');
    run.kill('SIGTERM');
    await run.waitFor((event) => event.message === 'shutting down');
    const ready = await httpGet(port, '/health/ready');
    expect([ready.status, ready.json]).toEqual([503, { status: 'down', output: 'shutting down' }]);
    await writeFile(gate, '');
    const [health, readyInFlight] = await Promise.all(inFlight);
    expect([health?.status, health?.json?.checks]).toEqual([503, { service: [{ status: 'down', output: 'shutting down' }] }]);
    expect([readyInFlight?.status, readyInFlight?.json]).toEqual([503, { status: 'down', output: 'shutting down' }]);
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.fixtureEvents('stop')).toEqual([{ fixture: 'stop', state: { token: 'state-7f3a' } }]);
    expect(messages(run).slice(-4)).toEqual(['shutting down', 'fixture health-answered', 'fixture stop', 'stopped']);
  });

  it('waits for a health() refresh in flight before stop(), even with no probe waiting for it', async () => {
    const run = start({ FIXTURE_HEALTH_DELAY_MS: '700', HECATE_HEALTH_TIMEOUT_MS: '5000' });
    const port = await run.ready();
    expect((await httpGet(port, '/health')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await httpGet(port, '/health')).status).toBe(200);
    await run.waitFor((event) => event.fixture === 'health' && run.fixtureEvents('health').length === 2);
    run.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(messages(run).slice(-5)).toEqual(['fixture health', 'shutting down', 'fixture health-answered', 'fixture stop', 'stopped']);
  });

  it('on SIGTERM during a start() that gives up on the shutdown signal, exits 0 without calling stop()', async () => {
    const run = start({ FIXTURE_START: 'abortable', FIXTURE_START_DELAY_MS: '30000', HECATE_LOG_LEVEL: 'info' });
    await run.waitFor((event) => event.fixture === 'start');
    run.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.fixtureEvents('stop')).toEqual([]);
    expect(run.lines.filter((event) => event.level === 'fatal')).toEqual([]);
    expect(messages(run).slice(-3)).toEqual([
      'shutting down',
      'start() gave up on the shutdown signal with AbortError: The operation was aborted: there is no state for stop()',
      'stopped',
    ]);
  });

  it('shuts down the same way on SIGINT', async () => {
    const run = start({ FIXTURE_STATE_TOKEN: 'on-sigint' });
    await run.waitFor((event) => event.message === 'ready');
    run.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.fixtureEvents('stop')).toEqual([{ fixture: 'stop', state: { token: 'on-sigint' } }]);
  });

  it('exits at once with 143 on a second SIGTERM while stop() hangs', async () => {
    const run = start({ FIXTURE_STOP: 'hang' });
    await run.waitFor((event) => event.message === 'ready');
    run.kill('SIGTERM');
    await run.waitFor((event) => event.fixture === 'stop');
    run.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 143, signal: null });
    expect(run.lines.at(-1)).toMatchObject({ level: 'fatal', message: 'SIGTERM received during shutdown: exiting at once' });
    expect(run.fixtureEvents('stop')).toHaveLength(1);
  });

  it('exits 1 when stop() outlives HECATE_SHUTDOWN_TIMEOUT_MS', async () => {
    const run = start({ FIXTURE_STOP: 'hang', HECATE_HEALTH_TIMEOUT_MS: '200', HECATE_SHUTDOWN_TIMEOUT_MS: '500' });
    await run.waitFor((event) => event.message === 'ready');
    run.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.lines.at(-1)).toMatchObject({
      level: 'fatal',
      message: 'shutdown did not finish within 500 ms (HECATE_SHUTDOWN_TIMEOUT_MS): exiting at once',
    });
  });
});
