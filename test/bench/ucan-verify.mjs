// What verifying a UCAN costs (issue 11, "Speed"), all measured in one run, interleaved round by
// round so that whatever else the shared machine does hits every contender alike, as operations
// per second of this process's CPU time:
// - verifyUcan of a token with no proofs against a bare crypto.verify of an Ed25519 signature over
//   the same bytes with a ready KeyObject (the floor: parsing, CID, time and attenuation on top);
// - a chain of three tokens against a third of the bare rate (three signatures to check), cold
//   (every token of every chain fresh: nothing verified before) and warm (a fresh token citing
//   proofs a ProofCache verified before: one signature to check, spec 9.2), also against the
//   bare rate itself (the floor of a warm chain is one signature);
// - @ucans/ucans (UCAN 0.8.1, the closest maintained library) verifying an equivalent token of its
//   own format with the same root and capability.
// Runs standalone (`node test/bench/ucan-verify.mjs`) or from run.mjs.
import { verify } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { generateKeyPair, issueUcan, ProofCache, verifyUcan } from '@hecate-om/ucan';
import * as ucans from '@ucans/ucans';
import { runWhenMain } from './support/report.mjs';

const ROUNDS = 15;
const ROUND_MS = 200;
const WARMUP_MS = 500;
/** Fresh tokens signed before each round (untimed) for the cold and warm chains: about a round's worth. */
const FRESH_CHAINS = 250;
const FRESH_INVOCATIONS = 600;

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
  /** realm → service → peer → caller; `nonce` makes every token of it new. */
  const chain = (nonce) => {
    const first = issueUcan({ issuer: realm, audience: service.did, capabilities: cap, expiration: now + 3600, nonce });
    const second = issueUcan({ issuer: service, audience: peer.did, capabilities: { 'hecate://echo/inbox/*': { 'echo/read': [{}] } }, expiration: now + 1800, nonce, proofs: [first.cid] });
    return { first, second, third: top(second, nonce) };
  };
  const top = (second, nonce) =>
    issueUcan({ issuer: peer, audience: caller.did, capabilities: { 'hecate://echo/inbox/today': { 'echo/read': [{}] } }, expiration: now + 600, nonce, proofs: [second.cid] });
  const chainOptions = ({ first, second }, proofCache) => ({
    rootIssuers: [realm.did],
    audience: caller.did,
    proofs: new Map([[first.cid, first.token], [second.cid, second.token]]),
    proofCache,
  });
  const [header, payload, signature] = single.token.split('.');
  let fresh = 0;
  const warmChain = chain('warm');
  const warmOptions = chainOptions(warmChain, new ProofCache());
  return {
    bare: { data: Buffer.from(`${header}.${payload}`), signature: Buffer.from(signature, 'base64url'), key: realm.publicKey },
    single: { token: single.token, options: { rootIssuers: [realm.did], audience: service.did } },
    /** FRESH_CHAINS chains no verifier has seen, each with its options. */
    coldChains: () => Array.from({ length: FRESH_CHAINS }, () => {
      const made = chain(`cold-${(fresh += 1)}`);
      return { token: made.third.token, options: chainOptions(made) };
    }),
    /** FRESH_INVOCATIONS new top tokens citing the warm chain's proofs, which its ProofCache holds after the first. */
    warmTops: () => Array.from({ length: FRESH_INVOCATIONS }, () => ({ token: top(warmChain.second, `warm-${(fresh += 1)}`).token, options: warmOptions })),
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

/** Operations per second of CPU time of verifying each of `items` once (made before, untimed). */
async function rateOverEach(items) {
  const started = cpuMicros();
  for (const { token, options } of items) {
    const result = await verifyUcan(token, options);
    if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  }
  return (items.length * 1e6) / (cpuMicros() - started);
}

/**
 * ROUNDS rounds of every contender after a warm-up, alternating their order round by round. A
 * contender is an operation (measured for ROUND_MS) or `{ fresh }`, a maker of items verified
 * once each (made before the round, untimed).
 */
async function interleaved(contenders) {
  const measure = (contender, ms) => (typeof contender === 'function' ? rate(contender, ms) : rateOverEach(contender.fresh()));
  for (const contender of Object.values(contenders)) await measure(contender, WARMUP_MS);
  const names = Object.keys(contenders);
  const rounds = [];
  for (let index = 0; index < ROUNDS; index += 1) {
    const measured = {};
    for (const name of index % 2 === 0 ? names : [...names].reverse()) measured[name] = await measure(contenders[name], ROUND_MS);
    rounds.push(measured);
  }
  return rounds;
}

export default async function ucanVerifyBenchmark() {
  const f = fixtures();
  const theirs = await ucansFixture();
  const single = await verifyUcan(f.single.token, f.single.options);
  if (!single.ok) throw new Error(`single token refused: ${JSON.stringify(single.errors)}`);
  const ours = {
    bare: () => verify(null, f.bare.data, f.bare.key, f.bare.signature),
    single: () => verifyUcan(f.single.token, f.single.options),
    cold: { fresh: f.coldChains },
    warm: { fresh: f.warmTops },
  };
  const rounds = await interleaved(ours);
  // @ucans/ucans leaves much garbage (its Ed25519 is JavaScript) whose collection would land in
  // the rounds of whatever runs next, so it is compared with verifyUcan in rounds of its own, after.
  const versus = await interleaved({ single: ours.single, ucans: () => ucans.verify(theirs.token, theirs.options) });
  const rateOf = (name) => median(rounds.map((measured) => measured[name]));
  const singleRatio = median(rounds.map((m) => m.single / m.bare));
  const coldRatio = median(rounds.map((m) => m.cold / (m.bare / 3)));
  const warmRatio = median(rounds.map((m) => m.warm / (m.bare / 3)));
  const warmFloor = median(rounds.map((m) => m.warm / m.bare));
  const ucansRatio = median(versus.map((m) => m.single / m.ucans));
  const rows = [
    { measure: `bare crypto.verify Ed25519 per CPU s (median of ${ROUNDS} rounds)`, value: Math.round(rateOf('bare')) },
    { measure: 'verifyUcan, no proofs, per CPU s', value: Math.round(rateOf('single')) },
    { measure: 'ratio verifyUcan / bare (median per round)', value: round(singleRatio), budget: '>= 0.7', ok: singleRatio >= 0.7 },
    { measure: 'verifyUcan, chain of 3 fresh tokens (cold), per CPU s', value: Math.round(rateOf('cold')) },
    { measure: 'ratio cold chain / (bare / 3) (median per round)', value: round(coldRatio), budget: '>= 0.7', ok: coldRatio >= 0.7 },
    { measure: 'verifyUcan, chain of 3, proofs cached (warm), per CPU s', value: Math.round(rateOf('warm')) },
    { measure: 'ratio warm chain / (bare / 3) (median per round)', value: round(warmRatio), budget: '>= 0.7', ok: warmRatio >= 0.7 },
    { measure: 'ratio warm chain / bare (one signature: its floor)', value: round(warmFloor), budget: '>= 0.7', ok: warmFloor >= 0.7 },
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

await runWhenMain(import.meta.url, ucanVerifyBenchmark);
