import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJoinToken, revoke, startRealm } from '../src/index.js';
import { readDataFile, writeDataFile } from '../src/data-file.js';
import { EnrollmentRecordSchema } from '../src/data-directory.js';
import { claim, echoPolicy, generateKeyPair, removeDirectory, startTestRealm, temporaryDirectory } from './realm-fixture.js';

let dataDir: string;

beforeEach(async () => {
  dataDir = await temporaryDirectory();
});
afterEach(() => removeDirectory(dataDir));

async function modeOf(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o777).toString(8);
}

/** Every file under `directory`, recursively. */
async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('the data directory', () => {
  it('holds the key, enrollments, used join tokens and revocations as 0600 files in 0700 directories, with no temporary file left', async () => {
    const test = await startTestRealm({ dataDir, policy: echoPolicy(generateKeyPair()) });
    try {
      const created = await createJoinToken({ dataDir, service: 'hecate-echo' });
      if (!created.ok) throw new Error(created.error.message);
      const answer = await claim(test.realm, generateKeyPair(), { joinToken: created.value.token });
      expect(answer.status).toBe(200);
      expect((await revoke({ dataDir, cid: answer.body.cid as string })).ok).toBe(true);
    } finally {
      await test.stop();
    }
    const files = await filesUnder(dataDir);
    expect(files.map((file) => file.slice(dataDir.length + 1).split('/')[0]).sort()).toEqual(['enrollments', 'realm.key', 'revocations', 'used-join-tokens']);
    for (const file of files) expect([file, await modeOf(file)]).toEqual([file, '600']);
    for (const directory of ['', 'enrollments', 'join-tokens', 'used-join-tokens', 'revocations'])
      expect([directory, await modeOf(join(dataDir, directory))]).toEqual([directory, '700']);
  });

  it('replaces a record in one rename, so a reader sees the old record or the new one, and leaves no temporary file', async () => {
    const file = join(dataDir, 'record.json');
    const first = { did: `did:key:z${'A'.repeat(47)}`, service: 'hecate-echo', enrolledAt: 1, via: 'development' } as const;
    expect(await writeDataFile(file, first)).toEqual({ ok: true });
    const inode = (await stat(file)).ino;
    expect(await writeDataFile(file, { ...first, enrolledAt: 2 })).toEqual({ ok: true });
    // A rename puts a new inode in place; a rewrite in place would keep the old one.
    expect((await stat(file)).ino).not.toBe(inode);
    expect(await readDataFile(file, EnrollmentRecordSchema)).toEqual({ ok: true, value: { ...first, enrolledAt: 2 } });
    expect(await readdir(dataDir)).toEqual(['record.json']);
  });

  it('reports a write that cannot happen, naming the file, and removes its temporary file', async () => {
    // A directory where the record should go makes the final rename fail, after the temporary file was written.
    const file = join(dataDir, 'record.json');
    await mkdir(file);
    const result = await writeDataFile(file, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'DATA_FILE_UNWRITABLE', file, message: expect.stringMatching(new RegExp(`^${file}: `)) } });
    expect(await readdir(dataDir)).toEqual(['record.json']);
  });

  it('keeps the realm identity across restarts: the key is created once and read thereafter', async () => {
    const first = await startRealm({ dataDir, dev: true, port: 0, log: () => undefined, banner: () => undefined });
    if (!first.ok) throw new Error(first.error.message);
    await first.value.close();
    const key = await readFile(join(dataDir, 'realm.key'), 'utf8');
    const second = await startRealm({ dataDir, dev: true, port: 0, log: () => undefined, banner: () => undefined });
    if (!second.ok) throw new Error(second.error.message);
    await second.value.close();
    expect(second.value.did).toBe(first.value.did);
    expect(await readFile(join(dataDir, 'realm.key'), 'utf8')).toBe(key);
  });

  it('remembers an enrollment across restarts: the instance claims again without its used token', async () => {
    const policy = echoPolicy(generateKeyPair());
    const instance = generateKeyPair();
    const first = await startTestRealm({ dataDir, policy });
    try {
      const created = await createJoinToken({ dataDir, service: 'hecate-echo' });
      if (!created.ok) throw new Error(created.error.message);
      expect((await claim(first.realm, instance, { joinToken: created.value.token })).status).toBe(200);
    } finally {
      await first.stop();
    }
    const second = await startTestRealm({ dataDir, policy });
    try {
      expect((await claim(second.realm, instance)).status).toBe(200);
      expect(second.lines.at(-1)).toMatchObject({ decision: 'granted', did: instance.did, enrolledBy: 'enrollment' });
    } finally {
      await second.stop();
    }
  });

  it('refuses to start on a corrupt key, naming the file and never replacing it', async () => {
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'realm.key'), 'not a key', { mode: 0o600 });
    const started = await startRealm({ dataDir, dev: true, port: 0, log: () => undefined, banner: () => undefined });
    expect(started).toMatchObject({ ok: false, error: { code: 'REALM_KEY', message: expect.stringContaining(`${join(dataDir, 'realm.key')}: is not a PKCS#8 PEM private key`) } });
    expect(await readFile(join(dataDir, 'realm.key'), 'utf8')).toBe('not a key');
  });

  it('refuses to start on a key that others may read', async () => {
    const first = await startRealm({ dataDir, dev: true, port: 0, log: () => undefined, banner: () => undefined });
    if (!first.ok) throw new Error(first.error.message);
    await first.value.close();
    await chmod(join(dataDir, 'realm.key'), 0o644);
    const second = await startRealm({ dataDir, dev: true, port: 0, log: () => undefined, banner: () => undefined });
    expect(second).toMatchObject({
      ok: false,
      error: { code: 'REALM_KEY', message: `${join(dataDir, 'realm.key')}: permissions 0644 let others read the realm key: chmod 600 ${join(dataDir, 'realm.key')}` },
    });
  });

  it('reads records back as untrusted input: a damaged record stops the start, naming the file and the JSON path', async () => {
    const first = await startRealm({ dataDir, dev: true, port: 0, log: () => undefined, banner: () => undefined });
    if (!first.ok) throw new Error(first.error.message);
    await first.value.close();
    const file = join(dataDir, 'enrollments', `z${'A'.repeat(47)}.json`);
    await writeFile(file, JSON.stringify({ did: 'did:key:zAAA', service: 'Not A Service', enrolledAt: 1, via: 'development' }), { mode: 0o600 });
    const started = await startRealm({ dataDir, dev: true, port: 0, log: () => undefined, banner: () => undefined });
    expect(started).toMatchObject({ ok: false, error: { code: 'DATA_DIRECTORY', message: expect.stringMatching(new RegExp(`^${file}: \\$\\.service must be lowercase kebab-case`)) } });

    await writeFile(file, '{"did": ', { mode: 0o600 });
    const broken = await startRealm({ dataDir, dev: true, port: 0, log: () => undefined, banner: () => undefined });
    expect(broken).toMatchObject({ ok: false, error: { code: 'DATA_DIRECTORY', message: expect.stringMatching(new RegExp(`^${file}: is not JSON: `)) } });
  });
});
