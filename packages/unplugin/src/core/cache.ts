import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { canonicalJson, contractValuesOf, deriveManifest, deriveUcanRequest } from '@hecate-om/contract/derive';
import type { Manifest, UcanRequest } from '@hecate-om/contract';
import { debug } from './debug.js';
import type { AnalysisOptions } from './options.js';
import { readRegularFile } from './regular-file.js';
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

/** The cache file: the key, each input with its content hash, and the manifest derived from them. */
interface CacheFile {
  readonly key: AnalysisKey;
  readonly inputs: readonly InputStamp[];
  readonly absent: readonly string[];
  readonly manifest: Manifest;
}

interface Memo {
  readonly keyText: string;
  stamps: readonly InputStamp[];
  readonly analysis: CachedAnalysis;
}

const CACHE_FORMAT = 3;
/** A cache file is a manifest and a list of paths: anything larger was not written by this plugin. */
const MAX_CACHE_FILE_BYTES = 4 * 1024 * 1024;
/** Inputs are source files the reader accepted, each at most this large (see LIMITS.sourceBytes). */
const MAX_INPUT_BYTES = 1024 * 1024;

/**
 * Remembers the last successful analysis in memory (checked by file size and mtime, so an unchanged
 * rebuild costs a few `stat` calls) and on disk in `cacheDir` (checked by content hashes, so a fresh
 * process skips ts-morph when nothing the contract depends on changed).
 *
 * Everything under `node_modules/.cache` can be written by any dependency, so a cache file is
 * untrusted input: it is read only when it is a regular file (never through a symbolic link, never
 * a FIFO), checked for its shape, for inputs that include the service module and package.json (each
 * a regular file with the recorded sha256), and for a manifest that is exactly what the contract
 * values it holds derive to under this build's key (contract hash included); the UCAN request is
 * derived again, not read. Anything wrong is a miss, logged with DEBUG=hecate-om, never an error.
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

  /** The analysis stored on disk by an earlier build, when it is sound and every input still has the same content. */
  async fromDisk(key: AnalysisKey): Promise<CachedAnalysis | undefined> {
    const keyText = JSON.stringify(key);
    const path = this.#pathFor(keyText);
    const bytes = readRegularFile(path, { maxBytes: MAX_CACHE_FILE_BYTES, noFollow: true });
    if ('kind' in bytes)
      return miss('disk', bytes.kind === 'missing' ? `no cache file at ${path}` : `${path} is ${bytes.kind === 'too-large' ? `${bytes.size} bytes` : bytes.what}`);
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      // one from an interrupted build, or edited: analyse again
      return miss('disk', `${path} is not JSON (${(error as Error).message})`);
    }
    if (isRecord(json) && isRecord(json['key']) && canonicalJson(json['key']) !== canonicalJson(key))
      return miss('disk', `the key changed: ${keyChange(JSON.stringify(json['key']), key)}`);
    const problem = cacheFileProblem(json, key);
    if (problem !== undefined) return miss('disk', `${path} ${problem}`);
    const file = json as CacheFile;
    if (!stillAbsent(file.absent)) return miss('disk', 'a file an import tried first appeared');
    const stamps = stampsWithSameContent(file.inputs);
    if (stamps === undefined) return miss('disk', 'an input changed content, was removed or is no longer a regular file');
    const analysis: CachedAnalysis = {
      manifest: file.manifest,
      ucanRequest: deriveUcanRequest(file.manifest),
      inputs: file.inputs.map(({ path: input }) => input),
      absent: file.absent,
    };
    this.#memo = { keyText, stamps, analysis };
    return hit('disk', `every input has its recorded content (${stamps.length} files)`, analysis);
  }

  /** Remembers a fresh analysis in memory and on disk; a cache that cannot be written is only logged. */
  store(key: AnalysisKey, analysis: CachedAnalysis): void {
    const keyText = JSON.stringify(key);
    const inputs = stampsWithSameContent(analysis.inputs.map((path) => ({ path, sha256: undefined })));
    if (inputs === undefined) return; // an input changed while it was analysed: the next build analyses again
    this.#memo = { keyText, stamps: inputs, analysis };
    const file: CacheFile = { key, inputs, absent: analysis.absent, manifest: analysis.manifest };
    try {
      writeFileAtomic(this.#pathFor(keyText), `${JSON.stringify(file, null, 2)}\n`);
    } catch (error) {
      debug('cache: not written: %s', (error as Error).message);
    }
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

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Why a parsed cache file cannot be trusted for `key`, or undefined when it can. */
function cacheFileProblem(json: unknown, key: AnalysisKey): string | undefined {
  if (!isRecord(json)) return 'does not hold an object';
  if (canonicalJson(json['key']) !== canonicalJson(key)) return 'is for another key';
  const { inputs, absent, manifest } = json;
  if (!Array.isArray(inputs) || !inputs.every(isInputStamp)) return 'has malformed inputs';
  const inputPaths = new Set(inputs.map(({ path }) => path));
  if (!inputPaths.has(key.service) || !inputPaths.has(join(key.root, 'package.json')))
    return 'does not list the service module and package.json among its inputs';
  if (!Array.isArray(absent) || !absent.every((path) => typeof path === 'string' && isAbsolute(path))) return 'has malformed absent paths';
  if (!isRecord(manifest)) return 'has no manifest';
  return manifestProblem(manifest, key);
}

function isInputStamp(value: unknown): value is InputStamp {
  return (
    isRecord(value) &&
    typeof value['path'] === 'string' &&
    isAbsolute(value['path']) &&
    typeof value['size'] === 'number' &&
    typeof value['mtimeMs'] === 'number' &&
    typeof value['sha256'] === 'string' &&
    SHA256_HEX.test(value['sha256'])
  );
}

/**
 * Whether the manifest is exactly what its own contract values, license and source derive to under
 * this key: an edited value no longer matches its contract hash, an edited derived field (image,
 * health, runtime, paths) no longer matches the derivation. The values themselves were checked by
 * the contract's rules when the analysis that wrote them ran.
 */
function manifestProblem(manifest: Record<string, unknown>, key: AnalysisKey): string | undefined {
  try {
    const stored = manifest as unknown as Manifest;
    const source = typeof stored.source === 'string' ? stored.source : undefined;
    const derived = deriveManifest(contractValuesOf(stored), {
      imageRepository: `${key.registry}/${key.org}`,
      license: String(stored.license),
      source,
      healthPort: key.healthPort,
      runtimeVersion: key.runtimeVersion,
    });
    return canonicalJson(derived) === canonicalJson(manifest) ? undefined : 'holds a manifest its contract values do not derive to';
  } catch (error) {
    return `holds a malformed manifest (${(error as Error).message})`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function sha256Of(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

function statOf(path: string): { size: number; mtimeMs: number } | undefined {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat === undefined ? undefined : { size: stat.size, mtimeMs: stat.mtimeMs };
  } catch {
    return undefined; // ENOTDIR and the like: the input is gone
  }
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

/**
 * Fresh stamps of the inputs when each is still a regular file with its recorded content (any
 * content when none is recorded), else undefined.
 */
function stampsWithSameContent(inputs: readonly { readonly path: string; readonly sha256: string | undefined }[]): InputStamp[] | undefined {
  const stamps: InputStamp[] = [];
  for (const input of inputs) {
    // Stat before reading: a change after the stat shows as a new mtime at the next check.
    const stat = statOf(input.path);
    const bytes = readRegularFile(input.path, { maxBytes: MAX_INPUT_BYTES });
    if (stat === undefined || 'kind' in bytes) return undefined; // deleted, moved or replaced by something else: analyse again
    const sha256 = sha256Of(bytes);
    if (input.sha256 !== undefined && sha256 !== input.sha256) return undefined;
    stamps.push({ path: input.path, size: stat.size, mtimeMs: stat.mtimeMs, sha256 });
  }
  return stamps;
}

/** This plugin's version: a new version may derive differently, so it is part of the cache key. */
export function pluginVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}
