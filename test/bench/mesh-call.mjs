// What authorizing a mesh call costs (issue 12, "Speed"), all measured in one run against one
// nats-server on loopback, interleaved round by round, as p50 round-trip latency:
// - a bare NATS request/reply of the same JSON payload (a plain subscription answering it);
// - a mesh call with authorization on (a fresh invocation signed per call, verified by the
//   provider with its proof cache warm: one signature check) and with it off;
// - one Ed25519 sign plus one verify of an invocation-sized message (the floor of a signed,
//   verified call): the authorized call may add at most twice that to the bare p50, and the
//   unauthorized one cost at most 1.2 times the bare p50.
// Caller and provider share this process, as the bare requester and responder do; the CPU time
// this process spends per call is reported beside the latencies. The contenders take turns call by
// call, in an order rotating turn by turn, so that load elsewhere on a shared machine (bursts of
// it last milliseconds) lands on all of them alike; each ratio is the median of its rounds'.
// Runs standalone (`node test/bench/mesh-call.mjs`) or from run.mjs.
import { spawn } from 'node:child_process';
import { sign, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deriveManifest, deriveUcanRequest } from '@hecate-om/contract';
import { startRealm } from '@hecate-om/realm';
import { generateKeyPair } from '@hecate-om/ucan';
import { connect } from 'nats';
import { runWhenMain } from './support/report.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const runtime = (path) => import(pathToFileURL(join(repoRoot, 'packages/runtime/dist', path)).href);
const { createMeshParts } = await runtime('mesh/mesh-parts.js');
const { createInvocationAuthorization } = await runtime('mesh/invocation-authorization.js');
const { systemClock } = await runtime('health-monitor.js');
const { withMeshCalls } = await runtime('identity/identity-part.js');
const { claimCredential } = await runtime('identity/realm-client.js');
const { createLogger } = await runtime('logger.js');

const ROUNDS = 15;
/** Calls of each contender per round. */
const CALLS_PER_ROUND = 200;
const WARMUP_CALLS = 300;
const PAYLOAD = { order: 'A-1701', amount: 4200, currency: 'EUR', note: 'x'.repeat(64) };

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value, digits = 2) => Number(value.toFixed(digits));

