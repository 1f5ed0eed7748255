import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import hecateOm from '@hecate-om/unplugin/esbuild';
import { TempDirs, copyOfProject, exampleRoot, fixturesDir, run, sortedEntries } from './support/builds.js';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

async function tarballListing(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  return stdout.split('\n').filter(Boolean);
}

describe('esbuild settings that would build a release that cannot run', () => {
  const refused: { setting: string; options: BuildOptions; text: string }[] = [
    {
      setting: 'format: cjs',
      options: { format: 'cjs' },
      text: `hecate-om: esbuild "format" is "cjs", but the release's package.json says "type": "module", so Node runs main.js as an ES module: set format: 'esm' (or leave it out)`,
    },
    {
      setting: 'bundle: false',
      options: { bundle: false },
      text: 'hecate-om: esbuild "bundle" is false, but the release holds main.js without the sources and packages it would import (the service, @hecate-om/runtime): leave "bundle" on (or leave it out)',
    },
    {
      setting: 'platform: browser',
      options: { platform: 'browser' },
      text: `hecate-om: esbuild "platform" is "browser", but the release runs on Node: set platform: 'node' (or leave it out)`,
    },
    {
      setting: 'a user entry named main that is not the service module',
      options: { entryPoints: { main: 'src/other.ts' } },
      text: `hecate-om: esbuild "entryPoints" names "src/other.ts" as "main", but main.js must be the entry the plugin generates, which boots the service (yours would load and exit with nothing listening): remove "main" from entryPoints, or leave entryPoints out (the plugin adds main: 'virtual:hecate-om/main')`,
    },
    {
      setting: 'an entry file named main.ts',
      options: { entryPoints: ['src/main.ts'] },
      text: `hecate-om: esbuild "entryPoints" names "src/main.ts" as "main", but main.js must be the entry the plugin generates, which boots the service (yours would load and exit with nothing listening): remove "main" from entryPoints, or leave entryPoints out (the plugin adds main: 'virtual:hecate-om/main')`,
    },
    {
      setting: 'an array of entries without the generated one',
      options: { entryPoints: ['src/worker.ts'] },
      text: `hecate-om: esbuild "entryPoints" is an array without the generated entry, so the build has no main.js: write it as an object and leave "main" to the plugin (entryPoints: { worker: 'src/worker.ts' }), or add 'virtual:hecate-om/main'`,
    },
  ];

  for (const { setting, options, text } of refused)
    it(`refuses ${setting} before writing anything, naming the setting`, async () => {
      const outdir = await temp.make('refused');
      // esbuild may add its own errors (it still resolves the entries): the plugin's is among them.
      await expect(build({ absWorkingDir: exampleRoot, outdir, logLevel: 'silent', ...options, plugins: [hecateOm()] })).rejects.toMatchObject({
        errors: expect.arrayContaining([expect.objectContaining({ text })]),
      });
      expect(await sortedEntries(outdir)).toEqual([]);
    });

  it('refuses a files pattern that matches nothing before writing anything, naming the option', async () => {
    const outdir = await temp.make('refused-files');
    await expect(
      build({ absWorkingDir: exampleRoot, outdir, logLevel: 'silent', plugins: [hecateOm({ files: ['prompts/*.txt'] })] }),
    ).rejects.toMatchObject({
      errors: [expect.objectContaining({ text: `the files option's pattern "prompts/*.txt" (files[0]) matches no file under ${exampleRoot}: fix the pattern or remove it` })],
    });
    expect(await sortedEntries(outdir)).toEqual([]);
  });

  it("refuses a files pattern that matches a file the bundler wrote for the bundle, naming the pattern as written, the file and why", async () => {
    // Built into the project itself: the file loader's banner-<hash>.txt lands where **/*.txt looks;
    // src/*.txt matches the source banner.txt alone, and ships.
    const root = await copyOfProject(join(fixturesDir, 'release-service'));
    onTestFinished(() => rm(root, { recursive: true, force: true }));
    await writeFile(join(root, 'src/banner.txt'), 'banner\n');
    const service = join(root, 'src/service.ts');
    await writeFile(service, `import bannerPath from './banner.txt';\nconsole.debug(bannerPath);\n${await readFile(service, 'utf8')}`);
    const buildWith = (files: string[]) =>
      build({ absWorkingDir: root, outdir: root, logLevel: 'silent', loader: { '.txt': 'file' }, plugins: [hecateOm({ files, cacheDir: join(root, '.cache') })] });
    // The first build leaves banner-<hash>.txt in the project, where the second one's pattern meets it.
    await buildWith(['src/*.txt']);
    await expect(buildWith(['src/*.txt', '**/*.txt'])).rejects.toMatchObject({
      errors: [
        expect.objectContaining({
          text: expect.stringMatching(
            /^hecate-om: the files option's pattern "\*\*\/\*\.txt" \(files\[1\]\) matches banner-[A-Z0-9]+\.txt, which the bundler wrote for the bundle \(it ships beside main\.js already\): narrow the pattern, or build into an outdir outside the files it matches$/,
          ),
        }),
      ],
    });
  });

  it('refuses a files pattern that reaches the release\'s own package.json, naming the option', async () => {
    const outdir = await temp.make('refused-files-reserved');
    await expect(
      build({ absWorkingDir: exampleRoot, outdir, logLevel: 'silent', plugins: [hecateOm({ files: ['package.json'] })] }),
    ).rejects.toMatchObject({
      errors: [
        expect.objectContaining({
          text: `the files option's pattern "package.json" (files[0]) matches package.json, but package.json is the release's own: ship the file under a folder of its own (e.g. assets/)`,
        }),
      ],
    });
  });
});

