import { connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import { startNatsServer, useNatsServers } from './nats-server.js';

/** The INFO line a NATS server sends first on every client connection (the NATS protocol). */
function readInfo(port: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\r\n');
      if (end === -1) return;
      socket.destroy();
      resolve(JSON.parse(text.slice('INFO '.length, end)) as Record<string, unknown>);
    });
  });
}

describe('a two-server cluster on loopback', () => {
  const servers = useNatsServers(2);

  test('starts both servers on their own ports, routed to each other', async () => {
    const [seed, joined] = servers();
    expect(seed?.port).not.toBe(joined?.port);
    const [seedInfo, joinedInfo] = await Promise.all([readInfo(seed?.port ?? 0), readInfo(joined?.port ?? 0)]);
    expect(seedInfo.cluster).toBe(joinedInfo.cluster);
    // Each server tells its clients where the other is: the route is up.
    expect(seedInfo.connect_urls).toContain(`127.0.0.1:${joined?.port}`);
  });
});

test('a stopped server frees its port and a new one can take it', async () => {
  const first = await startNatsServer();
  expect((await readInfo(first.port)).port).toBe(first.port);
  await first.stop();
  expect(first.process.exitCode ?? first.process.signalCode).not.toBeNull();
  const second = await startNatsServer({ port: first.port });
  try {
    expect((await readInfo(second.port)).port).toBe(first.port);
  } finally {
    await second.stop();
  }
});
