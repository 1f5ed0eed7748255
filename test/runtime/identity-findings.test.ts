import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createJoinToken } from '@hecate-om/realm';
import { generateKeyPair, writeKeyFile } from '@hecate-om/ucan';
import { describe, expect, it } from 'vitest';
import type { RunningRelease } from './fixture-release.mjs';
import { instanceDirectories, startTestRealm, useIdentityCleanup, type TestRealm } from './identity-support.js';
import { useRuntimeFixture } from './use-runtime-fixture.js';

// What a new user found in the identity flow (issue 11, findings F4 to F14), each end to end.
const { start } = useRuntimeFixture();
useIdentityCleanup();

const GRANTED = 'the realm granted a credential';
const RESUMED = 'using the credential granted before this start';

interface Instance {
  readonly secretsDir: string;
  readonly stateDir: string;
}

async function joinTokenFor(realm: TestRealm, secretsDir: string): Promise<void> {
  const joinToken = await createJoinToken({ dataDir: realm.dataDir, service: 'runtime-fixture' });
  if (!joinToken.ok) throw new Error(joinToken.error.message);
  await writeFile(join(secretsDir, 'join-token'), `${joinToken.value.token}\n`, { mode: 0o600 });
}

function startInstance(instance: Instance, realm: { url: string; did: string }, env: Record<string, string> = {}): RunningRelease {
  return start({ HECATE_SECRETS_DIR: instance.secretsDir, HECATE_STATE_DIR: instance.stateDir, HECATE_REALM_URL: realm.url, HECATE_REALM_DID: realm.did, ...env });
}

const byMessage = (run: RunningRelease, message: string) => run.waitFor((event) => event.message === message, message);

describe('F4: a key mounted in the secrets directory', () => {
  it('keeps the granted credential under <state>/identity/ (0700, made on this path too), and resumes it with the realm away', async () => {
    const realm = await startTestRealm();
    const instance = await instanceDirectories();
    const keyPair = generateKeyPair();
    const written = await writeKeyFile(join(instance.secretsDir, 'identity.key'), keyPair);
    expect(written.ok).toBe(true);
    await joinTokenFor(realm, instance.secretsDir);

    const first = startInstance(instance, realm);
    const grant = await byMessage(first, GRANTED);
    const credentialFile = join(instance.stateDir, 'identity/credential.jwt');
    expect((await stat(join(instance.stateDir, 'identity'))).mode & 0o777).toBe(0o700);
    expect((await stat(credentialFile)).mode & 0o777).toBe(0o600);
    expect(first.lines.filter((event) => event.level === 'error')).toEqual([]);
    first.kill('SIGTERM');
    await first.exited;
    await realm.close();

    const second = startInstance(instance, realm);
    const resumed = await byMessage(second, RESUMED);
    expect([resumed.cid, (await readFile(credentialFile, 'utf8')).trim().length > 0]).toEqual([grant.cid, true]);
  });
});
