// Issue 12, finding F13 of a new user's run: one NATS server carrying two realms. A caller calls
// the providers enrolled in its own realm only, and sends nothing to another realm's, which would
// refuse it. A real nats-server, development realms on loopback (each its own root), a provider
// process enrolled in each of two, and callers in this process authorizing as the runtime does.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@hecate-om/ucan';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLogger } from '../../packages/runtime/src/logger.js';
import { createInvocationAuthorization, type MeshIdentity } from '../../packages/runtime/src/mesh/invocation-authorization.js';
import { openMeshClient, type MeshClient } from '../../packages/runtime/src/mesh/mesh-client.js';
import { echoManifest } from '../../packages/runtime/test/manifest-fixture.js';
import type { RunningRelease } from '../runtime/fixture-release.mjs';
import { useRuntimeFixture } from '../runtime/use-runtime-fixture.js';
import { useNatsServers } from '../support/nats-server.js';
import { startAuthorizedProvider, startTestRealm, stopRealmRun, type TestRealm } from './realm-provider.js';

const fixture = useRuntimeFixture();
const servers = useNatsServers(1);
const log = createLogger({ level: 'silent', service: echoManifest, write: () => {} });

let root: string;
const realms: TestRealm[] = [];
const providers: RunningRelease[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hecate-mesh-realms-'));
  for (const name of ['first', 'second']) realms.push(await startTestRealm(join(root, name), 'development'));
  for (const [index, realm] of realms.entries()) providers.push(await startAuthorizedProvider(fixture.release().dir, root, realm, servers()[0]!.url, `provider-${index}`));
}, 120_000);

afterAll(async () => {
  await stopRealmRun({ root, realms, providers });
});

/** A tool's client enrolled in `realm` (a credential it granted a new key), authorizing its calls as a service does. */
async function callerOf(realm: TestRealm): Promise<MeshClient> {
  const key = generateKeyPair();
  const credential = await realm.claim(key, echoManifest);
  const identity: MeshIdentity = { key, realmDid: realm.did, credential: () => credential, revoked: () => new Set() };
  const opened = await openMeshClient({ urls: [servers()[0]!.url], authorization: createInvocationAuthorization({ setting: 'on', identity: () => identity, log }) });
  if (!opened.ok) throw new Error(opened.message);
  return opened.client;
}

/** The calls a provider refused, as its log says them (once per caller and reason). */
function refusals(provider: RunningRelease): unknown[] {
  return provider.lines.filter((line) => line.message?.startsWith('refused a call') === true);
}

test("a caller of each realm is answered by its own realm's provider, every call, though both advertise the capability", async () => {
  for (const [index, realm] of realms.entries()) {
    const client = await callerOf(realm);
    try {
      expect((await client.list()).map((instance) => instance.realm).sort()).toEqual(realms.map((each) => each.did).sort());
      // Calls are spread by turns over the providers: without the realm check, every other one
      // would go to the other realm's provider and be refused there (escalated).
      for (let call = 0; call < 6; call++)
        expect(await client.call('fixture.echo', { call })).toMatchObject({ ok: true, value: { echo: { call }, pid: providers[index]!.child.pid }, provider: { realm: realm.did } });
    } finally {
      await client.close();
    }
  }
  expect(providers.map(refusals)).toEqual([[], []]);
});

test('a caller of a realm no provider is enrolled in gets no_providers naming the realms, and sends nothing', async () => {
  const third = await startTestRealm(join(root, 'third'), 'development');
  realms.push(third);
  const client = await callerOf(third);
  try {
    const answer = await client.call('fixture.echo', {});
    expect(answer).toEqual({ ok: false, error: { code: 'no_providers', message: expect.stringMatching(/^no instance of fixture\.echo this instance can call: runtime-fixture instance \S+ is enrolled in realm did:key:\S+, and this instance in realm /) } });
    expect(answer.ok === false && answer.error.message.endsWith(`and this instance in realm ${third.did}`)).toBe(true);
  } finally {
    await client.close();
  }
  expect(providers.map(refusals)).toEqual([[], []]);
});
