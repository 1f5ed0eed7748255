// What running a release with source maps on costs at boot (issue 8, "Source maps at run time"):
// the Containerfile runs `node --enable-source-maps main.js`, and Node then reads main.js.map when
// it loads main.js. Measured on test/fixtures/release-dependencies (a 1.5 MB bundle, 2.4 MB map),
// time from spawn to /health/ready answering 200, with and without the flag, interleaved.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { x as extractTar } from 'tar';
import hecateOm from '@hecate-om/unplugin/esbuild';
import { timeToAnswer } from './support/release-boot.mjs';
import { median } from './support/stats.mjs';
import { runWhenMain } from './support/report.mjs';

const root = fileURLToPath(new URL('../fixtures/release-dependencies/', import.meta.url));
const ROUNDS = 10;

export default async function releaseSourceMaps() {
  const dir = await mkdtemp(join(tmpdir(), 'hecate-bench-maps-'));
  const loadBefore = loadavg()[0];
  try {
    const outdir = join(dir, 'dist');
    await build({ absWorkingDir: root, outdir, logLevel: 'error', loader: { '.txt': 'file' }, plugins: [hecateOm({ files: ['sql/*.sql'], cacheDir: join(dir, 'cache') })] });
    const manifest = JSON.parse(await readFile(join(outdir, 'manifest.json'), 'utf8'));
    await extractTar({ file: join(outdir, `${manifest.name}-${manifest.version}.tar.gz`), cwd: dir });
    const release = join(dir, `${manifest.name}-${manifest.version}`);
    const bootToReady = (flags) => timeToAnswer(release, '/health/ready', { flags });
    await bootToReady([]);
    const without = [];
    const withMaps = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? [without, withMaps] : [withMaps, without];
      for (const runs of order) runs.push(await bootToReady(runs === withMaps ? ['--enable-source-maps'] : []));
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

await runWhenMain(import.meta.url, releaseSourceMaps);
