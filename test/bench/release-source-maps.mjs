// What running a release with source maps on costs at boot (issue 8, "Source maps at run time"):
// the Containerfile runs `node --enable-source-maps main.js`, and Node then reads main.js.map when
// it loads main.js. Measured on test/fixtures/release-dependencies (a 1.5 MB bundle, 2.4 MB map),
// time from spawn to /health/ready answering 200, with and without the flag, interleaved.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { x as extractTar } from 'tar';
import hecateOm from '@hecate-om/unplugin/esbuild';

const root = fileURLToPath(new URL('../fixtures/release-dependencies/', import.meta.url));
const ROUNDS = 10;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function status(port, path) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Milliseconds from spawning the release to /health/ready answering 200. */
async function bootToReady(dir, flags) {
  const started = performance.now();
  const child = spawn(process.execPath, [...flags, 'main.js'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HECATE_HEALTH_PORT: '0', HECATE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const port = await new Promise((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
      for (const line of output.split('\n')) {
        try {
          const event = JSON.parse(line);
          if (typeof event.port === 'number' && /listening/.test(event.message ?? '')) resolve(event.port);
        } catch {
          // a line still being written, or one that is not JSON
        }
      }
    });
    void exited.then(() => reject(new Error(`the release exited before it listened: ${output}`)));
  });
  while ((await status(port, '/health/ready')) !== 200) await new Promise((resolve) => setTimeout(resolve, 2));
  const elapsed = performance.now() - started;
  child.kill('SIGTERM');
  await exited;
  return elapsed;
}

export default async function releaseSourceMaps() {
  const dir = await mkdtemp(join(tmpdir(), 'hecate-bench-maps-'));
  const loadBefore = loadavg()[0];
  try {
    const outdir = join(dir, 'dist');
    await build({ absWorkingDir: root, outdir, logLevel: 'error', loader: { '.txt': 'file' }, plugins: [hecateOm({ files: ['sql/*.sql'], cacheDir: join(dir, 'cache') })] });
    const manifest = JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8'));
    await extractTar({ file: join(outdir, `${manifest.name}-${manifest.version}.tar.gz`), cwd: dir });
    const release = join(dir, `${manifest.name}-${manifest.version}`);
    await bootToReady(release, []);
    const without = [];
    const withMaps = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? [without, withMaps] : [withMaps, without];
      for (const runs of order) runs.push(await bootToReady(release, runs === withMaps ? ['--enable-source-maps'] : []));
    }
    const differences = without.map((time, round) => withMaps[round] - time);
    return {
      title: [
        `boot to /health/ready of the release of test/fixtures/release-dependencies, medians of ${ROUNDS} interleaved rounds`,
        `load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (on a busy machine every figure is noisier)`,
      ].join('\n'),
      rows: [
        { measure: 'node main.js (ms)', value: Number(median(without).toFixed(1)) },
        { measure: 'node --enable-source-maps main.js (ms)', value: Number(median(withMaps).toFixed(1)) },
        { measure: 'source maps cost at boot (ms)', value: Number(median(differences).toFixed(1)) },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
