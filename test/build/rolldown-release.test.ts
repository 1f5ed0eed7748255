import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rolldown } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hecateOm from '@hecate-om/unplugin';
import { TempDirs, fixturesDir, releaseArtifacts, sortedEntries } from './support/builds.js';

const root = join(fixturesDir, 'build-js-service');

describe('a JavaScript service built through hecateOm.rolldown() from the main entry', () => {
  const temp = new TempDirs();
  let outdir: string;

  beforeAll(async () => {
    outdir = await temp.make('rolldown-main-entry');
    const bundle = await rolldown({ cwd: root, platform: 'node', logLevel: 'silent', plugins: [hecateOm.rolldown({ service: 'src/service.js', cacheDir: join(outdir, '.cache') })] });
    await bundle.write({ dir: outdir });
    await bundle.close();
  });
  afterAll(() => temp.removeAll());

  it('sets the entry, writes main.js with its map and emits every artifact', async () => {
    expect(await sortedEntries(outdir)).toEqual(['.cache', ...releaseArtifacts({ name: 'js-service', version: '2.1.0' })].sort());
    expect(await readFile(join(outdir, 'main.js'), 'utf8')).toMatch(/boot\(typeof JsService === "function" \? JsService : JsService\?\.default, \{ manifest: manifest_default \}\);/);
  });
});
