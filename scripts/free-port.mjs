import { createServer } from 'node:net';

/**
 * A loopback TCP port nothing listens on at the moment of asking (the kernel's pick for port 0),
 * for a server the caller starts next. Resolves to the port number.
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
