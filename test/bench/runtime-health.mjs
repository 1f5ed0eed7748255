// What the runtime's health endpoint costs (issue 3, "Speed"): a release's /health against a bare
// node:http server answering a constant body of the same size, both loaded at once; /health and
// /health/live while health() hangs; and the time from spawning node to a ready answer.
// Runs standalone (`node test/bench/runtime-health.mjs`) or from run.mjs.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildRuntimeFixture, removeRelease, runRelease } from '../runtime/fixture-release.mjs';
import { timeToAnswer } from './support/release-boot.mjs';
import { median, round } from './support/stats.mjs';
import { runWhenMain } from './support/report.mjs';

const loadgenScript = fileURLToPath(new URL('../runtime/loadgen.mjs', import.meta.url));
const bareServerDir = fileURLToPath(new URL('../fixtures/runtime-bare-server/', import.meta.url));
// The warm-up lets both servers' hot paths be compiled before anything is measured.
const THROUGHPUT = { warmup: 3_000, requests: 20_000, durationMs: 1_500, concurrency: 16 };
/** The machine is shared and the servers mostly wait on the load generator: many short rounds. */
const THROUGHPUT_ROUNDS = 9;
const HANG = { timeoutMs: 1000, durationMs: 3_000, requests: 50_000, concurrency: 8 };
const BOOT_ROUNDS = 7;


function loadgen(targets, { warmup = 0, requests, durationMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [loadgenScript, JSON.stringify({ warmup, requests, durationMs, targets })]);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`load generator exited ${code}`))));
  });
}

async function serve(dir, env) {
  const run = runRelease(dir, { HECATE_LOG_LEVEL: 'warn', ...env });
  const port = await run.port();
  return { port, cpuMs: () => cpuMsOf(run.child.pid), stop: () => run.kill('SIGKILL') && run.exited };
}

/** User plus system CPU time of a process from /proc (Linux), which other load does not inflate. */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * Loads the bare server and the runtime at the same time from one load generator, so that whatever
 * else the shared machine does hits both alike, swapping which goes first each round, and compares
 * them round by round. Server CPU time per request is measured too: other load does not inflate it.
 */
async function throughput(releaseDir) {
  const rounds = [];
  for (let index = 0; index < THROUGHPUT_ROUNDS; index += 1) {
    const [bare, runtime] = await Promise.all([serve(bareServerDir, {}), serve(releaseDir, {})]);
    const order = index % 2 === 0 ? [bare, runtime] : [runtime, bare];
    const targets = order.map((server) => ({ port: server.port, path: '/health', concurrency: THROUGHPUT.concurrency }));
    await loadgen(targets, { requests: THROUGHPUT.warmup, durationMs: THROUGHPUT.durationMs });
    const cpuBefore = [bare.cpuMs(), runtime.cpuMs()];
    const results = await loadgen(targets, { requests: THROUGHPUT.requests, durationMs: THROUGHPUT.durationMs });
    const cpuAfter = [bare.cpuMs(), runtime.cpuMs()];
    await Promise.all([bare.stop(), runtime.stop()]);
    for (const result of results)
      if (result.statuses[200] !== result.requests) throw new Error(`/health on ${result.port} answered ${JSON.stringify(result.statuses)}`);
    const [bareResult, runtimeResult] = index % 2 === 0 ? results : [...results].reverse();
    rounds.push({
      bare: { ...bareResult, cpuUsPerRequest: ((cpuAfter[0] - cpuBefore[0]) * 1000) / bareResult.requests },
      runtime: { ...runtimeResult, cpuUsPerRequest: ((cpuAfter[1] - cpuBefore[1]) * 1000) / runtimeResult.requests },
    });
  }
  const medianOf = (pick) => median(rounds.map(pick));
  const summary = (kind) => ({
    rps: medianOf((round) => round[kind].rps),
    p99: medianOf((round) => round[kind].p99),
    cpuUsPerRequest: medianOf((round) => round[kind].cpuUsPerRequest),
  });
  return {
    bare: summary('bare'),
    runtime: summary('runtime'),
    rpsRatio: medianOf((round) => round.runtime.rps / round.bare.rps),
    p99Ratio: medianOf((round) => round.runtime.p99 / round.bare.p99),
    cpuRatio: medianOf((round) => round.runtime.cpuUsPerRequest / round.bare.cpuUsPerRequest),
  };
}

async function hangingHealth(releaseDir) {
  const server = await serve(releaseDir, { FIXTURE_HEALTH: 'hang', HECATE_HEALTH_TIMEOUT_MS: String(HANG.timeoutMs) });
  const results = await loadgen(
    [
      { port: server.port, path: '/health', concurrency: HANG.concurrency },
      { port: server.port, path: '/health/live', concurrency: HANG.concurrency },
    ],
    HANG,
  );
  await server.stop();
  return Object.fromEntries(results.map((result) => [result.path, result]));
}

async function bootTime(releaseDir) {
  const pairs = [];
  for (let index = 0; index < BOOT_ROUNDS; index += 1) {
    const bare = await timeToAnswer(bareServerDir, '/');
    const runtime = await timeToAnswer(releaseDir, '/health/ready');
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
    const { rpsRatio, p99Ratio } = load;
    const liveRatio = hang['/health/live'].p99 / load.bare.p99;
    const bootRatio = boot.ratio;
    const rows = [
      { measure: `bare node:http /health rps (median of ${THROUGHPUT_ROUNDS} rounds)`, value: Math.round(load.bare.rps) },
      { measure: 'runtime /health rps (same rounds, loaded together)', value: Math.round(load.runtime.rps) },
      { measure: 'rps ratio runtime/bare (median per round)', value: round(rpsRatio), budget: '>= 0.85', ok: rpsRatio >= 0.85 },
      { measure: 'bare p99 ms', value: round(load.bare.p99) },
      { measure: 'runtime /health p99 ms', value: round(load.runtime.p99) },
      { measure: 'p99 ratio runtime/bare (median per round)', value: round(p99Ratio), budget: '<= 1.2', ok: p99Ratio <= 1.2 },
      { measure: 'server CPU µs per request, bare / runtime', value: `${round(load.bare.cpuUsPerRequest, 1)} / ${round(load.runtime.cpuUsPerRequest, 1)}` },
      { measure: 'CPU per request ratio runtime/bare (median per round)', value: round(load.cpuRatio) },
      {
        measure: `hanging health(): /health p99 ms (timeout ${HANG.timeoutMs})`,
        value: round(hang['/health'].p99),
        budget: `<= ${HANG.timeoutMs + 5}`,
        ok: hang['/health'].p99 <= HANG.timeoutMs + 5,
      },
      { measure: 'hanging health(): /health max ms', value: round(hang['/health'].max) },
      { measure: 'hanging health(): /health/live p99 ms', value: round(hang['/health/live'].p99) },
      { measure: 'live p99 (hanging) / bare p99', value: round(liveRatio), budget: '<= 1.2', ok: liveRatio <= 1.2 },
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

await runWhenMain(import.meta.url, runtimeHealthBenchmark);
