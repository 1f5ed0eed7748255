import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { list, type ReadEntry } from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { ArtifactInputError } from '../src/core/render/artifact-input.js';
import { createReleaseTarball, releaseTarballName, sourceDateEpoch, type ReleaseFile } from '../src/core/release-tarball.js';
import { artifactManifest } from './helpers/artifact-manifest.js';

const manifest = artifactManifest();
const MAIN_JS = 'import "node:process";\nconsole.log("hecate-echo");\n';
const PACKAGE_JSON = `${JSON.stringify({ name: 'hecate-echo', version: '1.2.3', private: true, type: 'module', main: 'main.js' })}\n`;
/** Given out of order, one binary, one in a folder, one empty: the tarball sorts and folders them. */
const FILES: ReleaseFile[] = [
  { path: 'package.json', content: PACKAGE_JSON },
  { path: 'main.js', content: MAIN_JS },
  { path: 'main.js.map', content: new Uint8Array([0, 1, 2, 255]) },
  { path: 'lib/extra.js', content: 'export {};\n' },
  { path: 'manifest.json', content: '' },
];
const MTIME = new Date('2024-03-01T12:00:00Z');

const temporaryDirectories: string[] = [];
afterEach(() => {
  for (const directory of temporaryDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'hecate-release-tarball-'));
  temporaryDirectories.push(directory);
  return directory;
}

function writeTarball(bytes: Uint8Array): string {
  const file = join(temporaryDirectory(), releaseTarballName(manifest));
  writeFileSync(file, bytes);
  return file;
}

interface ListedEntry {
  path: string;
  type: string;
  mode: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  uname: string | undefined;
  gname: string | undefined;
  mtime: string | undefined;
  size: number | undefined;
}

async function listWithTarPackage(file: string): Promise<ListedEntry[]> {
  const entries: ListedEntry[] = [];
  await list({
    file,
    onReadEntry: (entry: ReadEntry) => {
      entries.push({
        path: entry.path,
        type: entry.type,
        mode: entry.mode,
        uid: entry.uid,
        gid: entry.gid,
        uname: entry.uname || undefined,
        gname: entry.gname || undefined,
        mtime: entry.mtime?.toISOString(),
        size: entry.size,
      });
    },
  });
  return entries;
}

