import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Manifest, UcanRequest } from '@hecate-om/contract';
import { type AnalysisKey, AnalysisCache, type CachedAnalysis } from '../src/core/cache.js';

const KEY: AnalysisKey = {
  pluginVersion: '0.1.0',
  root: '/srv/echo',
  service: '/srv/echo/src/service.ts',
  registry: 'ghcr.io',
  org: 'hecate-om',
  healthPort: 8470,
  runtimeVersion: '0.1.0',
};

// The cache stores these as they are: their shape is the contract package's business.
const MANIFEST = { name: 'hecate-echo', version: '0.1.0' } as unknown as Manifest;
const UCAN_REQUEST = { ucv: '0.10.0' } as unknown as UcanRequest;

describe('AnalysisCache', () => {
  let dir: string;
  let service: string;
  let analysis: CachedAnalysis;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hecate-cache-unit-'));
    service = join(dir, 'service.ts');
    await writeFile(service, 'export const TTL = 30;\n');
    analysis = { manifest: MANIFEST, ucanRequest: UCAN_REQUEST, inputs: [service], absent: [join(dir, 'service.tsx')] };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('remembers an analysis in memory and on disk, in one file named by the key', async () => {
    const cache = new AnalysisCache(join(dir, 'cache'));
    cache.store(KEY, analysis);
    expect(cache.fromMemory(KEY)).toBe(analysis);
    expect(await new AnalysisCache(join(dir, 'cache')).fromDisk(KEY)).toEqual(analysis);
    expect(await readdir(join(dir, 'cache'))).toEqual([expect.stringMatching(/^analysis-v2-[0-9a-f]{16}\.json$/)]);
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
});
