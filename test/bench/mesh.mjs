// What the mesh costs (issue 12, "Speed"), measured in one run on a real nats-server: lookup with
// 1,000 advertised capabilities; a call through the mesh (authorization off) against a bare NATS
// request/reply of the same payload on the same server; and, with providers in processes of their
// own, how long after a SIGKILL calls stop being routed to the dead instance (a call sent before
// the server has seen the connection close times out, once), and after a SIGSTOP how long until
// calls stop waiting on the hung one. Runs standalone (`node test/bench/mesh.mjs`)
// or from run.mjs. The authorized call's cost is measured where authorization is built.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connect } from 'nats';
import { natsServerBinary } from '../../scripts/nats-server-binary.mjs';
import { manifestOf, meshParts, providerView, timings } from './mesh/parts.mjs';
import { freePort } from '../../scripts/free-port.mjs';
import { runWhenMain } from './support/report.mjs';

const providerScript = fileURLToPath(new URL('./mesh/provider.mjs', import.meta.url));
const LOOKUP = { instances: 200, capabilitiesEach: 10, capabilities: 1000, warmup: 20_000, samples: 200_000 };
const CALLS = { warmup: 500, rounds: 5, perRound: 400, payload: { text: 'x'.repeat(256) } };
const PER_ATTEMPT_TIMEOUT_MS = 500;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const round = (value, digits = 2) => Number(value.toFixed(digits));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));


async function startNats() {
  const port = await freePort();
  const child = spawn(natsServerBinary(), ['-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`nats-server exited with ${code}: ${log}`)));
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      log += chunk;
      if (/Server is ready/.test(log)) resolve();
    });
  });
  return { url: `nats://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

async function until(done, what, deadlineMs = 20_000) {
  for (const giveUpAt = Date.now() + deadlineMs; !done(); await sleep(20)) if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
}

/** lookup() is a map read: its p50 and p99 over many single calls, each timed on its own. */
async function lookupLatency() {
  const { ProviderView } = await providerView();
  const view = new ProviderView();
  for (let instance = 0; instance < LOOKUP.instances; instance++)
    view.upsert({
      type: 'io.nats.micro.v1.info_response',
      name: `svc${instance}`,
      id: `I${instance}`,
      version: '1.0.0',
      description: '',
      metadata: {},
      endpoints: Array.from({ length: LOOKUP.capabilitiesEach }, (_, index) => {
        const capability = `bench.c${(instance * LOOKUP.capabilitiesEach + index) % LOOKUP.capabilities}`;
        return { name: 'e', subject: `hecate.mesh.${capability}.v1.I${instance}`, metadata: { 'hecate.capability': capability, 'hecate.capability_version': '1', 'hecate.addressing': 'instance' } };
      }),
    });
  let found = 0;
  for (let index = 0; index < LOOKUP.warmup; index++) found += view.lookup(`bench.c${index % LOOKUP.capabilities}`).length;
  const samples = new Float64Array(LOOKUP.samples);
  for (let index = 0; index < LOOKUP.samples; index++) {
    const name = `bench.c${index % LOOKUP.capabilities}`;
    const started = process.hrtime.bigint();
    found += view.lookup(name).length;
    samples[index] = Number(process.hrtime.bigint() - started) / 1000;
  }
  samples.sort();
  if (found === 0) throw new Error('lookup found nothing');
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

/** p50 of a bare request/reply and of mesh.call() with the same payload, interleaved by round. */
async function callOverhead(url) {
  const bare = await connect({ servers: url });
  bare.subscribe('bench.bare', { callback: (_error, msg) => msg.respond(msg.data) });
  const provider = await meshParts(url, manifestOf('bench-provider'));
  provider.mesh.serve('echo.say', (payload) => payload);
  const caller = await meshParts(url, manifestOf('bench-caller', []));
  for (const parts of [provider, caller]) {
    await parts.connection.start();
    await parts.advertisement.start();
    parts.advertisement.ready();
    await parts.connected();
  }
  await until(() => caller.mesh.lookup('echo.say').length === 1, 'the provider in the view');
  const body = new TextEncoder().encode(JSON.stringify(CALLS.payload));
  const bareOnce = () => bare.request('bench.bare', body, { timeout: 5000 });
  const meshOnce = async () => {
    const result = await caller.mesh.call('echo.say', CALLS.payload);
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  };
  for (let index = 0; index < CALLS.warmup; index++) await Promise.all([bareOnce(), meshOnce()]);
  const times = { bare: [], mesh: [] };
  for (let roundIndex = 0; roundIndex < CALLS.rounds; roundIndex++)
    for (const [name, once] of roundIndex % 2 === 0 ? [['bare', bareOnce], ['mesh', meshOnce]] : [['mesh', meshOnce], ['bare', bareOnce]])
      for (let index = 0; index < CALLS.perRound; index++) {
        const started = performance.now();
        await once();
        times[name].push(performance.now() - started);
      }
  for (const parts of [provider, caller]) {
    await parts.advertisement.withdraw();
    await parts.connection.stop();
  }
  await bare.close();
  const p50 = (values) => percentile([...values].sort((a, b) => a - b), 0.5);
  return { bare: p50(times.bare), mesh: p50(times.mesh) };
}

function spawnProvider(url) {
  const child = spawn(process.execPath, [providerScript, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  const advertised = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`a provider exited with ${code}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n').find((text) => text.includes('mesh: advertised'));
      if (line !== undefined) resolve(JSON.parse(line).instance);
    });
  });
  return { child, advertised };
}

