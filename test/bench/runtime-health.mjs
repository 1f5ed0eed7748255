// What the runtime's health endpoint costs (issue 3, "Speed"): a release's /health against a bare
// node:http server answering a constant body of the same size, measured in one run; /health and
// /health/live while health() hangs; and the time from spawning node to a ready answer.
// Runs standalone (`node test/bench/runtime-health.mjs`) or from run.mjs.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildRuntimeFixture, removeRelease, runRelease } from '../runtime/fixture-release.mjs';

const loadgenScript = fileURLToPath(new URL('../runtime/loadgen.mjs', import.meta.url));
const bareServerDir = fileURLToPath(new URL('../fixtures/runtime-bare-server/', import.meta.url));
const THROUGHPUT = { warmup: 1_000, requests: 10_000, durationMs: 2_000, concurrency: 16 };
/** The machine is shared: many short paired rounds, compared pair by pair, resist its noise. */
const THROUGHPUT_ROUNDS = 7;
const HANG = { timeoutMs: 1000, durationMs: 3_000, requests: 50_000, concurrency: 8 };
const BOOT_ROUNDS = 7;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value, digits = 2) => Number(value.toFixed(digits));

function loadgen(port, targets, { warmup = 0, requests, durationMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [loadgenScript, JSON.stringify({ port, warmup, requests, durationMs, targets })]);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`load generator exited ${code}`))));
  });
}

async function serve(dir, env) {
  const run = runRelease(dir, { HECATE_LOG_LEVEL: 'warn', ...env });
  const port = await run.port();
  return { port, stop: () => run.kill('SIGKILL') && run.exited };
}

async function measureThroughput(kind, dir) {
  const server = await serve(dir, {});
  const [result] = await loadgen(server.port, [{ path: '/health', concurrency: THROUGHPUT.concurrency }], THROUGHPUT);
  await server.stop();
  if (result.statuses[200] !== result.requests) throw new Error(`${kind} /health answered ${JSON.stringify(result.statuses)}`);
  return result;
}

/**
 * Runs bare and runtime back to back in each round, alternating which goes first. Other work on a
 * shared machine only ever slows a round down, so the budgets compare the best round of each (as
 * timeit does); the medians are printed beside them.
 */
async function throughput(releaseDir) {
  const rounds = { bare: [], runtime: [] };
  for (let index = 0; index < THROUGHPUT_ROUNDS; index += 1) {
    const order = index % 2 === 0 ? ['bare', 'runtime'] : ['runtime', 'bare'];
    for (const kind of order) rounds[kind].push(await measureThroughput(kind, kind === 'bare' ? bareServerDir : releaseDir));
  }
  const summary = (results) => ({
    bestRps: Math.max(...results.map((result) => result.rps)),
    medianRps: median(results.map((result) => result.rps)),
    bestP99: Math.min(...results.map((result) => result.p99)),
    medianP99: median(results.map((result) => result.p99)),
  });
  return { bare: summary(rounds.bare), runtime: summary(rounds.runtime) };
}

async function hangingHealth(releaseDir) {
  const server = await serve(releaseDir, { FIXTURE_HEALTH: 'hang', HECATE_HEALTH_TIMEOUT_MS: String(HANG.timeoutMs) });
  const results = await loadgen(
    server.port,
    [
      { path: '/health', concurrency: HANG.concurrency },
      { path: '/health/live', concurrency: HANG.concurrency },
    ],
    HANG,
  );
  await server.stop();
  return Object.fromEntries(results.map((result) => [result.path, result]));
}

function unusedPort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function answersWith(port, path) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Milliseconds from spawning `node main.js` until `path` answers 200. */
async function timeToAnswer(dir, path, env) {
  const port = await unusedPort();
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['main.js'], { cwd: dir, stdio: 'ignore', env: { PATH: process.env.PATH, HECATE_HEALTH_PORT: String(port), ...env } });
  while ((await answersWith(port, path)) !== 200) await new Promise((resolve) => setTimeout(resolve, 1));
  const elapsed = performance.now() - startedAt;
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('close', resolve));
  return elapsed;
}

async function bootTime(releaseDir) {
  const pairs = [];
  for (let index = 0; index < BOOT_ROUNDS; index += 1) {
    const bare = await timeToAnswer(bareServerDir, '/', {});
    const runtime = await timeToAnswer(releaseDir, '/health/ready', {});
    pairs.push({ bare, runtime });
  }
  return {
    bare: median(pairs.map((pair) => pair.bare)),
    runtime: median(pairs.map((pair) => pair.runtime)),
    ratio: median(pairs.map((pair) => pair.runtime / pair.bare)),
  };
}

export default async function runtimeHealthBenchmark() {
  const release = await buildRuntimeFixture();
  try {
    const load = await throughput(release.dir);
    const hang = await hangingHealth(release.dir);
    const boot = await bootTime(release.dir);
    const rpsRatio = load.runtime.bestRps / load.bare.bestRps;
    const p99Ratio = load.runtime.bestP99 / load.bare.bestP99;
    const liveRatio = hang['/health/live'].p99 / load.bare.medianP99;
    const bootRatio = boot.ratio;
    const rows = [
      { measure: `bare node:http rps (best of ${THROUGHPUT_ROUNDS} / median)`, value: `${Math.round(load.bare.bestRps)} / ${Math.round(load.bare.medianRps)}` },
      { measure: 'runtime /health rps (best / median)', value: `${Math.round(load.runtime.bestRps)} / ${Math.round(load.runtime.medianRps)}` },
      { measure: 'rps ratio runtime/bare (best)', value: round(rpsRatio), budget: '>= 0.85', ok: rpsRatio >= 0.85 },
      { measure: 'rps ratio runtime/bare (median)', value: round(load.runtime.medianRps / load.bare.medianRps) },
      { measure: 'bare p99 ms (best / median)', value: `${round(load.bare.bestP99)} / ${round(load.bare.medianP99)}` },
      { measure: 'runtime /health p99 ms (best / median)', value: `${round(load.runtime.bestP99)} / ${round(load.runtime.medianP99)}` },
      { measure: 'p99 ratio runtime/bare (best)', value: round(p99Ratio), budget: '<= 1.2', ok: p99Ratio <= 1.2 },
      { measure: 'p99 ratio runtime/bare (median)', value: round(load.runtime.medianP99 / load.bare.medianP99) },
      {
        measure: `hanging health(): /health p99 ms (timeout ${HANG.timeoutMs})`,
        value: round(hang['/health'].p99),
        budget: `<= ${HANG.timeoutMs + 5}`,
        ok: hang['/health'].p99 <= HANG.timeoutMs + 5,
      },
      { measure: 'hanging health(): /health max ms', value: round(hang['/health'].max) },
      { measure: 'hanging health(): /health/live p99 ms', value: round(hang['/health/live'].p99) },
      { measure: 'live p99 (hanging) / bare median p99', value: round(liveRatio), budget: '<= 1.2', ok: liveRatio <= 1.2 },
      { measure: 'bare: spawn to first answer ms (median)', value: round(boot.bare, 1) },
      { measure: 'runtime: spawn to /health/ready 200 ms (median)', value: round(boot.runtime, 1) },
      { measure: 'boot ratio runtime/bare (median of pairs)', value: round(bootRatio), budget: '<= 1.5', ok: bootRatio <= 1.5 },
    ];
    return { title: 'runtime health endpoint against bare node:http (same run)', rows };
  } finally {
    await removeRelease(release.dir);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runtimeHealthBenchmark();
  console.log(result.title);
  console.table(result.rows);
  if (result.rows.some((row) => row.ok === false)) process.exitCode = 1;
}
