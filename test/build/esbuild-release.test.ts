import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractHashOf, deriveUcanRequest, type Manifest } from '@hecate-om/contract';
import hecateOm from '@hecate-om/unplugin/esbuild';
import {
  TempDirs,
  buildExample,
  copyOfProject,
  exampleRoot,
  expectReleaseSourceMap,
  fixturesDir,
  releaseArtifacts,
  repoRoot,
  run,
  sortedEntries,
  tempDir,
  unpackTarball,
} from './support/builds.js';

const ARTIFACTS = releaseArtifacts({ name: 'hecate-echo', version: '0.1.0' });

const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));

describe('the example service built by `node build.mjs` (esbuild through the plugin)', () => {
  const temp = new TempDirs();
  let outdir: string;

  beforeAll(async () => {
    outdir = await temp.make('esbuild');
    await buildExample(outdir);
  });
  afterAll(() => temp.removeAll());

  it('writes the bundle, its source map and every artifact into outdir', async () => {
    expect(await sortedEntries(outdir)).toEqual(ARTIFACTS);
  });

  it('derives the manifest from the contract class and the package.json', async () => {
    const values = {
      info: { name: 'hecate-echo', version: '0.1.0', description: 'Echoes over the mesh' },
      capabilities: [{ name: 'echo.say', version: 1 }],
      identitySpec: { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 },
    };
    const runtime = (await readJson(join(repoRoot, 'packages/runtime/package.json'))) as { version: string };
    expect(await readJson(join(outdir, 'manifest.json'))).toEqual({
      manifestVersion: 1,
      name: 'hecate-echo',
      version: '0.1.0',
      description: 'Echoes over the mesh',
      license: 'Apache-2.0',
      image: 'ghcr.io/hecate-om/hecate-echo:0.1.0',
      capabilities: values.capabilities,
      identity: values.identitySpec,
      health: { port: 8470, path: '/health' },
      paths: { secrets: '/etc/hecate/secrets/hecate-echo', state: '/var/lib/hecate/hecate-echo' },
      runtime: { node: '>=20.19.0', hecateOm: runtime.version },
      contractHash: contractHashOf(values),
    });
  });

  it('writes a manifest.json that the shipped JSON Schema accepts', async () => {
    const schema = (await readJson(join(repoRoot, 'packages/contract/dist/manifest.schema.json'))) as object;
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const valid = validate(await readJson(join(outdir, 'manifest.json')));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('writes the UCAN request derived from the manifest', async () => {
    const manifest = (await readJson(join(outdir, 'manifest.json'))) as Manifest;
    expect(await readJson(join(outdir, 'ucan-request.json'))).toEqual(deriveUcanRequest(manifest));
    expect(deriveUcanRequest(manifest).cap).toEqual({ 'hecate://echo/*': { 'echo/answer_query': [{}] } });
  });

  it('names the release tarball and the image in the Containerfile and the Quadlet unit', async () => {
    expect(await readFile(join(outdir, 'Containerfile'), 'utf8')).toContain('hecate-echo-0.1.0.tar.gz');
    expect(await readFile(join(outdir, 'hecate-echo.container'), 'utf8')).toContain('Image=ghcr.io/hecate-om/hecate-echo:0.1.0');
  });

  it('packs main.js, main.js.map, manifest.json and package.json under hecate-echo-0.1.0/', async () => {
    const tarball = join(outdir, 'hecate-echo-0.1.0.tar.gz');
    const { stdout: listing } = await run('tar', ['-tzf', tarball]);
    expect(listing.split('\n').filter(Boolean)).toEqual(TARBALL_ENTRIES);
    const unpacked = await temp.make('unpacked');
    await unpackTarball(tarball, unpacked);
    const release = join(unpacked, 'hecate-echo-0.1.0');
    for (const file of ['main.js', 'manifest.json']) expect(await readFile(join(release, file)), file).toEqual(await readFile(join(outdir, file)));
    await expectReleaseSourceMap(join(release, 'main.js.map'), join(outdir, 'main.js.map'), outdir, exampleRoot);
    expect(await readJson(join(release, 'package.json'))).toEqual({
      name: 'hecate-echo',
      version: '0.1.0',
      private: true,
      type: 'module',
      main: 'main.js',
      engines: { node: '>=20.19.0' },
    });
  });

  it('produces a byte-identical tarball when built again', async () => {
    const again = await temp.make('esbuild-again');
    await buildExample(again);
    expect(await readFile(join(again, 'hecate-echo-0.1.0.tar.gz'))).toEqual(await readFile(join(outdir, 'hecate-echo-0.1.0.tar.gz')));
  });

  it('adds the artifacts to outputFiles and writes nothing when write is false', async () => {
    const parent = await temp.make('no-write');
    const target = join(parent, 'dist');
    const result = await build({
      absWorkingDir: exampleRoot,
      outdir: target,
      write: false,
      logLevel: 'silent',
      plugins: [hecateOm()],
    });
    expect(result.outputFiles.map(({ path }) => path.slice(target.length + 1)).sort()).toEqual(ARTIFACTS);
    const manifest = result.outputFiles.find(({ path }) => path.endsWith('manifest.json'));
    expect(manifest?.text).toBe(await readFile(join(outdir, 'manifest.json'), 'utf8'));
    await expect(sortedEntries(target)).rejects.toThrow(/ENOENT/);
  });
});

const TARBALL_ENTRIES = [
  'hecate-echo-0.1.0/',
  'hecate-echo-0.1.0/main.js',
  'hecate-echo-0.1.0/main.js.map',
  'hecate-echo-0.1.0/manifest.json',
  'hecate-echo-0.1.0/package.json',
];

describe('a release built from two copies of the same project', () => {
  it('is byte-identical wherever the project lies', async () => {
    const [first, second] = await Promise.all([1, 2].map(() => copyOfProject(join(fixturesDir, 'build-imported-const'))));
    const tarballs = await Promise.all(
      [first!, second!].map(async (root) => {
        await build({ absWorkingDir: root, outdir: join(root, 'dist'), logLevel: 'silent', plugins: [hecateOm({ cacheDir: join(root, '.cache') })] });
        return readFile(join(root, 'dist', 'imported-const-2.1.0.tar.gz'));
      }),
    );
    expect(tarballs[0]).toEqual(tarballs[1]);
    await Promise.all([first!, second!].map((root) => rm(root, { recursive: true, force: true })));
  });
});

describe('esbuild options the release cannot work with', () => {
  it('fails with a clear error when outfile is set', async () => {
    const dir = await tempDir('outfile');
    const outfile = join(dir, 'main.js');
    await expect(
      build({ absWorkingDir: exampleRoot, outfile, logLevel: 'silent', plugins: [hecateOm()] }),
    ).rejects.toMatchObject({
      errors: [
        expect.objectContaining({
          text: `hecate-om: esbuild "outfile" is set (${outfile}), but the plugin writes main.js, main.js.map, manifest.json, ucan-request.json, Containerfile, the Quadlet unit and the release tarball side by side: use "outdir" instead (e.g. outdir: 'dist')`,
        }),
      ],
    });
    expect(await sortedEntries(dir)).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });

  it('fails before bundling, writing nothing, when the baseImage option is not an image reference', async () => {
    const outdir = await tempDir('bad-base-image');
    const baseImage = 'node:24\nRUN rm -rf /';
    await expect(
      build({ absWorkingDir: exampleRoot, outdir, logLevel: 'silent', plugins: [hecateOm({ baseImage })] }),
    ).rejects.toMatchObject({
      errors: [
        expect.objectContaining({
          text: `the baseImage option is ${JSON.stringify(baseImage)}: the Containerfile starts FROM it, so it must be an image reference such as docker.io/library/node:24-slim ([registry/]path[:tag][@digest]) on one line`,
          location: null,
        }),
      ],
    });
    expect(await sortedEntries(outdir)).toEqual([]);
    await rm(outdir, { recursive: true, force: true });
  });

  it('fails before bundling, writing nothing, when the registry option has no dot or port (AutoUpdate=registry needs one)', async () => {
    const outdir = await tempDir('short-registry');
    await expect(
      build({ absWorkingDir: exampleRoot, outdir, logLevel: 'silent', plugins: [hecateOm({ registry: 'myregistry' })] }),
    ).rejects.toMatchObject({
      errors: [
        expect.objectContaining({
          text: 'the registry option "myregistry" has no dot and no port, so podman takes myregistry/<org>/<name> for a short image name, which the Quadlet unit\'s AutoUpdate=registry refuses ("short name: auto updates require fully-qualified image reference") and the service never starts: use the registry\'s full host name (such as myregistry.example.com) or add its port (such as myregistry:5000)',
          location: null,
        }),
      ],
    });
    expect(await sortedEntries(outdir)).toEqual([]);
    await rm(outdir, { recursive: true, force: true });
  });

  it('fails before bundling, writing nothing, when SOURCE_DATE_EPOCH is not a number of seconds', async () => {
    const outdir = await tempDir('bad-source-date-epoch');
    const saved = process.env['SOURCE_DATE_EPOCH'];
    process.env['SOURCE_DATE_EPOCH'] = 'yesterday';
    try {
      await expect(build({ absWorkingDir: exampleRoot, outdir, logLevel: 'silent', plugins: [hecateOm()] })).rejects.toMatchObject({
        errors: [
          expect.objectContaining({
            text: 'SOURCE_DATE_EPOCH is "yesterday": it must be a whole number of seconds since 1970-01-01 UTC, from 0 to 8589934591 (as printed by date +%s)',
            location: null,
          }),
        ],
      });
    } finally {
      if (saved === undefined) delete process.env['SOURCE_DATE_EPOCH'];
      else process.env['SOURCE_DATE_EPOCH'] = saved;
    }
    expect(await sortedEntries(outdir)).toEqual([]);
    await rm(outdir, { recursive: true, force: true });
  });

  it('fails with a clear error when the service project does not depend on @hecate-om/runtime', async () => {
    const root = join(fixturesDir, 'build-without-runtime');
    const outdir = await tempDir('no-runtime');
    await expect(build({ absWorkingDir: root, outdir, logLevel: 'silent', plugins: [hecateOm()] })).rejects.toMatchObject({
      errors: [
        expect.objectContaining({
          text: `${join(root, 'package.json')} does not depend on @hecate-om/runtime: the generated entry boots the service with it, so add it to "dependencies" (npm install @hecate-om/runtime)`,
          location: null,
        }),
      ],
    });
    await rm(outdir, { recursive: true, force: true });
  });
});