/** Calls go on from one caller while a provider is SIGKILLed, then another SIGSTOPped. */
async function failureTimes(url) {
  const { MESH_LEAVE_WITHIN_MS } = await timings();
  const providers = [spawnProvider(url), spawnProvider(url), spawnProvider(url)];
  const instances = await Promise.all(providers.map((provider) => provider.advertised));
  const caller = await meshParts(url, manifestOf('bench-caller', []));
  await caller.connection.start();
  await caller.connected();
  await until(() => caller.mesh.lookup('echo.say').length === 3, 'three providers in the view');
  let calling = true;
  let failures = 0;
  const loop = (async () => {
    while (calling) {
      const result = await caller.mesh.call('echo.say', { at: Date.now() }, { idempotent: true, timeout: PER_ATTEMPT_TIMEOUT_MS });
      if (!result.ok) failures++;
    }
  })();
  const healthOf = (instance) => caller.mesh.lookup('echo.say').find((provider) => provider.instance === instance)?.health;
  try {
    await sleep(300);
    let started = performance.now();
    providers[0].child.kill('SIGKILL');
    // Suspect or gone: either way no call is routed to it while another provider answers.
    await until(() => healthOf(instances[0]) !== 'ok', 'the killed provider to be suspect or gone');
    const killedMs = performance.now() - started;
    started = performance.now();
    providers[1].child.kill('SIGSTOP');
    await until(() => healthOf(instances[1]) !== 'ok', 'the hung provider to be suspect');
    const stoppedMs = performance.now() - started;
    await until(() => healthOf(instances[1]) === undefined, 'the hung provider to leave the view', MESH_LEAVE_WITHIN_MS + 5000);
    const hungLeftMs = performance.now() - started;
    return { killedMs, stoppedMs, hungLeftMs, failures, leaveWithinMs: MESH_LEAVE_WITHIN_MS };
  } finally {
    calling = false;
    await loop;
    providers[1].child.kill('SIGCONT');
    for (const provider of providers) provider.child.kill('SIGKILL');
    await caller.connection.stop();
  }
}

export default async function meshBench() {
  const lookup = await lookupLatency();
  const nats = await startNats();
  try {
    const calls = await callOverhead(nats.url);
    const failure = await failureTimes(nats.url);
    const ratio = calls.mesh / calls.bare;
    return {
      title: `mesh on nats-server (${CALLS.payload.text.length + 11}-byte payload; authorization off; providers in-process for the call, in child processes for the failures)`,
      rows: [
        { measure: `lookup p50, ${LOOKUP.capabilities} capabilities (µs)`, value: round(lookup.p50, 3) },
        { measure: `lookup p99, ${LOOKUP.capabilities} capabilities (µs)`, value: round(lookup.p99, 3), budget: 50, ok: lookup.p99 < 50 },
        { measure: 'bare NATS request p50 (ms)', value: round(calls.bare, 3) },
        { measure: 'mesh.call p50 (ms)', value: round(calls.mesh, 3) },
        { measure: 'mesh.call / bare request, p50', value: round(ratio), budget: 1.2, ok: ratio <= 1.2 },
        { measure: 'SIGKILL: until no call is routed to it (ms)', value: Math.round(failure.killedMs), budget: 1000, ok: failure.killedMs < 1000 },
        { measure: 'SIGSTOP: until calls stop waiting on it (ms)', value: Math.round(failure.stoppedMs), budget: PER_ATTEMPT_TIMEOUT_MS * 2, ok: failure.stoppedMs < PER_ATTEMPT_TIMEOUT_MS * 2 },
        { measure: 'SIGSTOP: until it leaves the view (ms)', value: Math.round(failure.hungLeftMs), budget: failure.leaveWithinMs, ok: failure.hungLeftMs <= failure.leaveWithinMs + 500 },
        { measure: 'idempotent calls that failed meanwhile', value: failure.failures, budget: 0, ok: failure.failures === 0 },
      ],
    };
  } finally {
    nats.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await meshBench();
  console.log(result.title);
  console.table(result.rows);
}

await runWhenMain(import.meta.url, meshBench);