describe('sourcemap: false into an outdir used before', () => {
  it('packs the new main.js without the map an earlier build left there', async () => {
    const outdir = await temp.make('no-map');
    const cacheDir = await temp.make('no-map-cache');
    await build({ absWorkingDir: exampleRoot, outdir, logLevel: 'silent', plugins: [hecateOm({ cacheDir })] });
    await build({ absWorkingDir: exampleRoot, outdir, logLevel: 'silent', sourcemap: false, plugins: [hecateOm({ cacheDir })] });
    expect(await tarballListing(join(outdir, 'hecate-echo-0.1.0.tar.gz'))).toEqual([
      'hecate-echo-0.1.0/',
      'hecate-echo-0.1.0/main.js',
      'hecate-echo-0.1.0/manifest.json',
      'hecate-echo-0.1.0/package.json',
    ]);
    expect(await readFile(join(outdir, 'main.js'), 'utf8')).not.toContain('sourceMappingURL');
  });
});

describe('outputs of an earlier build', () => {
  it('removes the tarball of the version before a bump, and only what the plugin wrote', async () => {
    const root = await copyOfProject(join(fixturesDir, 'build-imported-const'));
    const outdir = join(root, 'dist');
    const options = { absWorkingDir: root, outdir, logLevel: 'silent' as const, plugins: [hecateOm({ cacheDir: join(root, '.cache') })] };
    await build(options);
    await writeFile(join(outdir, 'NOTES.txt'), 'the user wrote this\n');
    await writeFile(join(outdir, 'imported-const-0.9.0.tar.gz'), 'an older release the plugin never wrote\n');
    for (const file of ['package.json', 'src/service.ts'])
      await writeFile(join(root, file), (await readFile(join(root, file), 'utf8')).replace("'2.1.0'", "'2.2.0'").replace('"2.1.0"', '"2.2.0"'));
    await build({ ...options, plugins: [hecateOm({ cacheDir: join(root, '.cache') })] });
    const entries = await sortedEntries(outdir);
    expect(entries.filter((name) => name.endsWith('.tar.gz'))).toEqual(['imported-const-0.9.0.tar.gz', 'imported-const-2.2.0.tar.gz']);
    expect(entries).toContain('NOTES.txt');
    await rm(root, { recursive: true, force: true });
  });
});

describe('two services of one project that declare the same contract, built at once', () => {
  it('each bundle holds its own service, built 2 + 2 concurrently', async () => {
    const root = join(fixturesDir, 'build-two-services');
    const cacheDir = await temp.make('two-services-cache');
    const services = ['src/service.ts', 'src/service.dev.ts', 'src/service.ts', 'src/service.dev.ts'];
    const outdirs = await Promise.all(services.map(() => temp.make('two-services')));
    await Promise.all(
      services.map((service, index) =>
        build({ absWorkingDir: root, outdir: outdirs[index]!, logLevel: 'silent', plugins: [hecateOm({ service, cacheDir })] }),
      ),
    );
    const builtFrom = await Promise.all(
      outdirs.map(async (outdir) => /(?:var|const) BUILT_FROM = "([^"]+)";/.exec(await readFile(join(outdir, 'main.js'), 'utf8'))?.[1]),
    );
    expect(builtFrom).toEqual(['service.ts', 'service.dev.ts', 'service.ts', 'service.dev.ts']);
    // What made the race possible, seen without racing: each service's generated entry lies in a
    // folder of its own (the folder of one shared entry, keyed by the manifest alone, did not).
    const entryFolders = await Promise.all(
      outdirs.map(async (outdir) => {
        const { sources } = JSON.parse(await readFile(join(outdir, 'main.js.map'), 'utf8')) as { sources: string[] };
        return sources.map((source) => /\/(modules-[0-9a-f]+)\/main\.js$/.exec(source)?.[1]).find((folder) => folder !== undefined);
      }),
    );
    expect(entryFolders[0]).toMatch(/^modules-/);
    expect(entryFolders[1]).toMatch(/^modules-/);
    expect(entryFolders[1]).not.toBe(entryFolders[0]);
    expect(entryFolders.slice(2)).toEqual(entryFolders.slice(0, 2));
  });
});