/** nats-server on a free loopback port (the test harness's way, without its installer). */
function startNatsServer() {
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', '-1'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/usr/local/sbin` } });
  return new Promise((resolve, reject) => {
    let log = '';
    child.on('error', (error) => reject(new Error(`nats-server could not be spawned (apt-get install nats-server): ${error.message}`)));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const port = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log)?.[1];
      if (port !== undefined && /Server is ready/.test(log)) resolve({ url: `nats://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') });
    });
  });
}

function manifestOf(name, capability) {
  return deriveManifest(
    { info: { name, version: '1.0.0', description: 'mesh benchmark' }, capabilities: [{ name: capability, version: 1 }], identitySpec: { scope: 'bench', actions: ['run'], resources: ['bench/*'], ttlDays: 1 } },
    { imageRepository: 'registry.example.com/bench', license: 'Apache-2.0', runtimeVersion: '0.1.0' },
  );
}

const quiet = (manifest) => createLogger({ level: 'silent', service: manifest, write: () => {} });

/** A service's mesh parts, started as the runtime starts them, serving its capabilities with an echo. */
async function meshPart(url, manifest, setting, identity) {
  const log = quiet(manifest);
  const parts = createMeshParts({
    urls: [url],
    manifest,
    log,
    identity: () => ({ did: identity?.key.did ?? '', realm: identity?.realmDid ?? '' }),
    readiness: async () => ({ ready: true }),
    authorization: createInvocationAuthorization({ setting, identity: identity === undefined ? undefined : () => identity, log }),
    clock: systemClock,
    random: Math.random,
  });
  for (const { name } of manifest.capabilities) parts.mesh.serve(name, (payload) => payload);
  await parts.connection.start();
  await parts.advertisement.start();
  parts.advertisement.ready();
  await parts.connected();
  return {
    mesh: parts.mesh,
    stop: async () => {
      await parts.advertisement.withdraw();
      await parts.connection.stop();
    },
  };
}

async function until(read) {
  for (let waited = 0; waited < 15_000; waited += 20) {
    if (read()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the providers did not appear in the callers\' views within 15 s');
}

/**
 * One round: `count` turns, each calling every contender once, the order rotating by one each
 * turn. Returns, by contender, the microseconds of each call and the CPU microseconds of them all.
 */
async function interleavedRound(contenders, count) {
  const names = Object.keys(contenders);
  const micros = Object.fromEntries(names.map((name) => [name, []]));
  const cpu = Object.fromEntries(names.map((name) => [name, 0]));
  for (let turn = 0; turn < count; turn += 1)
    for (let offset = 0; offset < names.length; offset += 1) {
      const name = names[(turn + offset) % names.length];
      const before = process.cpuUsage();
      const started = process.hrtime.bigint();
      await contenders[name]();
      micros[name].push(Number(process.hrtime.bigint() - started) / 1000);
      const used = process.cpuUsage(before);
      cpu[name] += used.user + used.system;
    }
  return { micros, cpu };
}

export default async function meshCallBenchmark() {
  const nats = await startNatsServer();
  const dataDir = await mkdtemp(join(tmpdir(), 'hecate-bench-mesh-'));
  const callerKey = generateKeyPair();
  const providerKey = generateKeyPair();
  const callerManifest = manifestOf('bench-caller', 'bench.unused');
  const providerManifest = manifestOf('bench-provider', 'bench.echo');
  const openManifest = manifestOf('bench-open', 'bench.open');
  const policy = {
    name: 'bench',
    services: {
      'bench-caller': { grants: { 'hecate://bench/*': ['bench/run'] }, mesh: ['bench.echo'], maxLifetimeSeconds: 3600, enroll: { dids: [callerKey.did] } },
    },
  };
  const started = await startRealm({ dataDir, policy, port: 0, log: () => {} });
  if (!started.ok) throw new Error(started.error.message);
  const realm = started.value;
  const parts = [];
  const nc = await connect({ servers: nats.url });
  try {
    const claimed = await claimCredential({ realmUrl: realm.url, realmDid: realm.did, keyPair: callerKey, request: withMeshCalls(deriveUcanRequest(callerManifest)), joinToken: undefined, now: Math.floor(Date.now() / 1000) });
    if (!claimed.ok) throw new Error(claimed.message);
    const identity = (key, credential) => ({ key, realmDid: realm.did, credential: () => credential, revoked: () => new Set() });
    parts.push(await meshPart(nats.url, providerManifest, 'on', identity(providerKey, undefined)));
    parts.push(await meshPart(nats.url, openManifest, 'off', undefined));
    const authorized = await meshPart(nats.url, callerManifest, 'on', identity(callerKey, claimed.value.credential));
    const open = await meshPart(nats.url, manifestOf('bench-open-caller', 'bench.unused2'), 'off', undefined);
    parts.push(authorized, open);
    await until(() => authorized.mesh.lookup('bench.echo').length === 1 && open.mesh.lookup('bench.open').length === 1);
    nc.subscribe('bench.bare', { callback: (error, msg) => error === null && msg.respond(msg.data) });
    const body = new TextEncoder().encode(JSON.stringify(PAYLOAD));
    const expectOk = (result) => {
      if (!result.ok) throw new Error(`the call failed: ${JSON.stringify(result.error)}`);
    };
    const message = Buffer.alloc(600, 7);
    const signer = generateKeyPair();
    const contenders = {
      bare: () => nc.request('bench.bare', body, { timeout: 5000 }),
      on: async () => expectOk(await authorized.mesh.call('bench.echo', PAYLOAD)),
      off: async () => expectOk(await open.mesh.call('bench.open', PAYLOAD)),
      signVerify: async () => {
        if (!verify(null, message, signer.publicKey, sign(null, message, signer.privateKey))) throw new Error('Ed25519 failed');
      },
    };
    await interleavedRound(contenders, WARMUP_CALLS);
    const names = Object.keys(contenders);
    const rounds = [];
    const cpu = {};
    for (let index = 0; index < ROUNDS; index += 1) {
      const measured = await interleavedRound(contenders, CALLS_PER_ROUND);
      rounds.push(Object.fromEntries(names.map((name) => [name, median(measured.micros[name])])));
      for (const name of names) (cpu[name] ??= []).push(measured.cpu[name] / CALLS_PER_ROUND);
    }
    const of = (name) => median(rounds.map((p50) => p50[name]));
    const addedRatios = rounds.map((p50) => (p50.on - p50.bare) / p50.signVerify);
    const offRatios = rounds.map((p50) => p50.off / p50.bare);
    const addedRatio = median(addedRatios);
    const offRatio = median(offRatios);
    /** The lowest and highest of the rounds: how far one round may stray on this machine now. */
    const spread = (values) => `${round(Math.min(...values))}-${round(Math.max(...values))}`;
    const rows = [
      { measure: `bare NATS request/reply p50 µs (median of ${ROUNDS} rounds of ${CALLS_PER_ROUND})`, value: round(of('bare'), 1) },
      { measure: 'mesh call, authorization on (proof cache warm) p50 µs', value: round(of('on'), 1) },
      { measure: 'mesh call, authorization off p50 µs', value: round(of('off'), 1) },
      { measure: 'one Ed25519 sign + verify (600 bytes) µs', value: round(of('signVerify'), 1) },
      { measure: 'added by authorization / (sign + verify) (median per round)', value: round(addedRatio), spread: spread(addedRatios), budget: '<= 2', ok: addedRatio <= 2 },
      { measure: 'authorization off / bare (median per round)', value: round(offRatio), spread: spread(offRatios), budget: '<= 1.2', ok: offRatio <= 1.2 },
      ...names.map((name) => ({ measure: `CPU µs of this process per ${name === 'signVerify' ? 'sign + verify' : `${name} call`} (caller and provider)`, value: round(median(cpu[name]), 1) })),
    ];
    return { title: 'Mesh calls against a bare NATS request/reply (same server, same run)', rows };
  } finally {
    await nc.close();
    for (const part of parts) await part.stop();
    await realm.close();
    nats.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await meshCallBenchmark();
  console.log(result.title);
  console.table(result.rows);
  if (result.rows.some((row) => row.ok === false)) process.exitCode = 1;
}

await runWhenMain(import.meta.url, meshCallBenchmark);
