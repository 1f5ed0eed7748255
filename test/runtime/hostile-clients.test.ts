import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpGet } from './fixture-release.mjs';
import { useRuntimeFixture } from './use-runtime-fixture.js';

const { start } = useRuntimeFixture();

/** Writes raw bytes on a fresh connection and collects whatever comes back until the server closes. */
function exchange(port: number, bytes: string | Buffer, { end = true } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.write(bytes, () => {
      if (end) socket.end();
    });
  });
}

const statusLine = (answer: string): string => answer.slice(0, answer.indexOf('\r\n'));

describe('a release facing hostile or broken clients', () => {
  it('answers garbage, oversized headers, bodies and abandoned requests without falling over', async () => {
    const run = start({ FIXTURE_HEALTH_DELAY_MS: '300' });
    // Ready first: while start() runs, a probe is answered without calling health(), which is waited for below.
    const port = await run.ready();

    expect(statusLine(await exchange(port, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a])))).toBe('HTTP/1.1 400 Bad Request');
    expect(statusLine(await exchange(port, 'GET /health HTTP/9.9\r\n\r\n'))).toBe('HTTP/1.1 400 Bad Request');
    expect(statusLine(await exchange(port, 'BREW /health HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe('HTTP/1.1 400 Bad Request');
    expect(statusLine(await exchange(port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`))).toBe(
      'HTTP/1.1 431 Request Header Fields Too Large',
    );
    const posted = await exchange(port, `POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n${'x'.repeat(1000)}`, { end: false });
    expect(statusLine(posted)).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(posted).toMatch(/\r\nConnection: close\r\n/i);
    expect(statusLine(await exchange(port, 'GET http://evil.example/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe('HTTP/1.1 404 Not Found');

    // Half-sent requests left open, and a probe whose client hangs up before the slow answer comes.
    const idle = Array.from({ length: 50 }, () => connect(port, '127.0.0.1').on('error', () => {}).setNoDelay(true));
    for (const socket of idle) socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    const abandoned = connect(port, '127.0.0.1').on('error', () => {});
    abandoned.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n', () => abandoned.destroy());
    await run.waitFor((event) => event.fixture === 'health');

    const [health, live] = await Promise.all([httpGet(port, '/health'), httpGet(port, '/health/live')]);
    expect([health.status, health.json?.status, live.status]).toEqual([200, 'ok', 200]);
    for (const socket of idle) socket.destroy();
    expect(run.child.exitCode).toBe(null);
    expect(run.lines.filter((event) => event.level === 'error' || event.level === 'fatal')).toEqual([]);
    expect(run.stderr()).toBe('');
  });
});
