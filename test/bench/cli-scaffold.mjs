// How long `hecate-om scaffold` takes, against `node -e 0` in the same run, and how long a new
// user waits from scaffold to a tested build: scaffold + pnpm install (our packages from
// `pnpm pack` tarballs, the rest from the registry through pnpm's store) + build + test.
import { execFile, spawnSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { runWhenMain } from './support/report.mjs';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliBin = join(repoRoot, 'packages', 'cli', 'bin', 'run.js');
const pnpm = join(repoRoot, 'node_modules', '.bin', 'pnpm');
const ROUNDS = 10;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value, digits = 0) => Number(value.toFixed(digits));

function timedSync(args, cwd) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return ms;
}

async function timed(command, args, cwd) {
  const start = process.hrtime.bigint();
  await run(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const scaffoldArgs = (name) => [cliBin, 'scaffold', '--name', name, '--description', 'Measures the scaffold', '--org', 'acme', '--registry', 'registry.example.com'];

/** Baseline and scaffold interleaved, so that a busy machine slows both alike. */
function scaffoldTimes(work) {
  const baseline = [];
  const scaffold = [];
  for (let round = 0; round < ROUNDS; round++) {
    baseline.push(timedSync(['-e', '0'], work));
    scaffold.push(timedSync(scaffoldArgs(`bench-${round}`), work));
  }
  return { baseline: median(baseline), scaffold: median(scaffold) };
}

async function endToEnd(work) {
  const tarballs = join(work, 'tarballs');
  await mkdir(tarballs);
  // ucan comes with the runtime; the overrides must reach transitive references too.
  const ours = ['contract', 'runtime', 'ucan', 'unplugin'];
  for (const name of ours)
    await run(pnpm, ['pack', '--pack-destination', tarballs], { cwd: join(repoRoot, 'packages', name) });
  const files = await readdir(tarballs);
  const overrides = ours.map(
    (name) => `  '@hecate-om/${name}': 'file:${join(tarballs, files.find((file) => file.startsWith(`hecate-om-${name}-`)))}'`,
  );
  const service = join(work, 'bench-e2e');
  const steps = {};
  steps.scaffold = await timed(process.execPath, scaffoldArgs('bench-e2e'), work);
  await appendFile(join(service, 'pnpm-workspace.yaml'), ['overrides:', ...overrides, ''].join('\n'));
  steps.install = await timed(pnpm, ['install', '--reporter=silent'], service);
  steps.build = await timed(pnpm, ['run', 'build'], service);
  steps.test = await timed(pnpm, ['test'], service);
  return steps;
}

export default async function cliScaffoldBenchmark() {
  const work = await mkdtemp(join(tmpdir(), 'hecate-bench-cli-'));
  try {
    console.log(`measuring hecate-om scaffold and node -e 0, ${ROUNDS} rounds each ...`);
    const { baseline, scaffold } = scaffoldTimes(work);
    console.log('measuring scaffold + install + build + test of one service ...');
    const steps = await endToEnd(work);
    const total = steps.scaffold + steps.install + steps.build + steps.test;
    return {
      title: 'hecate-om scaffold, and a scaffolded service from nothing to a tested build (same run)',
      rows: [
        { measure: 'node -e 0 ms (median)', value: round(baseline) },
        { measure: 'hecate-om scaffold ms (median)', value: round(scaffold) },
        { measure: 'scaffold / node -e 0', value: round(scaffold / baseline, 2) },
        { measure: 'end to end: scaffold ms', value: round(steps.scaffold) },
        { measure: 'end to end: pnpm install ms (pnpm store as this machine has it)', value: round(steps.install) },
        { measure: 'end to end: pnpm run build ms', value: round(steps.build) },
        { measure: 'end to end: pnpm test ms', value: round(steps.test) },
        { measure: 'end to end: total ms', value: round(total) },
      ],
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await cliScaffoldBenchmark();
  console.log(result.title);
  console.table(result.rows);
}

await runWhenMain(import.meta.url, cliScaffoldBenchmark);
