import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveManifest, deriveUcanRequest } from '@hecate-om/contract';
import { type AnalysisKey, AnalysisCache, type CachedAnalysis } from '../src/core/cache.js';

const MANIFEST = deriveManifest(
  {
    info: { name: 'hecate-echo', version: '0.1.0', description: 'Echoes over the mesh' },
    capabilities: [{ name: 'echo.say', version: 1 }],
    identitySpec: { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 },
  },
  { imageRepository: 'ghcr.io/hecate-om', license: 'Apache-2.0', runtimeVersion: '0.1.0' },
);

describe('AnalysisCache', () => {
  let dir: string;
  let service: string;
  let analysis: CachedAnalysis;
  let KEY: AnalysisKey;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hecate-cache-unit-'));
    service = join(dir, 'service.ts');
    await writeFile(service, 'export const TTL = 30;\n');
    await writeFile(join(dir, 'package.json'), '{ "version": "0.1.0" }\n');
    KEY = { pluginVersion: '0.1.0', root: dir, service, registry: 'ghcr.io', org: 'hecate-om', healthPort: 8470, runtimeVersion: '0.1.0' };
    analysis = {
      manifest: MANIFEST,
      ucanRequest: deriveUcanRequest(MANIFEST),
      inputs: [join(dir, 'package.json'), service],
      absent: [join(dir, 'service.tsx')],
    };
  });

  /** The one cache file, parsed, after `store`. */
  const storedFile = async (): Promise<{ path: string; json: Record<string, unknown> }> => {
    const [name] = await readdir(join(dir, 'cache'));
    const path = join(dir, 'cache', name!);
    return { path, json: JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown> };
  };
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('remembers an analysis in memory and on disk, in one file named by the key', async () => {
    const cache = new AnalysisCache(join(dir, 'cache'));
    cache.store(KEY, analysis);
    expect(cache.fromMemory(KEY)).toBe(analysis);
    expect(await new AnalysisCache(join(dir, 'cache')).fromDisk(KEY)).toEqual(analysis);
    expect(await readdir(join(dir, 'cache'))).toEqual([expect.stringMatching(/^analysis-v3-[0-9a-f]{16}\.json$/)]);
  });

  it('still hits when an input was touched but holds the same content', async () => {
    const cache = new AnalysisCache(join(dir, 'cache'));
    cache.store(KEY, analysis);
    await utimes(service, new Date(), new Date(Date.now() + 5_000));
    expect(cache.fromMemory(KEY)).toBe(analysis);
    expect(await new AnalysisCache(join(dir, 'cache')).fromDisk(KEY)).toEqual(analysis);
  });

  it('misses when an input changed, was deleted, or the key differs', async () => {
    const cache = new AnalysisCache(join(dir, 'cache'));
    cache.store(KEY, analysis);
    expect(cache.fromMemory({ ...KEY, registry: 'quay.io' })).toBeUndefined();
    expect(await cache.fromDisk({ ...KEY, runtimeVersion: '0.2.0' })).toBeUndefined();
    await writeFile(service, 'export const TTL = 7;\n');
    expect(cache.fromMemory(KEY)).toBeUndefined();
    expect(await cache.fromDisk(KEY)).toBeUndefined();
    await rm(service);
    expect(await new AnalysisCache(join(dir, 'cache')).fromDisk(KEY)).toBeUndefined();
  });

  it('misses when a file the analysis looked for and did not find appears', async () => {
    const cache = new AnalysisCache(join(dir, 'cache'));
    cache.store(KEY, analysis);
    await writeFile(join(dir, 'service.tsx'), 'export const TTL = 7;\n');
    expect(cache.fromMemory(KEY)).toBeUndefined();
    expect(await new AnalysisCache(join(dir, 'cache')).fromDisk(KEY)).toBeUndefined();
  });

  it('misses on a cache file that is not JSON', async () => {
    const cache = new AnalysisCache(join(dir, 'cache'));
    cache.store(KEY, analysis);
    const [file] = await readdir(join(dir, 'cache'));
    await writeFile(join(dir, 'cache', file!), '{ truncated');
    expect(await new AnalysisCache(join(dir, 'cache')).fromDisk(KEY)).toBeUndefined();
  });

  it.each([
    ['an edited manifest.description', (json: Record<string, unknown>) => ({ ...json, manifest: { ...(json['manifest'] as object), description: 'Edited' } })],
    ['an edited manifest.image', (json: Record<string, unknown>) => ({ ...json, manifest: { ...(json['manifest'] as object), image: 'evil.io/x/y:1' } })],
    ['"inputs": []', (json: Record<string, unknown>) => ({ ...json, inputs: [] })],
    ['"inputs": null', (json: Record<string, unknown>) => ({ ...json, inputs: null })],
    ['"manifest": null', (json: Record<string, unknown>) => ({ ...json, manifest: null })],
    ['"manifest": {}', (json: Record<string, unknown>) => ({ ...json, manifest: {} })],
    ['an input without its hash', (json: Record<string, unknown>) => ({ ...json, inputs: (json['inputs'] as object[]).map((input) => ({ ...input, sha256: 'x' })) })],
    ['null', () => null],
    ['an array', () => []],
  ])('misses, without an error, on a cache file holding %s', async (_what, edit) => {
    new AnalysisCache(join(dir, 'cache')).store(KEY, analysis);
    const { path, json } = await storedFile();
    await writeFile(path, JSON.stringify(edit(json)));
    expect(await new AnalysisCache(join(dir, 'cache')).fromDisk(KEY)).toBeUndefined();
  });

  it('misses on a cache file that is a symbolic link, even to a valid entry', async () => {
    new AnalysisCache(join(dir, 'cache')).store(KEY, analysis);
    const { path } = await storedFile();
    const elsewhere = join(dir, 'elsewhere.json');
    await writeFile(elsewhere, await readFile(path));
    await rm(path);
    await symlink(elsewhere, path);
    expect(await new AnalysisCache(join(dir, 'cache')).fromDisk(KEY)).toBeUndefined();
  });

  it('misses at once on a FIFO where the cache file should be, instead of waiting for a writer', async () => {
    new AnalysisCache(join(dir, 'cache')).store(KEY, analysis);
    const { path } = await storedFile();
    await rm(path);
    expect(spawnSync('mkfifo', [path]).status).toBe(0);
    expect(await new AnalysisCache(join(dir, 'cache')).fromDisk(KEY)).toBeUndefined();
  });

  it('misses when an input was replaced by a FIFO or a directory', async () => {
    const cache = new AnalysisCache(join(dir, 'cache'));
    cache.store(KEY, analysis);
    await rm(service);
    await mkdir(service);
    expect(cache.fromMemory(KEY)).toBeUndefined();
    expect(await new AnalysisCache(join(dir, 'cache')).fromDisk(KEY)).toBeUndefined();
    await rm(service, { recursive: true });
    expect(spawnSync('mkfifo', [service]).status).toBe(0);
    expect(await new AnalysisCache(join(dir, 'cache')).fromDisk(KEY)).toBeUndefined();
  });

  it('derives the UCAN request from the cached manifest instead of reading one', async () => {
    new AnalysisCache(join(dir, 'cache')).store(KEY, analysis);
    const { json } = await storedFile();
    expect(Object.keys(json).sort()).toEqual(['absent', 'inputs', 'key', 'manifest']);
    expect((await new AnalysisCache(join(dir, 'cache')).fromDisk(KEY))?.ucanRequest).toEqual(deriveUcanRequest(MANIFEST));
  });

  it('throws nothing when the cache folder cannot be written, and still remembers in memory', async () => {
    await writeFile(join(dir, 'cache'), 'a file where the cache folder should be');
    const cache = new AnalysisCache(join(dir, 'cache'));
    expect(() => cache.store(KEY, analysis)).not.toThrow();
    expect(cache.fromMemory(KEY)).toBe(analysis);
  });
});
