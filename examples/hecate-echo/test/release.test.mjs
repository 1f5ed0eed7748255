// Builds the release the way `pnpm build` does, unpacks the tarball and runs it with node: the
// echo service answers on its health endpoint with the manifest derived from its contract, and
// stops cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = join(import.meta.dirname, '..');
let workDir;
let release;

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/** Resolves once the service logs that it is ready (start() has returned); rejects if it exits first. */
function readyLine(service, deadline) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('no "ready" line in time')), deadline - Date.now());
    service.stdout.setEncoding('utf8').on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines)
        if (line.startsWith('{') && JSON.parse(line).message === 'ready') {
          clearTimeout(timer);
          resolve();
        }
    });
    service.on('exit', (code) => reject(new Error(`exited with ${code} before it was ready`)));
  });
}

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'hecate-echo-'));
  await run(process.execPath, ['build.mjs', join(workDir, 'dist')], { cwd: here });
  await run('tar', ['-xzf', join(workDir, 'dist', 'hecate-echo-0.1.0.tar.gz'), '-C', workDir]);
  release = join(workDir, 'hecate-echo-0.1.0');
});

after(() => rm(workDir, { recursive: true, force: true }));

test('the release holds the bundle, its map, the manifest and a package.json', async () => {
  const manifest = JSON.parse(await readFile(join(release, 'manifest.json'), 'utf8'));
  assert.equal(manifest.name, 'hecate-echo');
  assert.equal(manifest.version, '0.1.0');
  assert.deepEqual(manifest.capabilities, [{ name: 'echo.say', version: 1 }]);
  assert.deepEqual(manifest.identity, { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 });
  const packageJson = JSON.parse(await readFile(join(release, 'package.json'), 'utf8'));
  assert.equal(packageJson.main, 'main.js');
});

test('the unpacked release runs with node, reports ok and its manifest, and stops on SIGTERM', async () => {
  const port = await freePort();
  // The directories a deployed release is given: the runtime checks them at boot.
  for (const directory of ['state', 'secrets']) await mkdir(join(workDir, directory));
  const service = spawn(process.execPath, ['main.js'], {
    cwd: release,
    env: {
      ...process.env,
      HECATE_HEALTH_PORT: String(port),
      HECATE_STATE_DIR: join(workDir, 'state'),
      HECATE_SECRETS_DIR: join(workDir, 'secrets'),
      HECATE_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  service.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = once(service, 'exit');
  try {
    await readyLine(service, Date.now() + 10_000);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200, stderr);
    assert.equal((await health.json()).status, 'ok');
    const manifest = await (await fetch(`http://127.0.0.1:${port}/manifest`)).json();
    assert.deepEqual(manifest, JSON.parse(await readFile(join(release, 'manifest.json'), 'utf8')));
  } finally {
    service.kill('SIGTERM');
  }
  const [code] = await exited;
  assert.equal(code, 0, stderr);
});
