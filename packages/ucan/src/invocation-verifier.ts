import { ucanCid } from './cid.js';
import type { Capability } from './capabilities.js';
import type { UcanError, UcanErrorCode } from './codes.js';
import { grantsCapability } from './grants.js';
import { INVOCATION_MAX_LIFETIME_SECONDS } from './invocation.js';
import { VERIFY_DEFAULTS, type RootIssuer } from './options.js';
import { DEFAULT_MAX_TOKEN_BYTES, parseUcan } from './parse.js';
import { ProofCache, type ProofCacheOptions } from './proof-cache.js';
import { ReplayCache, type ReplayCacheOptions } from './replay-cache.js';
import { verifyParsedUcan, type VerifiedUcan, type VerifyResult } from './verify.js';

/**
 * Why an invocation was refused, one reason per kind of failure, in the order they are chosen:
 * when several apply (a revoked credential also leaves the invocation unproven), the first listed
 * is reported. Callers switch on `reason`; the package README renders this table.
 */
export const INVOCATION_REFUSALS = {
  malformed: { rule: 'the invocation and every proof it carries are well-formed UCANs (at most maxProofs carried)', codes: ['UCAN_TOO_LARGE', 'UCAN_FORMAT', 'UCAN_JSON', 'UCAN_ALG_NONE', 'UCAN_ALG', 'UCAN_TYP', 'UCAN_PAYLOAD', 'UCAN_VERSION', 'UCAN_DID'] },
  not_an_invocation: { rule: 'an invocation has a nonce (nnc) and expires at most maxLifetimeSeconds from now', codes: [] },
  misaddressed: { rule: "the invocation's aud is this verifier's DID", codes: ['UCAN_AUDIENCE'] },
  replayed: { rule: 'an invocation is accepted once (by CID, until it expires)', codes: [] },
  replay_cache_full: { rule: 'the replay cache has room: it holds maxEntries unexpired invocations at most', codes: [] },
  revoked: { rule: 'no token of the chain is revoked', codes: ['UCAN_REVOKED'] },
  expired: { rule: 'every token of the chain is within its time bounds', codes: ['UCAN_EXPIRED', 'UCAN_NOT_YET_VALID'] },
  bad_signature: { rule: "every token of the chain is signed by its issuer's key", codes: ['UCAN_SIGNATURE'] },
  broken_chain: {
    rule: 'every proof is carried, hashes to its CID, is addressed to its child\'s issuer and encloses its time bounds',
    codes: ['UCAN_PROOF_UNRESOLVABLE', 'UCAN_PROOF_CID_MISMATCH', 'UCAN_PROOF_TIME_BOUNDS', 'UCAN_PRINCIPAL_ALIGNMENT', 'UCAN_VERSION_ORDER', 'UCAN_PROOF_REFERENCE', 'UCAN_PROOF_LIMIT'],
  },
  escalated: { rule: 'every capability claimed derives from a root issuer through the proofs (none claims more than it was given)', codes: ['UCAN_ATTENUATION'] },
  not_granted: { rule: 'the verified chain grants the capability invoked', codes: [] },
} as const satisfies Record<string, { rule: string; codes: readonly UcanErrorCode[] }>;

export type InvocationRefusalReason = keyof typeof INVOCATION_REFUSALS;

export interface InvocationRefusal {
  reason: InvocationRefusalReason;
  /**
   * `reason: what was found`, naming the token by CID: the broken UCAN rules (each `CODE in token
   * <cid>: found (rule broken: rule)`), those behind `reason` first; or, for a rule of the verifier
   * itself, `reason: found (rule broken: rule)`.
   */
  message: string;
  /** The UCAN rules broken, when verification of the chain found them. */
  errors: UcanError[];
}

/** An invocation accepted: who asked, which token (now remembered until it expires), and its verified chain. */
export interface AcceptedInvocation {
  cid: string;
  issuer: string;
  /** Unix seconds. */
  expiresAt: number;
  ucan: VerifiedUcan;
}

export type InvocationVerdict = { ok: true; invocation: AcceptedInvocation } | { ok: false; error: InvocationRefusal };

export interface InvocationVerifierOptions {
  /** This receiver's DID: an invocation must be addressed to it. */
  audience: string;
  /** The trust roots, as for verifyUcan. */
  rootIssuers: readonly RootIssuer[];
  /** Asked for every token of the chain, cached proofs included. @default none is revoked */
  isRevoked?: (cid: string) => boolean | Promise<boolean>;
  /** @default 60 */
  clockSkewSeconds?: number;
  /** The longest lifetime accepted, measured from now. @default 60 */
  maxLifetimeSeconds?: number;
  /** @default 64 */
  maxProofs?: number;
  replayCache?: ReplayCacheOptions;
  proofCache?: ProofCacheOptions;
  /** The clock, Unix seconds. @default the system clock */
  now?: () => number;
}

export interface InvocationVerifier {
  /**
   * Verifies `token` as an invocation of `capability`, with the tokens it carries as proofs:
   * well-formed, a nonce and a short lifetime, addressed to this receiver, never seen before,
   * its chain valid to a root issuer and not revoked, and granting the capability. Resolves to
   * the accepted invocation or the reason it was refused; rejects only when `isRevoked` throws.
   */
  verify(token: unknown, proofs: readonly unknown[], capability: Capability): Promise<InvocationVerdict>;
  readonly replayCache: ReplayCache;
  readonly proofCache: ProofCache;
}

