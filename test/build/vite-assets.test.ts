import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InlineConfig } from 'vite';
import { build as vite8 } from 'vite';
import { build as vite6 } from 'vite6';
import { afterAll, describe, expect, it } from 'vitest';
import hecateOm from '@hecate-om/unplugin/vite';
import { runRelease } from '../runtime/fixture-release.mjs';
import { TempDirs, copyOfProject, fixturesDir, unpackTarball } from './support/builds.js';

const BANNER = 'Welcome from an imported asset';

/**
 * The release-service fixture with a start() that reads a file it imports the vite way
 * (`import url from './banner.txt?url'`), as a user would read it: `new URL(url, import.meta.url)`.
 */
async function projectImportingAnAsset(): Promise<string> {
  const root = await copyOfProject(join(fixturesDir, 'release-service'));
  await writeFile(join(root, 'src', 'banner.txt'), `${BANNER}\n`);
  const service = join(root, 'src', 'service.ts');
  const source = await readFile(service, 'utf8');
  const reading = "opts.log.info('banner', { banner: readFileSync(new URL(bannerUrl, import.meta.url), 'utf8').trim() });\n    ";
  await writeFile(service, `import { readFileSync } from 'node:fs';\nimport bannerUrl from './banner.txt?url';\n${source.replace("opts.log.info('release service ready'", `${reading}opts.log.info('release service ready'`)}`);
  return root;
}

/** `vite build` sets NODE_ENV to production where it is unset, as vitest does not (see releases/vite.test.ts). */
async function buildAsUsersDo(build: (config: InlineConfig) => Promise<unknown>, config: InlineConfig): Promise<void> {
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build(config);
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
}

// vite renders an asset's URL from `base` (`/assets/banner-x.txt`, a path from the file system's root
// to a service) and inlines a small one as a data: URL: neither reads from the release.
describe.each([
  ['vite 6 (rollup)', vite6 as unknown as typeof vite8],
  ['vite 8 (rolldown)', vite8],
])('an asset the service imports with ?url under %s', (_title, build) => {
  const temp = new TempDirs();
  const projects: string[] = [];
  afterAll(() => Promise.all([temp.removeAll(), ...projects.map((dir) => rm(dir, { recursive: true, force: true }))]));

  it('is read from the release unpacked into an empty directory', { timeout: 240_000 }, async () => {
    const root = await projectImportingAnAsset();
    projects.push(root);
    const outDir = await temp.make('vite-asset');
    await buildAsUsersDo(build, { root, configFile: false, logLevel: 'silent', build: { outDir, emptyOutDir: true }, plugins: [hecateOm({ cacheDir: join(root, '.cache') })] });
    const unpacked = await temp.make('vite-asset-release');
    await unpackTarball(join(outDir, 'release-service-1.2.0.tar.gz'), unpacked);
    const release = runRelease(join(unpacked, 'release-service-1.2.0'));
    try {
      const line = (await release.waitFor((event) => event.message === 'banner', 'the banner line')) as { banner: string };
      expect(line.banner).toBe(BANNER);
      await release.ready();
      release.kill('SIGTERM');
      expect(await release.exited).toEqual({ code: 0, signal: null });
    } finally {
      release.kill('SIGKILL');
    }
  });
});
