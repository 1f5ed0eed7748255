import { mkdir, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '@hecate-om/contract';
import { buildInChild, copyOfProject, fixturesDir } from './support/builds.js';

const project = join(fixturesDir, 'build-imported-const');

/** Issue 9 (d): everything under node_modules/.cache may be written by any dependency's install script. */
describe('a build whose cache was tampered with', () => {
  const dirs: string[] = [];
  let root: string;
  let cacheDir: string;
  let tarballName: string;
  let reference: Buffer;
  let referenceManifest: Manifest;

  const build = async (): Promise<void> => {
    expect(await buildInChild({ root, outdir: join(root, 'dist'), options: { cacheDir } })).toEqual({ errors: [] });
  };
  const cachedTarball = async (): Promise<string> => {
    const [name] = (await readdir(cacheDir)).filter((entry) => /^release-[0-9a-f]{32}\.tar\.gz$/.test(entry));
    return join(cacheDir, name!);
  };

  beforeAll(async () => {
    root = await copyOfProject(project);
    cacheDir = join(root, 'releases');
    dirs.push(root);
    await mkdir(cacheDir);
    // The user keeps their own releases in the folder they chose as cacheDir.
    await writeFile(join(cacheDir, 'release-1.0.0.tar.gz'), 'the user’s own release');
    await build();
    referenceManifest = JSON.parse(await readFile(join(root, 'dist', 'manifest.json'), 'utf8')) as Manifest;
    tarballName = `${referenceManifest.name}-${referenceManifest.version}.tar.gz`;
    reference = await readFile(join(root, 'dist', tarballName));
  });
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it.each([
    ['truncated to 1,000 bytes', (path: string) => truncate(path, 1000)],
    ['replaced by garbage', (path: string) => writeFile(path, 'garbage '.repeat(100))],
    [
      'replaced by a symbolic link to /etc/hostname',
      async (path: string) => {
        await rm(path);
        await symlink('/etc/hostname', path);
      },
    ],
  ])('packs the release again when the cached tarball was %s', async (_how, tamper) => {
    await tamper(await cachedTarball());
    await build();
    expect((await readFile(join(root, 'dist', tarballName))).equals(reference)).toBe(true);
  });

  it('ships what the sources say when the cached manifest.description was edited', async () => {
    const [analysisFile] = (await readdir(cacheDir)).filter((entry) => entry.startsWith('analysis-'));
    const path = join(cacheDir, analysisFile!);
    const entry = JSON.parse(await readFile(path, 'utf8')) as { manifest: Manifest };
    await writeFile(path, JSON.stringify({ ...entry, manifest: { ...entry.manifest, description: 'Sends your data elsewhere' } }));
    await build();
    expect(JSON.parse(await readFile(join(root, 'dist', 'manifest.json'), 'utf8'))).toEqual(referenceManifest);
  });

  it("keeps the user's own release-*.tar.gz files in cacheDir: only what the plugin wrote is deleted", async () => {
    const before = await cachedTarball();
    // Another SOURCE_DATE_EPOCH packs another tarball, which replaces the cached one.
    process.env['SOURCE_DATE_EPOCH'] = '1700000000';
    try {
      await build();
    } finally {
      delete process.env['SOURCE_DATE_EPOCH'];
    }
    expect(await cachedTarball()).not.toBe(before);
    expect((await readdir(cacheDir)).filter((entry) => entry.endsWith('.tar.gz')).sort()).toEqual(
      ['release-1.0.0.tar.gz', (await cachedTarball()).slice(cacheDir.length + 1)].sort(),
    );
    expect(await readFile(join(cacheDir, 'release-1.0.0.tar.gz'), 'utf8')).toBe('the user’s own release');
  });
});

describe('a service path or cache folder of the wrong kind', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('fails with a clear error naming the service option when the service module is a directory', async () => {
    const root = await copyOfProject(project);
    dirs.push(root);
    await mkdir(join(root, 'src', 'folder.ts'));
    const result = await buildInChild({ root, outdir: join(root, 'dist'), options: { service: 'src/folder.ts', cacheDir: join(root, '.cache') } });
    expect(result.errors).toEqual([
      expect.objectContaining({
        text: 'the service module src/folder.ts is a directory, not a file',
        notes: [expect.objectContaining({ text: `hint: point the plugin's "service" option at the module that default-exports the contract class` })],
      }),
    ]);
  });

  it('fails with a clear error naming the cacheDir option when a file stands where the cache folder should be', async () => {
    const root = await copyOfProject(project);
    dirs.push(root);
    await writeFile(join(root, 'cache-file'), 'not a folder');
    const result = await buildInChild({ root, outdir: join(root, 'dist'), options: { cacheDir: join(root, 'cache-file') } });
    expect(result.errors).toEqual([
      expect.objectContaining({
        text: `the cacheDir option is ${join(root, 'cache-file')}, which is a file: the plugin keeps its analysis cache and last tarball in that folder, so name a folder (or a path that does not exist yet)`,
      }),
    ]);
  });
});
