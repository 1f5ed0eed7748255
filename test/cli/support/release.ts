import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export function httpStatus(port: number, path: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Polls `path` until it answers 200, or fails after `deadlineMs`. */
export async function waitFor200(port: number, path: string, child: ChildProcess, deadlineMs = 15_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the release exited with ${child.exitCode} before ${path} answered 200`);
    if ((await httpStatus(port, path)) === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${path} did not answer 200 within ${deadlineMs} ms`);
}

export interface RunningRelease {
  readonly child: ChildProcess;
  readonly output: () => string;
}

export function startRelease(dir: string, env: NodeJS.ProcessEnv): RunningRelease {
  const child = spawn(process.execPath, ['main.js'], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** Sends SIGTERM and resolves with the exit code. */
export async function stopRelease(release: RunningRelease): Promise<number | null> {
  if (release.child.exitCode !== null) return release.child.exitCode;
  const exited = once(release.child, 'exit');
  release.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}
