// Issue 12, section 7: with the development realm (`hecate-om realm dev`) mesh calls are
// authorized as in production. A real nats-server, a development realm on loopback, a provider
// process that enrolls in it, and a tool's client in this process.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, issueUcan } from '@hecate-om/ucan';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLogger } from '../../packages/runtime/src/logger.js';
import { createInvocationAuthorization, type MeshIdentity } from '../../packages/runtime/src/mesh/invocation-authorization.js';
import { openMeshClient } from '../../packages/runtime/src/mesh/mesh-client.js';
import { echoManifest } from '../../packages/runtime/test/manifest-fixture.js';
import type { RunningRelease } from '../runtime/fixture-release.mjs';
import { useRuntimeFixture } from '../runtime/use-runtime-fixture.js';
import { useNatsServers } from '../support/nats-server.js';
import { startAuthorizedProvider, startTestRealm, stopRealmRun, type TestRealm } from './realm-provider.js';

const fixture = useRuntimeFixture();
const servers = useNatsServers(1);
const log = createLogger({ level: 'silent', service: echoManifest, write: () => {} });

let root: string;
let realm: TestRealm;
let provider: RunningRelease;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hecate-mesh-development-'));
  realm = await startTestRealm(root, 'development');
  provider = await startAuthorizedProvider(fixture.release().dir, root, realm, servers()[0]!.url);
});

afterAll(async () => {
  await stopRealmRun({ root, realms: [realm], providers: [provider] });
});

/** One call of fixture.echo by a tool authorizing as `identity` (none: nothing attached). */
async function callAs(identity: MeshIdentity | undefined) {
  const authorization = identity === undefined ? undefined : createInvocationAuthorization({ setting: 'on', identity: () => identity, log });
  const opened = await openMeshClient({ urls: [servers()[0]!.url], ...(authorization === undefined ? {} : { authorization }) });
  if (!opened.ok) throw new Error(opened.message);
  try {
    return await opened.client.call('fixture.echo', { hello: 'development' });
  } finally {
    await opened.client.close();
  }
}

test('a caller holding the credential the development realm granted is answered; one without any is refused as in production', async () => {
  const key = generateKeyPair();
  const credential = await realm.claim(key, echoManifest);
  const identity: MeshIdentity = { key, realmDid: realm.did, credential: () => credential, revoked: () => new Set() };
  expect(await callAs(identity)).toMatchObject({ ok: true, value: { echo: { hello: 'development' }, pid: provider.child.pid } });
  const refused = await callAs(undefined);
  expect(refused.ok === false && [refused.error.code, refused.error.reason]).toEqual(['unauthorized', 'missing']);
});

test('a credential granting the call but issued by another key than the development realm is refused (escalated); a caller pinned to that key skips the provider', async () => {
  const key = generateKeyPair();
  const impostor = generateKeyPair();
  const credential = issueUcan({ issuer: impostor, audience: key.did, capabilities: { 'hecate://mesh/*': { 'mesh/call': [{}] } }, expiration: Math.floor(Date.now() / 1000) + 600 }).token;
  // Sent, as by a caller that pins the development realm's DID: the provider finds no proof to its root.
  const refused = await callAs({ key, realmDid: realm.did, credential: () => credential, revoked: () => new Set() });
  expect(refused.ok === false && [refused.error.code, refused.error.reason]).toEqual(['unauthorized', 'escalated']);
  // Not sent, by a caller that pins the impostor: the provider advertises another realm.
  const skipped = await callAs({ key, realmDid: impostor.did, credential: () => credential, revoked: () => new Set() });
  expect(skipped).toEqual({ ok: false, error: { code: 'no_providers', message: expect.stringContaining(`is enrolled in realm ${realm.did}, and this instance in realm ${impostor.did}`) } });
});
