import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { httpGet, readMainJs } from './fixture-release.mjs';
import { useRuntimeFixture } from './use-runtime-fixture.js';

const { release, start } = useRuntimeFixture();

describe('the health endpoint of a running release', () => {
  it('bundles the runtime without zod', async () => {
    expect(await readMainJs(release().dir)).not.toMatch(/zod/i);
  });

  it('reports ok in the health+json shape, with name, version and the service check', async () => {
    const run = start();
    const port = await run.ready();
    const health = await httpGet(port, '/health');
    expect(health.status).toBe(200);
    expect(health.headers['content-type']).toBe('application/health+json');
    expect(health.headers['cache-control']).toBe('no-store');
    expect(health.json).toEqual({ status: 'ok', name: 'runtime-fixture', version: '1.0.0', checks: { service: [{ status: 'ok' }] } });
    expect((await httpGet(port, '/health/ready')).status).toBe(200);
    expect((await httpGet(port, '/health/live')).json).toEqual({ status: 'ok' });
    expect((await httpGet(port, '/manifest')).json).toEqual(release().manifest);
    expect(run.fixtureEvents('start')[0]).toMatchObject({ config: { healthPort: port, healthHost: '127.0.0.1', logLevel: 'info' } });
  });

  it('reports degraded with its reason as 200 and stays ready', async () => {
    const port = await start({ FIXTURE_HEALTH: 'degraded' }).ready();
    const health = await httpGet(port, '/health');
    expect([health.status, health.json?.status, health.json?.checks]).toEqual([200, 'degraded', { service: [{ status: 'degraded', output: 'cache is cold' }] }]);
    expect((await httpGet(port, '/health/ready')).status).toBe(200);
  });

  it('reports down with its reason as 503 and is not ready', async () => {
    const port = await start({ FIXTURE_HEALTH: 'down' }).ready();
    const health = await httpGet(port, '/health');
    expect([health.status, health.json?.status, health.json?.checks]).toEqual([503, 'down', { service: [{ status: 'down', output: 'upstream refused' }] }]);
    const ready = await httpGet(port, '/health/ready');
    expect([ready.status, ready.json]).toEqual([503, { status: 'down', output: 'upstream refused' }]);
  });

  it('reports a health() that throws as down with the error', async () => {
    const port = await start({ FIXTURE_HEALTH: 'throw' }).ready();
    const health = await httpGet(port, '/health');
    expect([health.status, health.json?.checks]).toEqual([503, { service: [{ status: 'down', output: 'health() threw TypeError: health probe exploded' }] }]);
  });

  it('reports a health() that hangs as down after the timeout, while liveness answers', async () => {
    const port = await start({ FIXTURE_HEALTH: 'hang', HECATE_HEALTH_TIMEOUT_MS: '300' }).ready();
    const [health, live] = await Promise.all([httpGet(port, '/health'), httpGet(port, '/health/live')]);
    expect([health.status, health.json?.checks]).toEqual([503, { service: [{ status: 'down', output: 'health() did not answer within 300 ms' }] }]);
    expect(live.status).toBe(200);
    expect((await httpGet(port, '/health/ready')).status).toBe(503);
  });

  it('logs each change of health with its reason: down at error, degraded at warn, recovery at info', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'hecate-health-')), 'answer');
    onTestFinished(() => rm(dirname(file), { recursive: true, force: true }));
    await writeFile(file, 'ok');
    const run = start({ FIXTURE_HEALTH_FILE: file });
    const port = await run.ready();
    /** Sets what health() answers, then probes until /health reports it: health() is asked at most once a second. */
    const answerWith = async (answer: 'ok' | 'down' | 'degraded'): Promise<void> => {
      await writeFile(file, answer);
      while ((await httpGet(port, '/health')).json?.status !== answer) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    await answerWith('down');
    await answerWith('degraded');
    await answerWith('ok');
    const changes = run.lines.filter((event) => event.check === 'service').map(({ level, message }) => ({ level, message }));
    expect(changes).toEqual([
      { level: 'error', message: 'the service check is down: upstream refused' },
      { level: 'warn', message: 'the service check is degraded: cache is cold' },
      { level: 'info', message: 'the service check is ok again (it was degraded)' },
    ]);
  });

  it('never calls a health() that hangs again while it pends, and stops without one beside stop()', async () => {
    const run = start({ FIXTURE_HEALTH: 'hang', HECATE_HEALTH_TIMEOUT_MS: '300' });
    const port = await run.ready();
    // Past three cache intervals (1 s each) of probes, each of which would call a settled health() again.
    const until = performance.now() + 3200;
    while (performance.now() < until) expect((await httpGet(port, '/health')).status).toBe(503);
    expect(run.fixtureEvents('health')).toHaveLength(1);
    run.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.lines.filter((event) => event.fixture !== undefined).map((event) => event.fixture)).toEqual(['start', 'started', 'health', 'health-answered', 'stop']);
  });

  it('calls a slow health() once per interval for a flood of concurrent probes', async () => {
    const run = start({ FIXTURE_HEALTH_DELAY_MS: '300', HECATE_HEALTH_TIMEOUT_MS: '5000' });
    const port = await run.ready();
    const startedAt = performance.now();
    const answers = await Promise.all(Array.from({ length: 200 }, () => httpGet(port, '/health')));
    const intervals = Math.floor((performance.now() - startedAt) / 1000) + 1;
    expect(new Set(answers.map((answer) => `${answer.status} ${answer.json?.status}`))).toEqual(new Set(['200 ok']));
    expect(run.fixtureEvents('health').length).toBeGreaterThanOrEqual(1);
    expect(run.fixtureEvents('health').length).toBeLessThanOrEqual(intervals);
  });

  it('routes a request target in absolute form, as RFC 9112 section 3.2.2 requires of a server', async () => {
    const port = await start().ready();
    const health = await httpGet(port, `http://127.0.0.1:${port}/health`);
    expect([health.status, health.json?.status]).toEqual([200, 'ok']);
    expect((await httpGet(port, `http://127.0.0.1:${port}/health/ready?probe=1`)).status).toBe(200);
    expect((await httpGet(port, `http://127.0.0.1:${port}/healthz`)).status).toBe(404);
  });

  it('answers unknown paths 404 and other methods 405 with Allow, and HEAD without a body', async () => {
    const port = await start().ready();
    expect((await httpGet(port, '/healthz')).status).toBe(404);
    expect((await httpGet(port, '/health/')).status).toBe(404);
    expect((await httpGet(port, '/health?verbose=1')).status).toBe(200);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const answer = await httpGet(port, '/health', method);
      expect([method, answer.status, answer.headers.allow]).toEqual([method, 405, 'GET, HEAD']);
    }
    const head = await httpGet(port, '/health', 'HEAD');
    expect([head.status, head.body, head.headers['content-type']]).toEqual([200, '', 'application/health+json']);
  });
});