describe('createReleaseTarball', () => {
  it('lists, with the tar command, every file and folder under <name>-<version>/ sorted, owned by 0:0, with fixed modes and mtime', async () => {
    const file = writeTarball(await createReleaseTarball({ manifest, files: FILES, mtime: MTIME }));
    const listing = execFileSync('tar', ['--list', '--verbose', '--gzip', '--numeric-owner', '--full-time', '--file', file], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' },
    });
    expect(listing.trimEnd().split('\n').map((line) => line.split(/\s+/))).toEqual([
      ['drwxr-xr-x', '0/0', '0', '2024-03-01', '12:00:00', 'hecate-echo-1.2.3/'],
      ['drwxr-xr-x', '0/0', '0', '2024-03-01', '12:00:00', 'hecate-echo-1.2.3/lib/'],
      ['-rw-r--r--', '0/0', '11', '2024-03-01', '12:00:00', 'hecate-echo-1.2.3/lib/extra.js'],
      ['-rw-r--r--', '0/0', String(MAIN_JS.length), '2024-03-01', '12:00:00', 'hecate-echo-1.2.3/main.js'],
      ['-rw-r--r--', '0/0', '4', '2024-03-01', '12:00:00', 'hecate-echo-1.2.3/main.js.map'],
      ['-rw-r--r--', '0/0', '0', '2024-03-01', '12:00:00', 'hecate-echo-1.2.3/manifest.json'],
      ['-rw-r--r--', '0/0', String(PACKAGE_JSON.length), '2024-03-01', '12:00:00', 'hecate-echo-1.2.3/package.json'],
    ]);
  });

  it('unpacks with the tar command to the exact contents', async () => {
    const file = writeTarball(await createReleaseTarball({ manifest, files: FILES, mtime: MTIME }));
    const target = temporaryDirectory();
    execFileSync('tar', ['--extract', '--gzip', '--file', file, '--directory', target]);
    const release = join(target, 'hecate-echo-1.2.3');
    expect(readdirSync(target)).toEqual(['hecate-echo-1.2.3']);
    expect(readdirSync(release).sort()).toEqual(['lib', 'main.js', 'main.js.map', 'manifest.json', 'package.json']);
    expect(readFileSync(join(release, 'main.js'), 'utf8')).toBe(MAIN_JS);
    expect(readFileSync(join(release, 'package.json'), 'utf8')).toBe(PACKAGE_JSON);
    expect([...readFileSync(join(release, 'main.js.map'))]).toEqual([0, 1, 2, 255]);
    expect(readFileSync(join(release, 'manifest.json'), 'utf8')).toBe('');
    expect(readFileSync(join(release, 'lib', 'extra.js'), 'utf8')).toBe('export {};\n');
    expect(statSync(join(release, 'main.js')).mtime.toISOString()).toBe('2024-03-01T12:00:00.000Z');
  });

  it('reads back with the tar package: paths, types, modes, owner without names, mtime', async () => {
    const file = writeTarball(await createReleaseTarball({ manifest, files: FILES, mtime: MTIME }));
    const entry = (path: string, type: string, mode: number, size: number): ListedEntry => ({
      path, type, mode, uid: 0, gid: 0, uname: undefined, gname: undefined, mtime: '2024-03-01T12:00:00.000Z', size,
    });
    expect(await listWithTarPackage(file)).toEqual([
      entry('hecate-echo-1.2.3/', 'Directory', 0o755, 0),
      entry('hecate-echo-1.2.3/lib/', 'Directory', 0o755, 0),
      entry('hecate-echo-1.2.3/lib/extra.js', 'File', 0o644, 11),
      entry('hecate-echo-1.2.3/main.js', 'File', 0o644, MAIN_JS.length),
      entry('hecate-echo-1.2.3/main.js.map', 'File', 0o644, 4),
      entry('hecate-echo-1.2.3/manifest.json', 'File', 0o644, 0),
      entry('hecate-echo-1.2.3/package.json', 'File', 0o644, PACKAGE_JSON.length),
    ]);
  });

  it('writes a gzip header without a timestamp and with the OS byte fixed to 255 (unknown)', async () => {
    const bytes = await createReleaseTarball({ manifest, files: FILES, mtime: MTIME });
    // XFL (byte 8) is 0: zlib writes 2 only for level 9, and the release is packed at level 6.
    expect([...bytes.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
  });

  it('gives byte-identical tarballs for the same inputs, whatever order the files come in', async () => {
    const first = await createReleaseTarball({ manifest, files: FILES, mtime: MTIME });
    const second = await createReleaseTarball({ manifest, files: [...FILES].reverse(), mtime: MTIME });
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  it('changes only the mtime fields (and their header checksums) for a different SOURCE_DATE_EPOCH', async () => {
    const at = (epoch: string): Promise<Uint8Array> =>
      createReleaseTarball({ manifest, files: FILES, mtime: sourceDateEpoch({ SOURCE_DATE_EPOCH: epoch }) });
    const early = gunzipSync(await at('0'));
    const late = gunzipSync(await at('1700000000'));
    expect(late.length).toBe(early.length);
    const differingFields = new Set<string>();
    for (let offset = 0; offset < early.length; offset += 1) {
      if (early[offset] === late[offset]) continue;
      const fieldOffset = offset % 512;
      differingFields.add(fieldOffset >= 136 && fieldOffset < 148 ? 'mtime' : fieldOffset >= 148 && fieldOffset < 156 ? 'checksum' : `byte ${offset}`);
    }
    expect([...differingFields].sort()).toEqual(['checksum', 'mtime']);
    expect((await listWithTarPackage(writeTarball(await at('1700000000')))).map((entry) => entry.mtime)).toEqual(
      Array(7).fill('2023-11-14T22:13:20.000Z'),
    );
  });

  it('keeps whole seconds of the mtime', async () => {
    const withMilliseconds = await createReleaseTarball({ manifest, files: FILES, mtime: new Date('2024-03-01T12:00:00.999Z') });
    expect(Buffer.from(withMilliseconds).equals(Buffer.from(await createReleaseTarball({ manifest, files: FILES, mtime: MTIME })))).toBe(true);
  });

  it.each([
    ['/etc/passwd', 'files[0].path is "/etc/passwd": it must be a relative path of plain segments (no leading /, no . or .., no empty segment, no backslash)'],
    ['../escape.js', 'files[0].path is "../escape.js": it must be a relative path of plain segments (no leading /, no . or .., no empty segment, no backslash)'],
    ['lib//x.js', 'files[0].path is "lib//x.js": it must be a relative path of plain segments (no leading /, no . or .., no empty segment, no backslash)'],
    ['lib\\x.js', 'files[0].path is "lib\\\\x.js": it must be a relative path of plain segments (no leading /, no . or .., no empty segment, no backslash)'],
    ['main.js\n', 'files[0].path contains the control character U+000A at index 7: the Containerfile and the Quadlet unit are line-based, so it could start a new instruction or directive (validate the manifest with parseManifest() before rendering)'],
  ])('refuses the file path %j', async (path, message) => {
    await expect(createReleaseTarball({ manifest, files: [{ path, content: '' }], mtime: MTIME })).rejects.toThrow(
      new ArtifactInputError('files[0].path', message.slice('files[0].path '.length)),
    );
  });

  it('refuses a path given twice, or a file where a folder is needed', async () => {
    await expect(
      createReleaseTarball({ manifest, files: [{ path: 'main.js', content: 'a' }, { path: 'main.js', content: 'b' }], mtime: MTIME }),
    ).rejects.toThrow('files[1].path is "main.js", which the release already holds');
    await expect(
      createReleaseTarball({ manifest, files: [{ path: 'lib/x.js', content: '' }, { path: 'lib', content: '' }], mtime: MTIME }),
    ).rejects.toThrow('files[1].path is "lib", which the release already holds');
  });

  it('refuses a manifest name that could leave the top folder', async () => {
    await expect(createReleaseTarball({ manifest: { ...manifest, name: '../..' }, files: FILES, mtime: MTIME })).rejects.toThrow(
      expect.objectContaining({ name: 'ArtifactInputError', field: 'manifest.name' }),
    );
  });
});

describe('releaseTarballName', () => {
  it('names the tarball <name>-<version>.tar.gz', () => {
    expect(releaseTarballName(artifactManifest({ version: '2.0.0-rc.1' }))).toBe('hecate-echo-2.0.0-rc.1.tar.gz');
  });
});

describe('sourceDateEpoch', () => {
  it('falls back to the epoch when SOURCE_DATE_EPOCH is unset or empty', () => {
    expect([sourceDateEpoch({}), sourceDateEpoch({ SOURCE_DATE_EPOCH: '' })]).toEqual([new Date(0), new Date(0)]);
  });

  it('reads whole seconds since 1970', () => {
    expect(sourceDateEpoch({ SOURCE_DATE_EPOCH: '1700000000' })).toEqual(new Date('2023-11-14T22:13:20Z'));
  });

  it.each(['-1', '1.5', ' 1', '1e9', 'now', '99999999999'])('refuses the malformed value %j', (value) => {
    expect(() => sourceDateEpoch({ SOURCE_DATE_EPOCH: value })).toThrow(
      new RangeError(
        `SOURCE_DATE_EPOCH is ${JSON.stringify(value)}: it must be a whole number of seconds since 1970-01-01 UTC, from 0 to 8589934591 (as printed by date +%s)`,
      ),
    );
  });
});
