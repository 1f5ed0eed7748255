import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import { checkDirectories } from '../src/directories.js';
import { echoManifest } from './manifest-fixture.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hecate-directories-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

/** The problems of a service with an identity (a realm configured), unless `hasIdentity` says otherwise. */
async function problemsFor(env: Record<string, string>, hasIdentity = true): Promise<{ explicit: boolean; fatal: boolean; message: string }[]> {
  const resolved = resolveConfig(env, echoManifest);
  if (!resolved.ok) throw new Error('the settings themselves are valid here');
  return (await checkDirectories(resolved.value, env, hasIdentity)).map(({ explicit, fatal, message }) => ({ explicit, fatal, message }));
}

describe('checkDirectories', () => {
  it('accepts existing directories it can read, and write for state', async () => {
    await mkdir(join(work, 'secrets'));
    await mkdir(join(work, 'state'));
    expect(await problemsFor({ HECATE_SECRETS_DIR: join(work, 'secrets'), HECATE_STATE_DIR: join(work, 'state') })).toEqual([]);
  });

  it('names the variable, the path and what the runtime needs of it', async () => {
    await writeFile(join(work, 'file'), '');
    expect(await problemsFor({ HECATE_SECRETS_DIR: join(work, 'missing'), HECATE_STATE_DIR: join(work, 'file') })).toEqual([
      {
        explicit: true,
        fatal: true,
        message: `HECATE_SECRETS_DIR is "${join(work, 'missing')}" does not exist: it must be a readable directory, as the realm-granted credentials are read from there`,
      },
      {
        explicit: true,
        fatal: true,
        message: `HECATE_STATE_DIR is "${join(work, 'file')}" is not a directory: it must be a readable and writable directory, as the service keeps what it must remember there`,
      },
    ]);
  });

  it('says a default that is missing is the default, and does not count it as set', async () => {
    expect(await problemsFor({ HECATE_STATE_DIR: work })).toEqual([
      {
        explicit: false,
        fatal: false,
        message:
          '/etc/hecate/secrets/hecate-echo, the default of HECATE_SECRETS_DIR, does not exist: it must be a readable directory, as the realm-granted credentials are read from there',
      },
    ]);
  });

  it('only warns of a set secrets directory it cannot use when no realm is configured: nothing reads it', async () => {
    await writeFile(join(work, 'not-a-dir'), '');
    expect(await problemsFor({ HECATE_SECRETS_DIR: join(work, 'absent'), HECATE_STATE_DIR: join(work, 'not-a-dir') }, false)).toEqual([
      {
        explicit: true,
        fatal: false,
        message: `HECATE_SECRETS_DIR is "${join(work, 'absent')}" does not exist: it must be a readable directory, as the realm-granted credentials are read from there; no realm is configured (HECATE_REALM_DID), so nothing reads it yet and the boot goes on`,
      },
      {
        explicit: true,
        fatal: true,
        message: `HECATE_STATE_DIR is "${join(work, 'not-a-dir')}" is not a directory: it must be a readable and writable directory, as the service keeps what it must remember there`,
      },
    ]);
  });

  // Only root can run the check as another uid: the case of an image's uid 1000 and a root-made 0700 directory.
  it.runIf(process.getuid?.() === 0)('refuses a directory its uid cannot read, as a root-made 0700 one is to a non-root service', async () => {
    const shared = await mkdtemp(join(tmpdir(), 'hecate-uid-'));
    try {
      await chmod(shared, 0o755);
      const secrets = join(shared, 'secrets');
      await mkdir(secrets, { mode: 0o700 });
      const module = new URL('../dist/directories.js', import.meta.url).href;
      const script = `const { checkDirectories } = await import(${JSON.stringify(module)});
        const problems = await checkDirectories({ secretsDir: ${JSON.stringify(secrets)}, stateDir: ${JSON.stringify(shared)} }, { HECATE_SECRETS_DIR: 'set', HECATE_STATE_DIR: 'set' }, true);
        process.stdout.write(JSON.stringify(problems.map((problem) => problem.message)));`;
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
      expect(JSON.parse(output)).toEqual([
        `HECATE_SECRETS_DIR is "${secrets}" is not readable by uid 65534 (EACCES): it must be a readable directory, as the realm-granted credentials are read from there`,
        `HECATE_STATE_DIR is "${shared}" is not readable and writable by uid 65534 (EACCES): it must be a readable and writable directory, as the service keeps what it must remember there`,
      ]);
    } finally {
      await rm(shared, { recursive: true, force: true });
    }
  });
});
