// `hecate-om mesh call --credential --key` (issue 12, section 8): the CLI calls as a service does,
// each attempt an invocation the provider verifies. A real nats-server, a real realm granting the
// credentials, a real provider process with authorization on.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '@hecate-om/contract';
import type { PolicyInput } from '@hecate-om/realm';
import { generateKeyPair, issueUcan, writeKeyFile, type KeyPair } from '@hecate-om/ucan';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { echoManifest } from '../../packages/runtime/test/manifest-fixture.js';
import { startAuthorizedProvider, startTestRealm, stopRealmRun, type TestRealm } from '../mesh/realm-provider.js';
import type { RunningRelease } from '../runtime/fixture-release.mjs';
import { useRuntimeFixture } from '../runtime/use-runtime-fixture.js';
import { useNatsServers } from '../support/nats-server.js';
import { repoRoot, runCli } from './support/cli.js';

const fixture = useRuntimeFixture();
const servers = useNatsServers(1);

const operator = generateKeyPair();
const stranger = generateKeyPair();
const operatorManifest: Manifest = { ...echoManifest, name: 'hecate-ops' };

function policy(): PolicyInput {
  return {
    name: 'mesh-cli-realm',
    services: {
      'runtime-fixture': { grants: { 'hecate://fixture/*': ['fixture/answer'] }, maxLifetimeSeconds: 3600, enroll: { joinTokens: true } },
      'hecate-ops': { grants: { 'hecate://echo/*': ['echo/*'] }, mesh: ['fixture.echo'], maxLifetimeSeconds: 3600, enroll: { dids: [operator.did] } },
    },
  };
}

let root: string;
let realm: TestRealm;
let provider: RunningRelease;
/** Files the tests pass to the CLI. */
const files = { key: '', strangerKey: '', credential: '', revoked: '', expired: '' };

async function keyFile(name: string, key: KeyPair): Promise<string> {
  const file = join(root, name);
  const written = await writeKeyFile(file, key);
  if (!written.ok) throw new Error(written.error.message);
  return file;
}

async function tokenFile(name: string, token: string): Promise<string> {
  const file = join(root, name);
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return file;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hecate-mesh-cli-'));
  realm = await startTestRealm(root, policy());
  files.key = await keyFile('operator.key', operator);
  files.strangerKey = await keyFile('stranger.key', stranger);
  files.credential = await tokenFile('operator.jwt', await realm.claim(operator, operatorManifest));
  const revoked = await realm.claim(operator, operatorManifest);
  // Revoked before the provider starts, so that the list it fetches with its first claim has it.
  await realm.revoke(revoked);
  files.revoked = await tokenFile('revoked.jwt', revoked);
  const now = Math.floor(Date.now() / 1000);
  const capabilities = { 'hecate://mesh/fixture.echo': { 'mesh/call': [{}] } };
  files.expired = await tokenFile('expired.jwt', issueUcan({ issuer: generateKeyPair(), audience: operator.did, capabilities, notBefore: now - 7200, expiration: now - 3600 }).token);
  provider = await startAuthorizedProvider(fixture.release().dir, root, realm, servers()[0]!.url);
});

afterAll(async () => {
  await stopRealmRun({ root, realms: [realm], providers: [provider] });
});

/** Each test runs the CLI up to three times, each a Node process that connects to NATS: slow on a busy machine. */
const CLI_TESTS_TIMEOUT_MS = 120_000;

/** Runs `mesh call` on this file's server, with no HECATE_* setting from the test's own environment. */
const call = (args: readonly string[]) =>
  runCli(['mesh', 'call', ...args, '--server', servers()[0]!.url], { cwd: repoRoot, env: { HECATE_MESH_URL: undefined, HECATE_REALM_DID: undefined } });

describe('hecate-om mesh ls on a realm', () => {
  test("shows each instance's health, DID and the realm it is enrolled in", async () => {
    const listed = await runCli(['mesh', 'ls', '--server', servers()[0]!.url, '--json'], { cwd: repoRoot, env: { HECATE_MESH_URL: undefined } });
    const [instance] = (JSON.parse(listed.stdout) as { instances: { instance: string; did: string; realm: string; health: string }[] }).instances;
    expect(instance).toMatchObject({ health: 'ok', realm: realm.did, did: expect.stringMatching(/^did:key:z6Mk/) });
    const text = await runCli(['mesh', 'ls', '--server', servers()[0]!.url], { cwd: repoRoot, env: { HECATE_MESH_URL: undefined } });
    expect(text.stdout).toBe(`1 instance on ${servers()[0]!.url}\nruntime-fixture@1.0.0 ${instance!.instance} ok\n  did ${instance!.did}\n  realm ${realm.did}\n  fixture.echo v2\n`);
  }, CLI_TESTS_TIMEOUT_MS);
});

