import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deriveUcanRequest, type Manifest } from '@hecate-om/contract';
import { createJoinToken, revoke, startRealm, type PolicyInput } from '@hecate-om/realm';
import { ucanCid, type KeyPair } from '@hecate-om/ucan';
import { withMeshCalls } from '../../packages/runtime/src/identity/identity-part.js';
import { claimCredential } from '../../packages/runtime/src/identity/realm-client.js';
import { runRelease, type RunningRelease } from '../runtime/fixture-release.mjs';

/** A real realm on loopback, its data under `<root>/realm`, for the tests of authorized mesh calls. */
export interface TestRealm {
  readonly url: string;
  readonly did: string;
  readonly dataDir: string;
  /** A development realm: it enrolls any instance, so no join token is needed. */
  readonly development: boolean;
  /** The credential the realm grants `key` as an instance of `manifest`'s service, claimed as the runtime claims it (mesh calls asked). */
  claim(key: KeyPair, manifest: Manifest): Promise<string>;
  /** Revokes one token, as `hecate-om realm revoke` does. */
  revoke(token: string): Promise<void>;
  close(): Promise<void>;
}

/** A realm granting by `policy`, or with `'development'` one as `hecate-om realm dev` runs it (any instance enrolls). */
export async function startTestRealm(root: string, policy: PolicyInput | 'development'): Promise<TestRealm> {
  const dataDir = join(root, 'realm');
  const started = await startRealm({ dataDir, ...(policy === 'development' ? { dev: true } : { policy }), port: 0, log: () => {} });
  if (!started.ok) throw new Error(started.error.message);
  const { url, did, close } = started.value;
  return {
    url,
    did,
    dataDir,
    development: policy === 'development',
    async claim(key, manifest) {
      const request = withMeshCalls(deriveUcanRequest(manifest));
      const claimed = await claimCredential({ realmUrl: url, realmDid: did, keyPair: key, request, joinToken: undefined, now: Math.floor(Date.now() / 1000) });
      if (!claimed.ok) throw new Error(`${claimed.code}: ${claimed.message}`);
      return claimed.value.credential;
    },
    async revoke(token) {
      const revoked = await revoke({ dataDir, cid: ucanCid(token) });
      if (!revoked.ok) throw new Error(revoked.error.message);
    },
    close,
  };
}

/** Within the callers' 60 s hooks, so that a provider that never advertises is killed and its log shown. */
const ADVERTISED_WITHIN_MS = 40_000;

/**
 * The runtime fixture's release as a provider with authorization on: enrolled in `realm` as
 * service `runtime-fixture` (with a one-time join token, unless the realm is a development one),
 * its secrets and state under `<root>/<name>`, `env` added to its environment, resolved once it
 * has advertised. Not killed when a test ends: the caller owns it.
 */
export async function startAuthorizedProvider(
  releaseDir: string,
  root: string,
  realm: TestRealm,
  natsUrl: string,
  name = 'provider',
  env: Readonly<Record<string, string>> = {},
): Promise<RunningRelease> {
  const dirs = { secretsDir: join(root, name, 'secrets'), stateDir: join(root, name, 'state') };
  await mkdir(dirs.secretsDir, { recursive: true, mode: 0o700 });
  await mkdir(dirs.stateDir, { mode: 0o700 });
  if (!realm.development) {
    const joinToken = await createJoinToken({ dataDir: realm.dataDir, service: 'runtime-fixture' });
    if (!joinToken.ok) throw new Error(joinToken.error.message);
    await writeFile(join(dirs.secretsDir, 'join-token'), `${joinToken.value.token}\n`, { mode: 0o600 });
  }
  const provider = runRelease(releaseDir, {
    HECATE_MESH_URL: natsUrl,
    HECATE_REALM_URL: realm.url,
    HECATE_REALM_DID: realm.did,
    HECATE_SECRETS_DIR: dirs.secretsDir,
    HECATE_STATE_DIR: dirs.stateDir,
    HECATE_HEALTH_PORT: '0',
    HECATE_LOG_LEVEL: 'info',
    ...env,
  });
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the provider did not advertise within ${ADVERTISED_WITHIN_MS} ms; its log: ${JSON.stringify(provider.lines)}`)), ADVERTISED_WITHIN_MS);
  });
  try {
    await Promise.race([provider.waitFor((event) => event.message === 'mesh: advertised', 'the advertisement'), gaveUp]);
  } catch (error) {
    provider.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return provider;
}

/**
 * Ends what a test file of authorized calls started, whichever part of it a failed setup got to:
 * its providers killed and awaited, its realms closed, then `root` removed.
 */
export async function stopRealmRun(run: {
  readonly root: string | undefined;
  readonly realms: readonly (TestRealm | undefined)[];
  readonly providers: readonly (RunningRelease | undefined)[];
}): Promise<void> {
  for (const provider of run.providers) provider?.kill('SIGKILL');
  await Promise.all(run.providers.map((provider) => provider?.exited));
  for (const realm of run.realms) await realm?.close();
  if (run.root !== undefined) await rm(run.root, { recursive: true, force: true });
}
