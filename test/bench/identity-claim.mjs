// What identity costs (issue 11, "Speed"): the claim round trip against a local realm, beside a
// plain GET to the same realm; and the boot of a release to /health/ready with a realm (first boot:
// key created and credential claimed; restart: both reused) against the same release without one.
// Runs standalone (`node test/bench/identity-claim.mjs`) or from run.mjs.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startRealm } from '@hecate-om/realm';
import { deriveManifest } from '@hecate-om/contract';
import { generateKeyPair } from '@hecate-om/ucan';
import { buildRuntimeFixture, contractValuesOfFixture, httpGet, removeRelease, runRelease } from '../runtime/fixture-release.mjs';
import { runWhenMain } from './support/report.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const { claimCredential } = await import(pathToFileURL(join(repoRoot, 'packages/runtime/dist/identity/realm-client.js')).href);
const { checkCredential } = await import(pathToFileURL(join(repoRoot, 'packages/runtime/dist/identity/credential.js')).href);
const { deriveUcanRequest } = await import('@hecate-om/contract');

const CLAIM = { warmup: 20, rounds: 7, perRound: 40 };
const BOOT_ROUNDS = 7;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value, digits = 2) => Number(value.toFixed(digits));

/** Milliseconds per call of `fn`, over `count` calls one after another. */
async function perCall(fn, count) {
  const started = performance.now();
  for (let index = 0; index < count; index += 1) await fn();
  return (performance.now() - started) / count;
}

async function claimRoundTrip(realm, request) {
  const keyPair = generateKeyPair();
  const claim = async () => {
    const answer = await claimCredential({ realmUrl: realm.url, realmDid: realm.did, keyPair, request, joinToken: undefined, now: Math.floor(Date.now() / 1000) });
    if (!answer.ok) throw new Error(answer.message);
    const checked = await checkCredential(answer.value.credential, {
      realmDid: realm.did,
      did: keyPair.did,
      asked: request.cap,
      now: Math.floor(Date.now() / 1000),
      revoked: new Set(),
    });
    if (!checked.ok) throw new Error(checked.message);
  };
  const plain = async () => {
    const response = await fetch(`${realm.url}/api/v1/realm`);
    await response.json();
  };
  await perCall(claim, CLAIM.warmup);
  await perCall(plain, CLAIM.warmup);
  const rounds = [];
  // Alternating which goes first, so that whatever else the shared machine does hits both alike.
  for (let index = 0; index < CLAIM.rounds; index += 1) {
    const entry = {};
    for (const kind of index % 2 === 0 ? ['claim', 'plain'] : ['plain', 'claim'])
      entry[`${kind}Ms`] = await perCall(kind === 'claim' ? claim : plain, CLAIM.perRound);
    rounds.push(entry);
  }
  return rounds;
}

async function timeToReady(dir, env) {
  const started = performance.now();
  const run = runRelease(dir, { HECATE_LOG_LEVEL: 'warn', ...env });
  const port = await run.port();
  for (;;) {
    if ((await httpGet(port, '/health/ready')).status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const elapsed = performance.now() - started;
  run.kill('SIGTERM');
  await run.exited;
  return elapsed;
}

async function bootCost(releaseDir, realm) {
  const rounds = [];
  for (let index = 0; index < BOOT_ROUNDS; index += 1) {
    const instance = await mkdtemp(join(tmpdir(), 'hecate-bench-identity-'));
    // The directories an operator mounts: the runtime checks them at boot and creates none.
    for (const dir of ['secrets', 'state', 'bare']) await mkdir(join(instance, dir), { mode: 0o700 });
    const env = { HECATE_REALM_URL: realm.url, HECATE_REALM_DID: realm.did, HECATE_SECRETS_DIR: join(instance, 'secrets'), HECATE_STATE_DIR: join(instance, 'state') };
    const bare = await timeToReady(releaseDir, { HECATE_STATE_DIR: join(instance, 'bare') });
    const first = await timeToReady(releaseDir, env);
    const restart = await timeToReady(releaseDir, env);
    rounds.push({ bare, first, restart });
    await rm(instance, { recursive: true, force: true });
  }
  return rounds;
}

export default async function identityClaimBenchmark() {
  const dataDir = await mkdtemp(join(tmpdir(), 'hecate-bench-realm-'));
  const started = await startRealm({ dataDir, dev: true, port: 0, log: () => {}, banner: () => {} });
  if (!started.ok) throw new Error(started.error.message);
  const realm = started.value;
  const release = await buildRuntimeFixture();
  try {
    const request = deriveUcanRequest(deriveManifest(await contractValuesOfFixture('runtime-service'), { imageRepository: 'ghcr.io/hecate-om', license: 'Apache-2.0', runtimeVersion: '0.1.0' }));
    const claims = await claimRoundTrip(realm, request);
    const boots = await bootCost(release.dir, realm);
    const claimMs = median(claims.map((entry) => entry.claimMs));
    const plainMs = median(claims.map((entry) => entry.plainMs));
    const claimRatio = median(claims.map((entry) => entry.claimMs / entry.plainMs));
    const firstRatio = median(boots.map((entry) => entry.first / entry.bare));
    const restartRatio = median(boots.map((entry) => entry.restart / entry.bare));
    return {
      title: 'identity: claim round trip against a local realm, and boot with a realm against boot without (same run; the machine may be shared)',
      rows: [
        { measure: 'GET /api/v1/realm round trip ms (median)', value: round(plainMs, 3) },
        { measure: 'claim round trip ms: provision UCAN, POST, credential checked (median)', value: round(claimMs, 3) },
        { measure: 'claim / plain GET ratio (median of rounds)', value: round(claimRatio) },
        { measure: 'boot to ready without a realm ms (median)', value: round(median(boots.map((entry) => entry.bare)), 1) },
        { measure: 'first boot with a realm ms: key created, credential claimed (median)', value: round(median(boots.map((entry) => entry.first)), 1) },
        { measure: 'restart with a realm ms: key and credential reused (median)', value: round(median(boots.map((entry) => entry.restart)), 1) },
        { measure: 'first boot with / without a realm (median of rounds)', value: round(firstRatio) },
        { measure: 'restart with / without a realm (median of rounds)', value: round(restartRatio) },
      ],
    };
  } finally {
    await removeRelease(release.dir);
    await realm.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await identityClaimBenchmark();
  console.log(result.title);
  console.table(result.rows);
}

await runWhenMain(import.meta.url, identityClaimBenchmark);
