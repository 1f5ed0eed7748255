import { spawn } from 'node:child_process';
import { type IncomingMessage, type ServerResponse, createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
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

/** A running fixture service whose start() has returned, so its readiness is what health() says. */
async function serviceOn(env: Record<string, string>): Promise<number> {
  return start({ HECATE_HEALTH_HOST: '0.0.0.0', ...env }).ready();
}

function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A stand-in for whatever answers on the health port (another program, a broken proxy): a real
 * HTTP server on loopback answering every request with `answer`. Closed when the test ends.
 */
async function peerAnswering(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<number> {
  const server = createHttpServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as { port: number }).port;
}

/** Writes `bytes` of `fill` as fast as the reader takes them, then ends the answer; stops when the reader leaves. */
function pour(response: ServerResponse, fill: string, bytes: number): void {
  const chunk = Buffer.alloc(64 * 1024, fill);
  let left = bytes;
  const pump = (): void => {
    while (left > 0 && !response.destroyed) {
      left -= chunk.length;
      if (!response.write(chunk)) return void response.once('drain', pump);
    }
    response.end();
  };
  pump();
}

const HEALTH_JSON = { 'content-type': 'application/health+json' };

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

  it('exits 1 on a 200 that is not health+json, such as an HTML page', async () => {
    const port = await peerAnswering((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>welcome</html>'));
    expect(await healthcheck({ HECATE_HEALTH_PORT: String(port) })).toEqual({
      code: 1,
      stdout: `not ready: http://127.0.0.1:${port}/health/ready answered 200 with content-type text/html, not application/health+json\n`,
    });
  });

  it('exits 1 on a 200 whose health+json status is not a passing one', async () => {
    const down = await peerAnswering((_request, response) => response.writeHead(200, HEALTH_JSON).end('{"status":"down"}'));
    expect(await healthcheck({ HECATE_HEALTH_PORT: String(down) })).toEqual({
      code: 1,
      stdout: `not ready: http://127.0.0.1:${down}/health/ready answered 200 with status "down", not pass, ok or up\n`,
    });
    const notJson = await peerAnswering((_request, response) => response.writeHead(200, HEALTH_JSON).end('ok'));
    expect(await healthcheck({ HECATE_HEALTH_PORT: String(notJson) })).toEqual({
      code: 1,
      stdout: `not ready: http://127.0.0.1:${notJson}/health/ready answered 200 with a body that is not a health+json object: ok\n`,
    });
  });

  it('accepts a 200 whose health+json status is pass, with a charset parameter', async () => {
    const port = await peerAnswering((_request, response) => response.writeHead(200, { 'content-type': 'application/health+json; charset=utf-8' }).end('{"status":"pass"}'));
    expect(await healthcheck({ HECATE_HEALTH_PORT: String(port) })).toEqual({ code: 0, stdout: `ready: http://127.0.0.1:${port}/health/ready answered 200\n` });
  });

  it('stops reading an endless answer after 16 KiB and exits 1', async () => {
    const port = await peerAnswering((_request, response) => {
      response.writeHead(200, HEALTH_JSON).write('{"status":"ok"');
      pour(response, ' ', Number.POSITIVE_INFINITY);
    });
    expect(await healthcheck({ HECATE_HEALTH_PORT: String(port) })).toEqual({
      code: 1,
      stdout: `not ready: http://127.0.0.1:${port}/health/ready answered 200 with more than 16384 bytes, more than any health+json answer needs\n`,
    });
  });

  it('prints a burst of 503 body as one bounded line, not a crash', async () => {
    const port = await peerAnswering((_request, response) => pour(response.writeHead(503, HEALTH_JSON), 'x', 512 * 1024 * 1024));
    const result = await healthcheck({ HECATE_HEALTH_PORT: String(port) });
    expect(result).toEqual({
      code: 1,
      stdout: `not ready: http://127.0.0.1:${port}/health/ready answered 503 ${'x'.repeat(200)}... (more not shown)\n`,
    });
  });

  it("escapes the peer's control characters, so its summary stays one line that cannot drive a terminal", async () => {
    const port = await peerAnswering((_request, response) =>
      response.writeHead(503, { 'content-type': 'text/plain' }).end('down\n\u001b[31mred\r\u009b2J\u202eevil\u2028'),
    );
    expect(await healthcheck({ HECATE_HEALTH_PORT: String(port) })).toEqual({
      code: 1,
      stdout: `not ready: http://127.0.0.1:${port}/health/ready answered 503 down\\n\\u001b[31mred\\r\\u009b2J\\u202eevil\\u2028\n`,
    });
  });
});
