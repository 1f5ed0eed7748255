import { afterEach, describe, expect, it } from 'vitest';
import { HealthEndpoint } from '../src/health-endpoint.js';
import type { HealthObservation } from '../src/health-monitor.js';
import { checksOf, type RuntimePart } from '../src/runtime-part.js';
import { echoManifest } from './manifest-fixture.js';

let endpoint: HealthEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

/** Serves the parts' checks on a free loopback port and answers a GET of `path`. */
async function get(parts: readonly RuntimePart[], path: string): Promise<{ status: number; body: unknown }> {
  endpoint = new HealthEndpoint(echoManifest, checksOf(parts), (error) => {
    throw error;
  });
  const { port } = await endpoint.listen('127.0.0.1', 0);
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.json() };
}

const part = (name: string, readiness: RuntimePart['readiness'], observation: HealthObservation): RuntimePart => ({
  name,
  readiness,
  check: () => observation,
});

describe('/health with several parts', () => {
  it('reports every named check, the service first, and the worst required status', async () => {
    const parts = [part('mesh', 'required', { status: 'down', reason: 'no route to nats' }), part('service', 'required', { status: 'ok' })];
    expect(await get(parts, '/health')).toEqual({
      status: 503,
      body: {
        status: 'down',
        name: 'hecate-echo',
        version: '0.1.0',
        checks: { service: [{ status: 'ok' }], mesh: [{ status: 'down', output: 'no route to nats' }] },
      },
    });
  });

  it('counts an optional part that is down as degraded, and stays ready', async () => {
    const parts = [part('service', 'required', { status: 'ok' }), part('identity', 'optional', { status: 'down', reason: 'renewal failed' })];
    expect(await get(parts, '/health')).toMatchObject({ status: 200, body: { status: 'degraded' } });
    await endpoint?.close();
    expect(await get(parts, '/health/ready')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('is not ready while a required part is down, with that part\'s reason', async () => {
    const parts = [part('service', 'required', { status: 'ok' }), part('mesh', 'required', { status: 'down', reason: 'no route to nats' })];
    expect(await get(parts, '/health/ready')).toEqual({ status: 503, body: { status: 'down', output: 'no route to nats' } });
  });

  it('is not ready while a required part holds readiness back, though only degraded; an optional one cannot', async () => {
    const waiting: HealthObservation = { status: 'degraded', reason: 'no credential yet', ready: false };
    const required = [part('service', 'required', { status: 'ok' }), part('identity', 'required', waiting)];
    expect(await get(required, '/health')).toMatchObject({ status: 200, body: { status: 'degraded', checks: { identity: [{ status: 'degraded', output: 'no credential yet' }] } } });
    await endpoint?.close();
    expect(await get(required, '/health/ready')).toEqual({ status: 503, body: { status: 'down', output: 'no credential yet' } });
    await endpoint?.close();
    expect(await get([part('service', 'required', { status: 'ok' }), part('identity', 'optional', waiting)], '/health/ready')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('waits for a check that answers later', async () => {
    const late: RuntimePart = { name: 'mesh', readiness: 'required', check: () => Promise.resolve({ status: 'degraded', reason: 'one peer' }) };
    expect(await get([part('service', 'required', { status: 'ok' }), late], '/health')).toMatchObject({
      status: 200,
      body: { status: 'degraded', checks: { service: [{ status: 'ok' }], mesh: [{ status: 'degraded', output: 'one peer' }] } },
    });
  });
});
