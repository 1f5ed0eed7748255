// The end-to-end tour behind `npm run demo`: build the example service through the plugin, show
// what was derived and emitted, run its release tarball as production would, let it claim its
// identity from a development realm (and be refused by a strict one), run two instances on a NATS
// mesh and call them (scripts/demo-mesh.mjs), then scaffold a new service with the CLI, build it and
// boot it. `npm run demo` builds the packages first.
import { spawn, spawnSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { meshTour } from './demo-mesh.mjs';
import { freePort } from './free-port.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pnpm = join(root, 'node_modules', '.bin', 'pnpm');
const example = join(root, 'examples', 'hecate-echo');
const cli = join(root, 'packages', 'cli', 'bin', 'run.js');
const heading = (text) => console.log(`\n\u001b[1m== ${text}\u001b[0m`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
}


async function waitForReady(url, child, deadlineMs = 10_000) {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    if (child.exitCode !== null) throw new Error(`the service exited early with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${url} did not answer 200 within ${deadlineMs} ms`);
}

async function showJson(url) {
  const response = await fetch(url);
  console.log(`GET ${new URL(url).pathname} -> ${response.status} ${response.headers.get('content-type')}`);
  console.log(JSON.stringify(await response.json(), null, 2));
}

/** Runs a release folder with `node main.js`, shows its endpoints, then stops it with SIGTERM. */
async function runRelease(releaseDir, { showManifest }) {
  const port = await freePort();
  const child = spawn(process.execPath, ['main.js'], {
    cwd: releaseDir,
    env: { ...process.env, HECATE_HEALTH_PORT: String(port), HECATE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  const readyMs = await waitForReady(`${base}/health/ready`, child);
  console.log(`ready after ${readyMs} ms on ${base}`);
  await showJson(`${base}/health`);
  if (showManifest) await showJson(`${base}/manifest`);
  console.log('sending SIGTERM');
  child.kill('SIGTERM');
  const { code, signal } = await exited;
  console.log(`exited with code ${code}${signal ? ` (signal ${signal})` : ''}: ${code === 0 ? 'clean shutdown' : 'NOT clean'}`);
  if (code !== 0) throw new Error('the release did not shut down cleanly');
}

async function listArtifacts(dir) {
  for (const name of (await readdir(dir)).sort()) {
    const { size } = await stat(join(dir, name));
    console.log(`  ${name.padEnd(32)} ${String(size).padStart(8)} bytes`);
  }
}

async function buildExample() {
  heading('Build examples/hecate-echo through @hecate-om/unplugin (esbuild)');
  run(pnpm, ['run', 'build'], { cwd: example });
  const dist = join(example, 'dist');
  const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8'));
  heading('Derived statically from src/service.ts: manifest.json');
  console.log(JSON.stringify(manifest, null, 2));
  heading('ucan-request.json');
  console.log(await readFile(join(dist, 'ucan-request.json'), 'utf8'));
  heading('Emitted into examples/hecate-echo/dist');
  await listArtifacts(dist);
  heading(`${manifest.name}.container (Podman Quadlet)`);
  console.log(await readFile(join(dist, `${manifest.name}.container`), 'utf8'));
  return { dist, manifest };
}

/** What a contract the build refuses looks like: every problem at once, each located. */
function showBrokenContract() {
  const fixture = join('test', 'fixtures', 'broken-contract');
  heading(`hecate-om inspect ${fixture} (a contract with four problems; the build fails the same way)`);
  const result = spawnSync(process.execPath, [cli, 'inspect', fixture], { cwd: root, stdio: 'inherit' });
  console.log(`exit code ${result.status}`);
  if (result.status !== 1) throw new Error('inspect accepted a broken contract');
}

/** Unpacks a built service's release tarball into `scratch` and runs it. */
async function runBuiltRelease(dist, manifest, scratch, options) {
  const tarball = `${manifest.name}-${manifest.version}.tar.gz`;
  heading(`Unpack ${tarball} and run it with node`);
  run('tar', ['-xzf', join(dist, tarball), '-C', scratch]);
  const releaseDir = join(scratch, `${manifest.name}-${manifest.version}`);
  console.log((await readdir(releaseDir)).sort().join('  '));
  await runRelease(releaseDir, options);
  return releaseDir;
}

/** Boots a release with `env` added and waits until `/health` satisfies `until`; returns its address and a stop. */
async function bootRelease(releaseDir, env, until, deadlineMs = 20_000) {
  const port = await freePort();
  const child = spawn(process.execPath, ['main.js'], {
    cwd: releaseDir,
    env: { ...process.env, HECATE_HEALTH_PORT: String(port), HECATE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited early with ${child.exitCode}`);
    if (Date.now() - started > deadlineMs) throw new Error(`${base}/health did not reach the expected state within ${deadlineMs} ms`);
    const health = await fetch(`${base}/health`).then((response) => response.json(), () => undefined);
    if (health !== undefined && until(health)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const stop = async () => {
    child.kill('SIGTERM');
    return exited;
  };
  return { base, stop };
}

const identityStatus = (health) => health.checks?.identity?.[0]?.status;

function decodeJwt(token) {
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  const when = (seconds) => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : seconds);
  return { header, payload, times: { nbf: when(payload.nbf), exp: when(payload.exp) } };
}

/**
 * The identity flow of issue 11: a development realm (what `hecate-om realm dev` runs) enrolls the
 * example on its first claim; the claimed credential, decoded; `/health` with the identity check;
 * then a realm whose policy enrolls hecate-echo by join token, and its refusal of an instance with none.
 */
async function identityTour(releaseDir, scratch) {
  const { startRealm } = await import(pathToFileURL(join(root, 'packages', 'realm', 'dist', 'index.js')).href);
  heading('Start a development realm (@hecate-om/realm in dev mode: enrolls any instance on its first claim)');
  const dev = await startRealm({ dataDir: join(scratch, 'dev-realm'), dev: true, port: 0, log: () => {} });
  if (!dev.ok) throw new Error(dev.error.message);
  console.log(`realm ${dev.value.did} listening at ${dev.value.url}`);

  heading('Boot hecate-echo with HECATE_REALM_URL and HECATE_REALM_DID: it creates its key and claims its credential');
  const instance = join(scratch, 'echo-instance');
  // The directories its mounts would be: the runtime refuses a set HECATE_*_DIR that does not exist.
  await mkdir(join(instance, 'secrets'), { recursive: true, mode: 0o700 });
  await mkdir(join(instance, 'state'), { mode: 0o700 });
  const env = { HECATE_REALM_URL: dev.value.url, HECATE_REALM_DID: dev.value.did, HECATE_SECRETS_DIR: join(instance, 'secrets'), HECATE_STATE_DIR: join(instance, 'state') };
  const claimed = await bootRelease(releaseDir, env, (health) => identityStatus(health) === 'ok');
  heading('The credential it claimed, decoded (<HECATE_STATE_DIR>/identity/credential.jwt)');
  console.log(JSON.stringify(decodeJwt((await readFile(join(instance, 'state', 'identity', 'credential.jwt'), 'utf8')).trim()), null, 2));
  await showJson(`${claimed.base}/health`);
  await claimed.stop();
  await dev.value.close();

  heading('A realm whose policy enrolls hecate-echo by join token, and an instance with none: a claim refused by policy');
  const policy = {
    name: 'demo-strict',
    services: { 'hecate-echo': { grants: { 'hecate://billing/*': ['billing/read'] }, maxLifetimeSeconds: 3600, enroll: { joinTokens: true } } },
  };
  const strictDir = join(scratch, 'strict-realm');
  const strict = await startRealm({ dataDir: strictDir, policy, port: 0, log: (line) => process.stdout.write(`realm log: ${line}`) });
  if (!strict.ok) throw new Error(strict.error.message);
  const refusedInstance = join(scratch, 'refused-instance');
  await mkdir(join(refusedInstance, 'secrets'), { recursive: true, mode: 0o700 });
  await mkdir(join(refusedInstance, 'state'), { mode: 0o700 });
  const refused = await bootRelease(
    releaseDir,
    { HECATE_REALM_URL: strict.value.url, HECATE_REALM_DID: strict.value.did, HECATE_SECRETS_DIR: join(refusedInstance, 'secrets'), HECATE_STATE_DIR: join(refusedInstance, 'state') },
    (health) => identityStatus(health) === 'down',
  );
  await showJson(`${refused.base}/health`);
  await refused.stop();
  await strict.value.close();
}

/**
 * A new service as its author starts it: scaffolded by the CLI for their own org and registry, then
 * installed, tested, built and booted. Our packages are not on the npm registry, so the service
 * installs them from `pnpm pack` tarballs; everything else comes from the registry as usual.
 */
async function scaffoldNewService(scratch) {
  const name = 'hecate-hello';
  const dir = join(scratch, name);
  heading(`hecate-om scaffold --name ${name} (org acme, registry registry.example.com)`);
  run(process.execPath, [cli, 'scaffold', '--name', name, '--description', 'Says hello over the mesh',
    '--org', 'acme', '--registry', 'registry.example.com', '--dir', dir]);
  const tarballs = join(scratch, 'tarballs');
  await mkdir(tarballs);
  const overrides = [];
  // ucan comes with the runtime; the overrides must reach transitive references too.
  for (const pkg of ['contract', 'runtime', 'ucan', 'unplugin']) {
    run(pnpm, ['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', pkg), stdio: 'ignore' });
    const file = (await readdir(tarballs)).find((entry) => entry.startsWith(`hecate-om-${pkg}-`));
    overrides.push(`  '@hecate-om/${pkg}': 'file:${join(tarballs, file)}'`);
  }
  await appendFile(join(dir, 'pnpm-workspace.yaml'), ['overrides:', ...overrides, ''].join('\n'));
  heading(`pnpm install && pnpm test && pnpm build in ${name}`);
  run(pnpm, ['install', '--reporter=silent'], { cwd: dir });
  run(pnpm, ['test'], { cwd: dir });
  run(pnpm, ['run', 'build'], { cwd: dir });
  const dist = join(dir, 'dist');
  await listArtifacts(dist);
  heading(`hecate-om inspect ${name}`);
  run(process.execPath, [cli, 'inspect', dir, '--org', 'acme', '--registry', 'registry.example.com']);
  const manifest = JSON.parse(await readFile(join(dist, 'manifest.json'), 'utf8'));
  await runBuiltRelease(dist, manifest, scratch, { showManifest: false });
}

const scratch = await mkdtemp(join(tmpdir(), 'hecate-om-demo-'));
try {
  const { dist, manifest } = await buildExample();
  const releaseDir = await runBuiltRelease(dist, manifest, scratch, { showManifest: true });
  await identityTour(releaseDir, scratch);
  await meshTour({ root, releaseDir, scratch, heading, cli });
  showBrokenContract();
  await scaffoldNewService(scratch);
  heading('Done');
} finally {
  await rm(scratch, { recursive: true, force: true });
}
