import type { Manifest } from '@hecate-om/contract';
import type { ReadEntry } from 'tar';
import { ArtifactInputError, checkServiceName, checkSingleLine, checkVersion } from './render/artifact-input.js';

/** One file of the release, relative to its top folder (`main.js`, `lib/x.js`). */
export interface ReleaseFile {
  readonly path: string;
  readonly content: string | Uint8Array;
}

export interface ReleaseTarballInput {
  readonly manifest: Manifest;
  readonly files: readonly ReleaseFile[];
  /** Every entry's mtime, normally sourceDateEpoch(process.env); whole seconds are kept. */
  readonly mtime: Date;
}

const FILE_MODE = 0o644;
const DIRECTORY_MODE = 0o755;
/** The largest mtime a ustar header holds in its 11 octal digits (year 2242). */
const MAX_MTIME_SECONDS = 0o77777777777;

/** `<name>-<version>.tar.gz`: the release tarball's file name. */
export function releaseTarballName(manifest: Manifest): string {
  return `${releaseFolderName(manifest)}.tar.gz`;
}

function releaseFolderName(manifest: Manifest): string {
  return `${checkServiceName('manifest.name', manifest.name)}-${checkVersion('manifest.version', manifest.version)}`;
}

/**
 * The time every entry of the release carries: `SOURCE_DATE_EPOCH` (reproducible-builds.org: whole
 * seconds since 1970) when set, else the epoch itself. Throws a RangeError on a malformed value, as
 * the specification asks, rather than building with a time the user did not mean.
 */
export function sourceDateEpoch(env: Readonly<Record<string, string | undefined>>): Date {
  const read = readSourceDateEpoch(env);
  if (!read.ok) throw new RangeError(read.message);
  return read.value;
}

/** sourceDateEpoch() as a value: the time, or what is wrong with the variable. */
export function readSourceDateEpoch(
  env: Readonly<Record<string, string | undefined>>,
): { readonly ok: true; readonly value: Date } | { readonly ok: false; readonly message: string } {
  const value = env['SOURCE_DATE_EPOCH'];
  if (value === undefined || value === '') return { ok: true, value: new Date(0) };
  const seconds = /^[0-9]{1,11}$/.test(value) ? Number(value) : Number.NaN;
  if (seconds <= MAX_MTIME_SECONDS) return { ok: true, value: new Date(seconds * 1000) };
  return {
    ok: false,
    message: `SOURCE_DATE_EPOCH is ${JSON.stringify(value)}: it must be a whole number of seconds since 1970-01-01 UTC, from 0 to ${MAX_MTIME_SECONDS} (as printed by date +%s)`,
  };
}

/** A relative path of plain segments: no absolute path, `.`/`..`, empty segment or backslash. */
function checkReleasePath(field: string, path: string): string[] {
  checkSingleLine(field, path);
  const segments = path.split('/');
  const badSegment = segments.find((segment) => segment === '' || segment === '.' || segment === '..' || segment.includes('\\'));
  if (badSegment !== undefined)
    throw new ArtifactInputError(
      field,
      `is ${JSON.stringify(path)}: it must be a relative path of plain segments (no leading /, no . or .., no empty segment, no backslash)`,
    );
  return segments;
}

interface PlannedEntry {
  readonly path: string;
  readonly content: Uint8Array | undefined;
}

/** Every file and every folder that holds one, under the top folder, sorted by path (byte order). */
function planEntries(top: string, files: readonly ReleaseFile[]): PlannedEntry[] {
  const entries = new Map<string, PlannedEntry>([[`${top}/`, { path: `${top}/`, content: undefined }]]);
  const encoder = new TextEncoder();
  files.forEach((file, index) => {
    const segments = checkReleasePath(`files[${index}].path`, file.path);
    for (let depth = 1; depth < segments.length; depth += 1) {
      const folder = `${top}/${segments.slice(0, depth).join('/')}/`;
      if (!entries.has(folder)) entries.set(folder, { path: folder, content: undefined });
    }
    const path = `${top}/${file.path}`;
    if (entries.has(path) || entries.has(`${path}/`))
      throw new ArtifactInputError(`files[${index}].path`, `is ${JSON.stringify(file.path)}, which the release already holds`);
    const content = typeof file.content === 'string' ? encoder.encode(file.content) : file.content;
    entries.set(path, { path, content });
  });
  const byteOrder = (a: PlannedEntry, b: PlannedEntry): number => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path));
  return [...entries.values()].sort(byteOrder);
}

type Tar = typeof import('tar');

function readEntryOf(tar: Tar, entry: PlannedEntry, mtime: Date): ReadEntry {
  const isDirectory = entry.content === undefined;
  const header = new tar.Header({
    path: entry.path,
    type: isDirectory ? 'Directory' : 'File',
    mode: isDirectory ? DIRECTORY_MODE : FILE_MODE,
    uid: 0,
    gid: 0,
    size: entry.content?.byteLength ?? 0,
    mtime,
  });
  const readEntry = new tar.ReadEntry(header);
  if (entry.content !== undefined && entry.content.byteLength > 0) readEntry.write(Buffer.from(entry.content));
  readEntry.end();
  return readEntry;
}

/**
 * The reproducible release tarball: every file under `<name>-<version>/`, entries sorted by path,
 * one mtime, owner 0:0 without user or group names, modes 0644 and 0755, gzip without a timestamp
 * and with the OS byte fixed (255, unknown). Built from the contents given, never from the file
 * system, so umask and stat cannot change a byte: the same inputs give the same bytes on the same
 * Node.js (zlib) version. Throws ArtifactInputError on a path that would escape the top folder.
 */
export async function createReleaseTarball(input: ReleaseTarballInput): Promise<Uint8Array> {
  const seconds = Math.floor(input.mtime.getTime() / 1000);
  if (!(seconds >= 0 && seconds <= MAX_MTIME_SECONDS))
    throw new ArtifactInputError('mtime', `is ${String(input.mtime)}: it must lie between 1970 and the year 2242 (a ustar mtime)`);
  const mtime = new Date(seconds * 1000);
  const entries = planEntries(releaseFolderName(input.manifest), input.files);
  // tar costs about 20 ms to load: only a build that packs a new release pays it, not every import.
  const tar = await import('tar');

  // Pack's own gzip is zlib's (mtime 0 in the header); `portable` fixes the OS byte. No `portable`
  // on Pack itself: it would drop the mtime of folders and the explicit 0:0 owner. Level 6 (zlib's
  // default), not 9: on a release that ships node_modules (18 MB) 9 takes 2.4 times as long for
  // 0.7 % fewer bytes. Any fixed level keeps the bytes reproducible.
  const pack = new tar.Pack({ gzip: { portable: true, level: 6 }, strict: true });
  const chunks: Buffer[] = [];
  const finished = new Promise<void>((resolve, reject) => {
    pack.on('data', (chunk: Buffer) => chunks.push(chunk));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const entry of entries) pack.add(readEntryOf(tar, entry, mtime));
  pack.end();
  await finished;
  return new Uint8Array(Buffer.concat(chunks));
}
