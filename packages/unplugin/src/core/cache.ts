import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest, UcanRequest } from '@hecate-om/contract';
import type { AnalysisOptions } from './options.js';
import { debug } from './debug.js';
import { writeFileAtomic } from './write-file-atomic.js';

/** A successful analysis, as the cache keeps it. */
export interface CachedAnalysis {
  readonly manifest: Manifest;
  readonly ucanRequest: UcanRequest;
  /** Absolute paths of every file the analysis read. */
  readonly inputs: readonly string[];
  /** Absolute paths the analysis looked for and did not find: if one appears, an import names another file. */
  readonly absent: readonly string[];
}

/** Everything besides the inputs' contents that the derived manifest depends on. */
export interface AnalysisKey extends AnalysisOptions {
  readonly pluginVersion: string;
  readonly runtimeVersion: string;
}

interface InputStamp {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

/** The cache file: the key, each input with its content hash, and what was derived from them. */
interface CacheFile {
  readonly key: AnalysisKey;
  readonly inputs: readonly InputStamp[];
  readonly absent: readonly string[];
  readonly manifest: Manifest;
  readonly ucanRequest: UcanRequest;
}

interface Memo {
  readonly keyText: string;
  stamps: readonly InputStamp[];
  readonly analysis: CachedAnalysis;
}

const CACHE_FORMAT = 2;

/**
 * Remembers the last successful analysis in memory (checked by file size and mtime, so an unchanged
 * rebuild costs a few `stat` calls) and on disk in `cacheDir` (checked by content hashes, so a fresh
 * process skips ts-morph when nothing the contract depends on changed).
 */
export class AnalysisCache {
  #memo: Memo | undefined;

  constructor(readonly cacheDir: string) {}

  /** The analysis remembered in this process, when none of its inputs changed. */
  fromMemory(key: AnalysisKey): CachedAnalysis | undefined {
    const memo = this.#memo;
    if (memo === undefined) return miss('memory', 'no analysis in this process yet');
    if (memo.keyText !== JSON.stringify(key)) return miss('memory', `the key changed: ${keyChange(memo.keyText, key)}`);
    if (!stillAbsent(memo.analysis.absent)) return miss('memory', 'a file an import tried first appeared');
    const stats = memo.stamps.map(({ path }) => statOf(path));
    if (memo.stamps.every((stamp, index) => sameStat(stamp, stats[index]))) return hit('memory', `no input's size or mtime changed (${memo.stamps.length} files)`, memo.analysis);
    const stamps = stampsWithSameContent(memo.stamps);
    if (stamps === undefined) return miss('memory', 'an input changed content');
    memo.stamps = stamps;
    return hit('memory', 'inputs were touched but have the same content', memo.analysis);
  }

  /** The analysis stored on disk by an earlier build, when every input still has the same content. */
  async fromDisk(key: AnalysisKey): Promise<CachedAnalysis | undefined> {
    const keyText = JSON.stringify(key);
    let file: CacheFile;
    try {
      file = JSON.parse(await readFile(this.#pathFor(keyText), 'utf8')) as CacheFile;
    } catch {
      // no cache yet, or one from an interrupted or older build: analyze again
      return miss('disk', `no readable cache file at ${this.#pathFor(keyText)}`);
    }
    if (JSON.stringify(file.key) !== keyText) return miss('disk', `the key changed: ${keyChange(JSON.stringify(file.key), key)}`);
    if (!stillAbsent(file.absent)) return miss('disk', 'a file an import tried first appeared');
    const stamps = stampsWithSameContent(file.inputs);
    if (stamps === undefined) return miss('disk', 'an input changed content or was removed');
    const analysis = { manifest: file.manifest, ucanRequest: file.ucanRequest, inputs: file.inputs.map(({ path }) => path), absent: file.absent };
    this.#memo = { keyText, stamps, analysis };
    return hit('disk', `every input has its recorded content (${stamps.length} files)`, analysis);
  }

  /** Remembers a fresh analysis in memory and on disk. */
  store(key: AnalysisKey, analysis: CachedAnalysis): void {
    const keyText = JSON.stringify(key);
    const inputs = analysis.inputs.map(stampOf);
    this.#memo = { keyText, stamps: inputs, analysis };
    const file: CacheFile = { key, inputs, absent: analysis.absent, manifest: analysis.manifest, ucanRequest: analysis.ucanRequest };
    writeFileAtomic(this.#pathFor(keyText), `${JSON.stringify(file, null, 2)}\n`);
  }

  #pathFor(keyText: string): string {
    return join(this.cacheDir, `analysis-v${CACHE_FORMAT}-${sha256Of(keyText).slice(0, 16)}.json`);
  }
}

function hit(where: 'memory' | 'disk', why: string, analysis: CachedAnalysis): CachedAnalysis {
  debug('cache: %s hit: %s', where, why);
  return analysis;
}

function miss(where: 'memory' | 'disk', why: string): undefined {
  debug('cache: %s miss: %s', where, why);
  return undefined;
}

/** Which fields of the key differ, for the debug output: `healthPort 8470 → 9000`. */
function keyChange(previousText: string, key: AnalysisKey): string {
  const previous = JSON.parse(previousText) as Record<string, unknown>;
  return Object.entries(key)
    .filter(([name, value]) => JSON.stringify(previous[name]) !== JSON.stringify(value))
    .map(([name, value]) => `${name} ${JSON.stringify(previous[name])} → ${JSON.stringify(value)}`)
    .join(', ');
}

function sha256Of(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

function statOf(path: string): { size: number; mtimeMs: number } | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat === undefined ? undefined : { size: stat.size, mtimeMs: stat.mtimeMs };
}

function sameStat(stamp: InputStamp, stat: { size: number; mtimeMs: number } | undefined): boolean {
  return stat !== undefined && stat.size === stamp.size && stat.mtimeMs === stamp.mtimeMs;
}

function stillAbsent(paths: readonly string[]): boolean {
  return paths.every((path) => {
    try {
      return statSync(path, { throwIfNoEntry: false }) === undefined;
    } catch {
      return true; // ENOTDIR: `x/index.ts` where `x` is a file is still not there
    }
  });
}

function stampOf(path: string): InputStamp {
  const { size, mtimeMs } = statSync(path);
  return { path, size, mtimeMs, sha256: sha256Of(readFileSync(path)) };
}

/** Fresh stamps of the inputs when each still has its recorded content, else undefined. */
function stampsWithSameContent(inputs: readonly InputStamp[]): InputStamp[] | undefined {
  const stamps: InputStamp[] = [];
  for (const input of inputs) {
    let stamp: InputStamp;
    try {
      stamp = stampOf(input.path);
    } catch {
      return undefined; // the input was deleted or moved: the contract must be analysed again
    }
    if (stamp.sha256 !== input.sha256) return undefined;
    stamps.push(stamp);
  }
  return stamps;
}

/** This plugin's version: a new version may derive differently, so it is part of the cache key. */
export function pluginVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}
