// Builds and runs releases the way a service ships: the build plugin writes the tarball, which is
// unpacked and run with `node main.js`. buildFixtureRelease bundles with plain esbuild instead, for the
// one case the plugin rightly cannot produce: code that has drifted from its manifest.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { x as extractTar } from 'tar';
import { deriveManifest } from '@hecate-om/contract';
import hecateOm from '@hecate-om/unplugin/esbuild';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixturesDir = join(repoRoot, 'test/fixtures/');
const facts = { imageRepository: 'ghcr.io/hecate-om', license: 'Apache-2.0', runtimeVersion: '0.1.0' };

/** The contract values the build would read from the fixture's service class. */
export async function contractValuesOfFixture(fixture) {
  const outfile = join(await mkdtemp(join(tmpdir(), 'hecate-values-')), 'service.mjs');
  await build({
    entryPoints: [join(fixturesDir, fixture, 'service.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'silent',
  });
  const { default: Service } = await import(pathToFileURL(outfile).href);
  await rm(dirname(outfile), { recursive: true, force: true });
  const service = new Service();
  return { info: service.info(), capabilities: service.capabilities(), identitySpec: service.identitySpec() };
}

/**
 * Builds a service project (a path from the repository root, such as examples/hecate-echo) with the
 * build plugin and unpacks the `<name>-<version>.tar.gz` it wrote: what ships. Returns the directory
 * that holds main.js.
 */
export async function buildPluginRelease(project, service = 'src/service.ts') {
  const work = await mkdtemp(join(tmpdir(), 'hecate-release-'));
  const outdir = join(work, 'dist');
  await build({
    absWorkingDir: join(repoRoot, project),
    outdir,
    logLevel: 'silent',
    plugins: [hecateOm({ service, cacheDir: join(work, 'cache') })],
  });
  const manifest = JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8'));
  await extractTar({ file: join(outdir, `${manifest.name}-${manifest.version}.tar.gz`), cwd: work });
  return { dir: join(work, `${manifest.name}-${manifest.version}`), manifest };
}

/**
 * Bundles test/fixtures/<fixture>/main.ts with the manifest derived from `values` (default: the
 * fixture's own, so a test can build a release whose code has drifted from its manifest) and lays
 * out the release directory. Returns the directory that holds main.js.
 */
export async function buildFixtureRelease(fixture, values) {
  const contractValues = values ?? (await contractValuesOfFixture(fixture));
  const manifest = deriveManifest(contractValues, facts);
  const dir = join(await mkdtemp(join(tmpdir(), 'hecate-release-')), `${manifest.name}-${manifest.version}`);
  await mkdir(dir);
  await build({
    entryPoints: [join(fixturesDir, fixture, 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(dir, 'main.js'),
    sourcemap: true,
    // What the plugin's esbuild hooks add too: the runtime bundles a CommonJS package (the NATS client).
    banner: { js: "import { createRequire as __hecateCreateRequire } from 'node:module'; const require = __hecateCreateRequire(import.meta.url);" },
    logLevel: 'silent',
    plugins: [manifestPlugin(manifest)],
  });
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const packageJson = { name: manifest.name, version: manifest.version, private: true, type: 'module', main: 'main.js' };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  return { dir, manifest };
}

/** What the build plugin provides: `virtual:hecate-om/manifest`, the manifest as a default export. */
function manifestPlugin(manifest) {
  return {
    name: 'fixture-manifest',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^virtual:hecate-om\/manifest$/ }, () => ({ path: 'manifest', namespace: 'hecate-om' }));
      pluginBuild.onLoad({ filter: /.*/, namespace: 'hecate-om' }, () => ({ contents: JSON.stringify(manifest), loader: 'json' }));
    },
  };
}

/** The fixture service the runtime e2e tests run, built by the plugin. */
export const buildRuntimeFixture = () => buildPluginRelease('test/fixtures/runtime-service', 'service.ts');

export async function removeRelease(dir) {
  await rm(dirname(dir), { recursive: true, force: true });
}

export async function readMainJs(dir) {
  return readFile(join(dir, 'main.js'), 'utf8');
}

/**
 * Spawns `node main.js` in the release directory on a port picked at boot, with its secrets and
 * state directories, collecting stdout as parsed JSON lines. `env` adds to a clean environment (no
 * stray HECATE_* from the caller); a variable given as undefined is left unset.
 */
export function runRelease(dir, env = {}, args = []) {
  // The directories a deployed release is given, beside the release so that removeRelease takes them.
  const secretsDir = join(dirname(dir), 'secrets');
  const stateDir = join(dirname(dir), 'state');
  for (const directory of [secretsDir, stateDir]) mkdirSync(directory, { recursive: true });
  const child = spawn(process.execPath, ['main.js', ...args], {
    cwd: dir,
    env: withoutUnset({ PATH: process.env.PATH, HECATE_HEALTH_PORT: '0', HECATE_LOG_LEVEL: 'info', HECATE_SECRETS_DIR: secretsDir, HECATE_STATE_DIR: stateDir, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  const waiters = [];
  let stdout = '';
  let stderr = '';
  const onLine = (line) => {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      event = { text: line };
    }
    lines.push(event);
    for (const waiter of [...waiters]) if (waiter.match(event)) waiter.resolve(event);
  };
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
    let newline;
    while ((newline = stdout.indexOf('\n')) !== -1) {
      onLine(stdout.slice(0, newline));
      stdout = stdout.slice(newline + 1);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));

  /** Resolves with the first line, past or future, that matches; rejects if the process exits first. */
  const waitFor = (match, what = 'a matching line') => {
    const seen = lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const settle = (settleWith, value) => {
        waiters.splice(waiters.indexOf(waiter), 1);
        settleWith(value);
      };
      const waiter = { match, resolve: (event) => settle(resolve, event) };
      waiters.push(waiter);
      exited.then(({ code, signal }) => {
        if (!waiters.includes(waiter)) return;
        settle(reject, new Error(`exited (${code ?? signal}) before ${what}; stdout: ${JSON.stringify(lines)} stderr: ${stderr}`));
      });
    });
  };
  const port = () =>
    waitFor((event) => typeof event.port === 'number' && /listening/.test(event.message ?? ''), 'the listening line').then((event) => event.port);
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitFor,
    port,
    ready: () => waitFor((event) => event.message === 'started', 'the started line').then(port),
    fixtureEvents: (name) => lines.filter((event) => event.fixture === name),
    kill: (signal) => child.kill(signal),
  };
}

/** The environment without the variables given as undefined: how a test unsets a default. */
function withoutUnset(env) {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
}

/** One GET (or another method) over a fresh loopback connection: { status, headers, body, json }. */
export function httpGet(port, path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        let json;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
