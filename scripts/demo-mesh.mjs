// The mesh part of `npm run demo` (issue 12): a nats-server, a development realm, two instances of
// the example advertising echo.say, and a caller: what `hecate-om mesh ls` sees, a CLI call without a
// credential refused and one with the caller's credential answered, calls authorized by that
// credential spread over both instances, then one instance SIGKILLed and the calls going on at the other.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { natsServerBinary } from './nats-server-binary.mjs';
import { freePort } from './free-port.mjs';


/** nats-server on a free loopback port, resolved once it accepts clients. */
async function startNats(binary) {
  const port = await freePort();
  const child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`nats-server did not get ready within 15 s:\n${log}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`nats-server exited with ${code}:\n${log}`)));
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      log += chunk;
      if (/Server is ready/.test(log)) {
        clearTimeout(deadline);
        resolve();
      }
    });
  });
  return { url: `nats://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

/** One instance of the example release on the mesh; resolves once its `mesh` check is ok. */
async function startInstance(releaseDir, scratch, name, env) {
  const dir = join(scratch, name);
  await mkdir(join(dir, 'secrets'), { recursive: true, mode: 0o700 });
  await mkdir(join(dir, 'state'), { mode: 0o700 });
  const port = await freePort();
  const child = spawn(process.execPath, ['main.js'], {
    cwd: releaseDir,
    env: { ...process.env, ...env, HECATE_HEALTH_PORT: String(port), HECATE_LOG_LEVEL: 'warn', HECATE_SECRETS_DIR: join(dir, 'secrets'), HECATE_STATE_DIR: join(dir, 'state') },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  for (const giveUpAt = Date.now() + 30_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (child.exitCode !== null) throw new Error(`${name} exited early with ${child.exitCode}`);
    if (Date.now() > giveUpAt) throw new Error(`${name} was not advertised on the mesh within 30 s`);
    const health = await fetch(`http://127.0.0.1:${port}/health`).then((response) => response.json(), () => undefined);
    if (health?.checks?.mesh?.[0]?.status === 'ok') break;
  }
  console.log(`${name}: pid ${child.pid}, /health on port ${port}, advertised`);
  return { name, child, exited };
}

/** Calls echo.say `count` times as an idempotent call and says which instance answered each. */
async function callRound(client, label, count) {
  const answeredBy = [];
  for (let index = 0; index < count; index++) {
    const result = await client.call('echo.say', { text: `${label} #${index}` }, { idempotent: true, timeout: 1000 });
    answeredBy.push(result.ok ? result.provider.instance.slice(-6) : `${result.error.code}: ${result.error.message}`);
  }
  console.log(`${label}: ${answeredBy.join(', ')}`);
  return answeredBy;
}

/** A caller's key and the credential the development realm grants it, claimed as an instance of the example. */
async function claimCallerIdentity(root, releaseDir, realm, runtime) {
  const { generateKeyPair } = await import(pathToFileURL(join(root, 'packages', 'ucan', 'dist', 'index.js')).href);
  const { deriveUcanRequest } = await import(pathToFileURL(join(root, 'packages', 'contract', 'dist', 'index.js')).href);
  const { claimCredential } = await runtime('identity/realm-client.js');
  const { withMeshCalls } = await runtime('identity/identity-part.js');
  const manifest = JSON.parse(await readFile(join(releaseDir, 'manifest.json'), 'utf8'));
  const key = generateKeyPair();
  const request = withMeshCalls(deriveUcanRequest(manifest));
  const claimed = await claimCredential({ realmUrl: realm.url, realmDid: realm.did, keyPair: key, request, joinToken: undefined, now: Math.floor(Date.now() / 1000) });
  if (!claimed.ok) throw new Error(`the caller's claim was refused: ${claimed.code}: ${claimed.message}`);
  const credential = claimed.value.credential;
  return { key, realmDid: realm.did, credential: () => credential, revoked: () => new Set() };
}

/** The caller's key and credential as files, for `hecate-om mesh call --key --credential`. */
async function writeCallerFiles(root, scratch, caller) {
  const { writeKeyFile } = await import(pathToFileURL(join(root, 'packages', 'ucan', 'dist', 'index.js')).href);
  const dir = join(scratch, 'caller');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const files = { key: join(dir, 'caller.key'), credential: join(dir, 'caller.jwt') };
  const written = await writeKeyFile(files.key, caller.key);
  if (!written.ok) throw new Error(written.error.message);
  await writeFile(files.credential, `${caller.credential()}\n`, { mode: 0o600 });
  return files;
}

export async function meshTour({ root, releaseDir, scratch, heading, cli }) {
  heading('The mesh: nats-server, a development realm, two instances of hecate-echo and a caller');
  let binary;
  try {
    // Installs Debian's package when it is missing and this runs as root on Debian.
    binary = natsServerBinary();
  } catch (error) {
    console.log(`skipping the mesh tour: ${error.message}`);
    return;
  }
  const nats = await startNats(binary);
  console.log(`nats-server listening at ${nats.url}`);
  const { startRealm } = await import(pathToFileURL(join(root, 'packages', 'realm', 'dist', 'index.js')).href);
  const realm = await startRealm({ dataDir: join(scratch, 'mesh-realm'), dev: true, port: 0, log: () => {} });
  if (!realm.ok) throw new Error(realm.error.message);
  console.log(`development realm ${realm.value.did} at ${realm.value.url}`);
  const env = { HECATE_MESH_URL: nats.url, HECATE_REALM_URL: realm.value.url, HECATE_REALM_DID: realm.value.did };
  const instances = await Promise.all(['echo-a', 'echo-b'].map((name) => startInstance(releaseDir, scratch, name, env)));
  const runtime = (path) => import(pathToFileURL(join(root, 'packages', 'runtime', 'dist', path)).href);
  const { createInvocationAuthorization, openMeshClient } = await runtime('index.js');
  const { createLogger } = await runtime('logger.js');
  const caller = await claimCallerIdentity(root, releaseDir, realm.value, runtime);
  console.log(`the caller ${caller.key.did} claimed a credential from the development realm (mesh/call on hecate://mesh/*)`);
  const log = createLogger({ level: 'warn', service: { name: 'demo-caller', version: '0.0.0' }, write: (line) => process.stdout.write(line) });
  const authorization = createInvocationAuthorization({ setting: 'on', identity: () => caller, log });
  const opened = await openMeshClient({ urls: [nats.url], authorization });
  if (!opened.ok) throw new Error(opened.message);
  try {
    heading(`hecate-om mesh ls --server ${nats.url}`);
    spawnSync(process.execPath, [cli, 'mesh', 'ls', '--server', nats.url], { stdio: 'inherit' });
    heading(`hecate-om mesh call echo.say '{"text":"hello mesh"}' (it carries no credential: refused as unauthorized)`);
    spawnSync(process.execPath, [cli, 'mesh', 'call', 'echo.say', '{"text":"hello mesh"}', '--server', nats.url], { stdio: 'inherit' });
    const files = await writeCallerFiles(root, scratch, caller);
    heading(`hecate-om mesh call echo.say '{"text":"hello mesh"}' --credential ${files.credential} --key ${files.key} --realm-did ${realm.value.did}`);
    const authorized = spawnSync(
      process.execPath,
      [cli, 'mesh', 'call', 'echo.say', '{"text":"hello mesh"}', '--server', nats.url, '--credential', files.credential, '--key', files.key, '--realm-did', realm.value.did],
      { stdio: 'inherit' },
    );
    if (authorized.status !== 0) throw new Error(`the authorized CLI call exited ${authorized.status}`);
    heading('Six idempotent calls from a caller with a credential, each an invocation the instance verifies: spread over both (the last 6 characters of each instance id)');
    await callRound(opened.client, 'before', 6);
    heading(`SIGKILL ${instances[0].name} (no withdrawal, no drain), then six more calls`);
    instances[0].child.kill('SIGKILL');
    await instances[0].exited;
    const after = await callRound(opened.client, 'after', 6);
    const failed = after.filter((answer) => answer.includes(':')).length;
    console.log(failed === 0 ? 'every call answered: the caller failed over to the instance still running' : `${failed} calls failed`);
    if (failed > 0) throw new Error('calls failed after one instance was killed');
  } finally {
    await opened.client.close();
    instances[1].child.kill('SIGTERM');
    const { code } = await instances[1].exited;
    console.log(`${instances[1].name} exited with code ${code} after SIGTERM (withdrawn first, then drained)`);
    await realm.value.close();
    nats.stop();
  }
}
