// How long a release takes from `node main.js` to its first answer: the boot benchmarks' one loop.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';

/** The status `path` answers on the loopback `port` with, or 0 when nothing answers yet. */
export function statusOf(port, path) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

function unusedPort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Milliseconds from spawning `node [...flags] main.js` in `dir` until `path` answers 200 on the
 * port given in HECATE_HEALTH_PORT (a bare server reads it too), then the process is killed.
 */
export async function timeToAnswer(dir, path, { flags = [], env = {} } = {}) {
  const port = await unusedPort();
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...flags, 'main.js'], { cwd: dir, stdio: 'ignore', env: { PATH: process.env.PATH, HECATE_HEALTH_PORT: String(port), ...env } });
  const exited = new Promise((resolve) => child.on('close', resolve));
  let gone = false;
  void exited.then(() => (gone = true));
  while ((await statusOf(port, path)) !== 200) {
    if (gone) throw new Error(`${dir}/main.js exited before ${path} answered 200`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const elapsed = performance.now() - startedAt;
  child.kill('SIGKILL');
  await exited;
  return elapsed;
}