describe('hecate-om mesh call --credential --key', () => {
  test('calls with the credential the realm granted: the provider verifies the invocation and answers', async () => {
    const answered = await call(['fixture.echo', '{"hello":"operator"}', '--credential', files.credential, '--key', files.key, '--realm-did', realm.did, '--json']);
    expect([answered.status, JSON.parse(answered.stdout)]).toEqual([0, expect.objectContaining({ ok: true, value: { echo: { hello: 'operator' }, pid: provider.child.pid } })]);
  }, CLI_TESTS_TIMEOUT_MS);

  test('without a credential the provider refuses the call: unauthorized, missing, exit 1', async () => {
    const refused = await call(['fixture.echo', '{}', '--json']);
    const refusedBy = expect.objectContaining({ service: 'runtime-fixture', did: expect.stringMatching(/^did:key:/) });
    expect([refused.status, JSON.parse(refused.stdout)]).toEqual([
      1,
      { ok: false, error: { code: 'unauthorized', reason: 'missing', message: expect.stringContaining('the call carries no invocation'), provider: refusedBy } },
    ]);
    const text = await call(['fixture.echo', '{}']);
    // On a mesh whose instances differ, the text names the one that refused.
    const { instance, did } = JSON.parse(refused.stdout).error.provider as { instance: string; did: string };
    expect(text.stdout).toMatch(new RegExp(`the call failed: unauthorized \\(missing\\) at runtime-fixture@1\\.0\\.0 ${instance} ${did}\\n$`));
  }, CLI_TESTS_TIMEOUT_MS);

  test('a credential the realm revoked is refused by the provider: unauthorized, revoked, exit 1', async () => {
    const refused = await call(['fixture.echo', '{}', '--credential', files.revoked, '--key', files.key, '--json']);
    expect([refused.status, JSON.parse(refused.stdout)]).toEqual([
      1,
      { ok: false, error: { code: 'unauthorized', reason: 'revoked', message: expect.stringMatching(/^revoked: UCAN_REVOKED /), provider: expect.objectContaining({ service: 'runtime-fixture' }) } },
    ]);
  }, CLI_TESTS_TIMEOUT_MS);

  test('refuses, before calling and naming the flag, a key that is not the credential audience', async () => {
    const refused = await call(['fixture.echo', '{}', '--credential', files.credential, '--key', files.strangerKey]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`--key: ${files.strangerKey} is the key of ${stranger.did}, but the credential `);
    expect(refused.stderr).toContain(`is addressed to ${operator.did}`);
  }, CLI_TESTS_TIMEOUT_MS);

  test('refuses an expired credential, one not granting the capability, and one of another realm, naming --credential, exit 2 with --json', async () => {
    const expired = await call(['fixture.echo', '{}', '--credential', files.expired, '--key', files.key, '--json']);
    expect(expired.status).toBe(2);
    expect(JSON.parse(expired.stdout).error.problems).toEqual([{ flag: '--credential', message: expect.stringMatching(/^the credential \S+ \(.+expired\.jwt\) expired at \d{4}-\d\d-\d\dT/), hint: expect.any(String) }]);
    const notGranted = await call(['billing.charge', '{}', '--credential', files.credential, '--key', files.key, '--json']);
    expect(JSON.parse(notGranted.stdout).error.problems).toEqual([
      expect.objectContaining({ flag: '--credential', message: expect.stringMatching(/does not grant mesh\/call on hecate:\/\/mesh\/billing\.charge; it grants it on hecate:\/\/mesh\/fixture\.echo$/) }),
    ]);
    const otherRealm = await call(['fixture.echo', '{}', '--credential', files.credential, '--key', files.key, '--realm-did', generateKeyPair().did, '--json']);
    expect(JSON.parse(otherRealm.stdout).error.problems).toEqual([expect.objectContaining({ flag: '--credential', message: expect.stringContaining('does not verify to the realm did:key:') })]);
  }, CLI_TESTS_TIMEOUT_MS);

  test('refuses --credential without --key, and an unreadable key file, naming each', async () => {
    const alone = await call(['fixture.echo', '{}', '--credential', files.credential]);
    expect([alone.status, alone.stderr]).toEqual([2, expect.stringContaining('--key: is needed with --credential: a call is signed by the key its credential is addressed to')]);
    const missing = await call(['fixture.echo', '{}', '--credential', files.credential, '--key', join(root, 'nowhere.key')]);
    expect([missing.status, missing.stderr]).toEqual([2, expect.stringContaining(`--key: `)]);
    expect(missing.stderr).toContain('nowhere.key');
  }, CLI_TESTS_TIMEOUT_MS);
});
