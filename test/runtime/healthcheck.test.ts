import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useRuntimeFixture } from './use-runtime-fixture.js';

const { release, start } = useRuntimeFixture();

/** `node main.js --healthcheck`, as the container engine runs it. */
function healthcheck(env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['main.js', '--healthcheck'], { cwd: release().dir, env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

async function serviceOn(env: Record<string, string>): Promise<number> {
  return start({ HECATE_HEALTH_HOST: '0.0.0.0', ...env }).port();
}

function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('node main.js --healthcheck', () => {
  it('exits 0 when the service listening on 0.0.0.0 is ready', async () => {
    const port = await serviceOn({});
    const result = await healthcheck({ HECATE_HEALTH_HOST: '0.0.0.0', HECATE_HEALTH_PORT: String(port) });
    expect(result).toEqual({ code: 0, stdout: `ready: http://127.0.0.1:${port}/health/ready answered 200\n` });
  });

  it('exits 1 when the service answers but is down', async () => {
    const port = await serviceOn({ FIXTURE_HEALTH: 'down' });
    const result = await healthcheck({ HECATE_HEALTH_PORT: String(port) });
    expect(result).toEqual({
      code: 1,
      stdout: `not ready: http://127.0.0.1:${port}/health/ready answered 503 {"status":"down","output":"upstream refused"}\n`,
    });
  });

  it('waits for a slow first answer when HECATE_HEALTH_TIMEOUT_MS is the largest it accepts', async () => {
    const env = { HECATE_HEALTH_TIMEOUT_MS: '2147483647', HECATE_SHUTDOWN_TIMEOUT_MS: '2147483647' };
    const port = await serviceOn({ ...env, FIXTURE_HEALTH_DELAY_MS: '300' });
    const result = await healthcheck({ ...env, HECATE_HEALTH_PORT: String(port) });
    expect(result).toEqual({ code: 0, stdout: `ready: http://127.0.0.1:${port}/health/ready answered 200\n` });
  });

  it('exits 2 when nothing listens', async () => {
    const port = await unusedPort();
    const result = await healthcheck({ HECATE_HEALTH_PORT: String(port) });
    expect(result).toEqual({ code: 2, stdout: `unreachable: http://127.0.0.1:${port}/health/ready: connect ECONNREFUSED 127.0.0.1:${port}\n` });
  });

  it('exits 2 when the port is picked at boot or the settings are invalid', async () => {
    expect(await healthcheck({ HECATE_HEALTH_PORT: '0' })).toEqual({
      code: 2,
      stdout: 'unreachable: HECATE_HEALTH_PORT is 0, so the port was picked at boot and cannot be probed\n',
    });
    expect(await healthcheck({ HECATE_HEALTH_PORT: 'x' })).toEqual({
      code: 2,
      stdout: 'HECATE_HEALTH_PORT is "x": must be a whole number from 1 to 65535, or 0 to pick a free port\n',
    });
  });
});