/**
 * A receiver's checks of UCAN invocations (spec 6.2.1 recipient validation, 6.2.2 uniqueness,
 * 9.2 memoized validation, 9.3 replay prevention), holding a replay cache and a verified-proof
 * cache, so that a call whose proofs were seen before costs one signature check.
 */
export function createInvocationVerifier(options: InvocationVerifierOptions): InvocationVerifier {
  const skew = options.clockSkewSeconds ?? VERIFY_DEFAULTS.clockSkewSeconds;
  const maxLifetime = options.maxLifetimeSeconds ?? INVOCATION_MAX_LIFETIME_SECONDS;
  const maxProofs = options.maxProofs ?? VERIFY_DEFAULTS.maxProofs;
  const clock = options.now ?? ((): number => Math.floor(Date.now() / 1000));
  const replayCache = new ReplayCache(options.replayCache);
  const proofCache = new ProofCache(options.proofCache);
  const { audience, rootIssuers, isRevoked } = options;

  async function verify(token: unknown, proofs: readonly unknown[], capability: Capability): Promise<InvocationVerdict> {
    const now = clock();
    const parsed = parseUcan(token);
    if (!parsed.ok) return refuseFor('malformed', parsed.errors);
    const { cid, payload } = parsed.ucan;
    if (proofs.length > maxProofs) return refuse('malformed', `invocation ${cid} carries ${proofs.length} proofs, at most ${maxProofs}`);
    if (typeof payload.nnc !== 'string' || payload.nnc === '') return refuse('not_an_invocation', `invocation ${cid} has no nonce (nnc)`);
    if (payload.exp === null || payload.exp > now + maxLifetime + skew)
      return refuse('not_an_invocation', `invocation ${cid} expires at ${payload.exp ?? 'never'}, more than ${maxLifetime} s after now (${now}, clock skew ${skew} s)`);
    const claim = replayCache.claim(cid, payload.exp, now, skew);
    if (claim === 'replayed') return refuse('replayed', `invocation ${cid} was accepted before`);
    if (claim === 'full') return refuse('replay_cache_full', `${replayCache.maxEntries} unexpired invocations are held; invocation ${cid} cannot be remembered`);
    // Proofs are hashed only when one is looked up: with the proof cache warm, none is.
    let byCid: Map<string, string> | undefined;
    const lookup = (wanted: string): string | undefined => (byCid ??= indexProofs(proofs)).get(wanted);
    let verified: VerifyResult;
    try {
      verified = await verifyParsedUcan(parsed.ucan, { rootIssuers, audience, now, clockSkewSeconds: skew, isRevoked, proofs: lookup, proofCache, maxProofs });
    } catch (error) {
      replayCache.release(cid);
      throw error;
    }
    const verdict = judge(verified, capability);
    if (!verdict.ok) replayCache.release(cid);
    return verdict;
  }

  return { verify, replayCache, proofCache };
}

/** The verdict on an invocation whose chain was verified as `verified` says: refused, or accepted if it grants `capability`. */
function judge(verified: VerifyResult, capability: Capability): InvocationVerdict {
  if (!verified.ok) return refuseFor(refusalReason(verified.errors), verified.errors);
  const { cid, payload } = verified.ucan;
  const wanted = { resource: capability.resource, ability: capability.ability, caveat: capability.caveat ?? {} };
  if (!grantsCapability(verified.ucan, wanted)) return refuse('not_granted', `invocation ${cid} does not prove ${wanted.ability} on ${wanted.resource}`);
  return { ok: true, invocation: { cid, issuer: payload.iss, expiresAt: payload.exp as number, ucan: verified.ucan } };
}

/** The first reason of INVOCATION_REFUSALS that one of `errors` falls under. */
function refusalReason(errors: readonly UcanError[]): InvocationRefusalReason {
  for (const [reason, { codes }] of Object.entries(INVOCATION_REFUSALS) as [InvocationRefusalReason, { codes: readonly UcanErrorCode[] }][])
    if (errors.some((error) => codes.includes(error.code))) return reason;
  return 'malformed';
}

/**
 * The carried proofs by CID. What is not a string, or is too large to be a token, is skipped
 * unhashed (hashing stays bounded), and so resolves nothing: verification then says what is missing.
 */
function indexProofs(proofs: readonly unknown[]): Map<string, string> {
  const byCid = new Map<string, string>();
  for (const proof of proofs)
    if (typeof proof === 'string' && proof.length <= DEFAULT_MAX_TOKEN_BYTES) byCid.set(ucanCid(proof), proof);
  return byCid;
}

/** A refusal by a rule of the verifier itself (nonce, lifetime, replay, grant), found as `detail` says. */
function refuse(reason: InvocationRefusalReason, detail: string): InvocationVerdict {
  return { ok: false, error: { reason, message: `${reason}: ${detail} (rule broken: ${INVOCATION_REFUSALS[reason].rule})`, errors: [] } };
}

/** A refusal for broken UCAN rules: those behind `reason` first, so the message leads with why it was chosen. */
function refuseFor(reason: InvocationRefusalReason, errors: UcanError[]): InvocationVerdict {
  const codes: readonly UcanErrorCode[] = INVOCATION_REFUSALS[reason].codes;
  const ordered = [...errors.filter((error) => codes.includes(error.code)), ...errors.filter((error) => !codes.includes(error.code))];
  const detail = ordered.length === 0 ? 'not a UCAN' : ordered.map((error) => error.message).join('; ');
  return { ok: false, error: { reason, message: `${reason}: ${detail}`, errors } };
}
