// What verifying a UCAN costs (issue 11, "Speed"), all measured in one run, interleaved round by
// round so that whatever else the shared machine does hits every contender alike, as operations
// per second of this process's CPU time:
// - verifyUcan of a token with no proofs against a bare crypto.verify of an Ed25519 signature over
//   the same bytes with a ready KeyObject (the floor: parsing, CID, time and attenuation on top);
// - a chain of three tokens against a third of the bare rate (three signatures to check);
// - @ucans/ucans (UCAN 0.8.1, the closest maintained library) verifying an equivalent token of its
//   own format with the same root and capability.
// Runs standalone (`node test/bench/ucan-verify.mjs`) or from run.mjs.
import { verify } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { generateKeyPair, issueUcan, verifyUcan } from '@hecate-om/ucan';
import * as ucans from '@ucans/ucans';

const ROUNDS = 15;
const ROUND_MS = 200;
const WARMUP_MS = 500;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value, digits = 2) => Number(value.toFixed(digits));

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * Operations per second of CPU time of `operation` (sync or async, awaited one at a time) over
 * about `ms` milliseconds: this process's CPU time, which the other load of a shared machine
 * inflates far less than it does wall time.
 */
async function rate(operation, ms) {
  let count = 0;
  const deadline = performance.now() + ms;
  const started = cpuMicros();
  while (performance.now() < deadline) {
    for (let index = 0; index < 50; index += 1) await operation();
    count += 50;
  }
  return (count * 1e6) / (cpuMicros() - started);
}

function fixtures() {
  const realm = generateKeyPair();
  const service = generateKeyPair();
  const peer = generateKeyPair();
  const caller = generateKeyPair();
  const now = Math.floor(Date.now() / 1000);
  const cap = { 'hecate://echo/*': { 'echo/*': [{}] } };
  const single = issueUcan({ issuer: realm, audience: service.did, capabilities: cap, expiration: now + 3600 });
  const first = issueUcan({ issuer: realm, audience: service.did, capabilities: cap, expiration: now + 3600 });
  const second = issueUcan({ issuer: service, audience: peer.did, capabilities: { 'hecate://echo/inbox/*': { 'echo/read': [{}] } }, expiration: now + 1800, proofs: [first.cid] });
  const third = issueUcan({ issuer: peer, audience: caller.did, capabilities: { 'hecate://echo/inbox/today': { 'echo/read': [{}] } }, expiration: now + 600, proofs: [second.cid] });
  const [header, payload, signature] = single.token.split('.');
  return {
    bare: { data: Buffer.from(`${header}.${payload}`), signature: Buffer.from(signature, 'base64url'), key: realm.publicKey },
    single: { token: single.token, options: { rootIssuers: [realm.did], audience: service.did } },
    chain: { token: third.token, options: { rootIssuers: [realm.did], audience: caller.did, proofs: new Map([[first.cid, first.token], [second.cid, second.token]]) } },
  };
}

async function ucansFixture() {
  const issuer = await ucans.EdKeypair.create();
  const audience = await ucans.EdKeypair.create();
  const capability = { with: { scheme: 'hecate', hierPart: '//echo/*' }, can: { namespace: 'echo', segments: ['*'] } };
  const ucan = await ucans.build({ issuer, audience: audience.did(), capabilities: [capability], lifetimeInSeconds: 3600 });
  const token = ucans.encode(ucan);
  const options = { audience: audience.did(), isRevoked: async () => false, requiredCapabilities: [{ capability, rootIssuer: issuer.did() }] };
  const check = await ucans.verify(token, options);
  if (!check.ok) throw new Error(`@ucans/ucans refused its own token: ${check.error}`);
  return { token, options };
}

/** ROUNDS rounds of every contender after a warm-up, alternating their order round by round. */
async function interleaved(contenders) {
  for (const operation of Object.values(contenders)) await rate(operation, WARMUP_MS);
  const names = Object.keys(contenders);
  const rounds = [];
  for (let index = 0; index < ROUNDS; index += 1) {
    const measured = {};
    for (const name of index % 2 === 0 ? names : [...names].reverse()) measured[name] = await rate(contenders[name], ROUND_MS);
    rounds.push(measured);
  }
  return rounds;
}

export default async function ucanVerifyBenchmark() {
  const f = fixtures();
  const theirs = await ucansFixture();
  for (const [name, { token, options }] of [['single', f.single], ['chain', f.chain]]) {
    const result = await verifyUcan(token, options);
    if (!result.ok) throw new Error(`${name} token refused: ${JSON.stringify(result.errors)}`);
  }
  const ours = {
    bare: () => verify(null, f.bare.data, f.bare.key, f.bare.signature),
    single: () => verifyUcan(f.single.token, f.single.options),
    chain: () => verifyUcan(f.chain.token, f.chain.options),
  };
  const rounds = await interleaved(ours);
  // @ucans/ucans leaves much garbage (its Ed25519 is JavaScript) whose collection would land in
  // the rounds of whatever runs next, so it is compared with verifyUcan in rounds of its own, after.
  const versus = await interleaved({ single: ours.single, ucans: () => ucans.verify(theirs.token, theirs.options) });
  const rateOf = (name) => median(rounds.map((measured) => measured[name]));
  const singleRatio = median(rounds.map((m) => m.single / m.bare));
  const chainRatio = median(rounds.map((m) => m.chain / (m.bare / 3)));
  const ucansRatio = median(versus.map((m) => m.single / m.ucans));
  const rows = [
    { measure: `bare crypto.verify Ed25519 per CPU s (median of ${ROUNDS} rounds)`, value: Math.round(rateOf('bare')) },
    { measure: 'verifyUcan, no proofs, per CPU s', value: Math.round(rateOf('single')) },
    { measure: 'ratio verifyUcan / bare (median per round)', value: round(singleRatio), budget: '>= 0.7', ok: singleRatio >= 0.7 },
    { measure: 'verifyUcan, chain of 3 tokens, per CPU s', value: Math.round(rateOf('chain')) },
    { measure: 'ratio chain / (bare / 3) (median per round)', value: round(chainRatio), budget: '>= 0.7', ok: chainRatio >= 0.7 },
    { measure: '@ucans/ucans 0.12 verify, no proofs, per CPU s', value: Math.round(median(versus.map((m) => m.ucans))) },
    { measure: 'ratio verifyUcan / @ucans/ucans (median per round; aim > 1)', value: round(ucansRatio) },
  ];
  return { title: 'UCAN verification against bare Ed25519 and @ucans/ucans (same run)', rows };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await ucanVerifyBenchmark();
  console.log(result.title);
  console.table(result.rows);
  if (result.rows.some((row) => row.ok === false)) process.exitCode = 1;
}
