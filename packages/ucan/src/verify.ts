import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { ucanCid } from './cid.js';
import { ucanError, type UcanError, type UcanErrorCode } from './codes.js';
import { publicKeyFromDid } from './did-key.js';
import { resolveVerifyOptions, type ResolvedVerifyOptions, type VerifyOptions } from './options.js';
import { parseToken, type ParsedUcan, type ParseResult } from './parse.js';
import { compareVersions, type UcanPayload } from './payload.js';
import { deriveAuthority, type AuthorityEntry } from './authority.js';
import type { CachedProof } from './proof-cache.js';

/** A token whose signature, time bounds and whole proof chain are valid. */
export interface VerifiedUcan extends ParsedUcan {
  /**
   * What the chain proves the audience may do: each capability of the token, and those it delegates
   * through `ucan:` references, with the root issuer (`owner`) it derives from.
   */
  authority: AuthorityEntry[];
  /** The proofs that were resolved and valid, themselves verified. */
  proofs: VerifiedUcan[];
}

export type VerifyResult = { ok: true; ucan: VerifiedUcan } | { ok: false; errors: UcanError[] };

/** Ed25519 signatures are 64 bytes (RFC 8032). */
const SIGNATURE_BYTES = 64;
/** Importing a key costs as much as a verification; a verifier sees few distinct issuers. */
const KEY_CACHE_SIZE = 1024;
const keyCache = new Map<string, KeyObject>();

interface Verification {
  options: ResolvedVerifyOptions;
  /** Each proof is resolved and verified once per call, however many tokens list it (spec 9.2). */
  proofs: Map<string, Promise<VerifyResult>>;
  /** Proofs looked up so far, counted before each lookup starts (nested ones start within it). */
  lookups: number;
}

/**
 * Verifies a UCAN 0.10 token and its proof chain against the rules of the specification's
 * validation section (every rule has a code: see UCAN_RULES). Resolves to `{ ok: true, ucan }` or
 * `{ ok: false, errors }`, each error naming its rule, code and the CID of the token that broke it.
 * Malformed input never throws; work is bounded by maxTokenBytes, maxProofDepth and maxProofs.
 * Throws (rejects) only for invalid options, or when `isRevoked` itself throws (failing closed).
 */
export async function verifyUcan(token: unknown, options: VerifyOptions): Promise<VerifyResult> {
  const verification: Verification = { options: resolveVerifyOptions(options), proofs: new Map(), lookups: 0 };
  const result = await verifyToken(verification, parseToken(token, verification.options.maxTokenBytes, undefined), 0);
  return result.ok ? result : { ok: false, errors: uniqueErrors(result.errors) };
}

/** verifyUcan of a token parseUcan accepted (within options.maxTokenBytes), which is not parsed again. */
export async function verifyParsedUcan(parsed: ParsedUcan, options: VerifyOptions): Promise<VerifyResult> {
  const verification: Verification = { options: resolveVerifyOptions(options), proofs: new Map(), lookups: 0 };
  const result = await verifyToken(verification, { ok: true, ucan: parsed }, 0);
  return result.ok ? result : { ok: false, errors: uniqueErrors(result.errors) };
}

async function verifyToken(verification: Verification, parsed: ParseResult, depth: number): Promise<VerifyResult> {
  const { options } = verification;
  if (!parsed.ok) return parsed;
  const ucan = parsed.ucan;
  const errors = ownErrors(ucan, options);
  if (depth === 0 && options.audience !== undefined && withoutFragment(ucan.payload.aud) !== withoutFragment(options.audience))
    errors.push(ucanError('UCAN_AUDIENCE', ucan.cid, `aud is ${ucan.payload.aud}, this verifier is ${options.audience}`));
  const revokedNow = revoked(options, ucan.cid);
  if (typeof revokedNow === 'boolean' ? revokedNow : await revokedNow)
    errors.push(ucanError('UCAN_REVOKED', ucan.cid, 'the token is on the revocation list'));
  if (errors.length > 0) return { ok: false, errors };

  const usable: VerifiedUcan[] = [];
  const unusable = new Map<string, UcanError[]>();
  const prf = ucan.payload.prf ?? [];
  for (const cid of prf.length < 2 ? prf : new Set(prf)) {
    const proof = await resolveProof(verification, cid, depth + 1);
    if (!proof.ok) unusable.set(cid, proof.errors);
    else {
      errors.push(...delegationErrors(ucan, proof.ucan));
      usable.push(proof.ucan);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const derived = deriveAuthority(ucan, usable, unusable, options.rootIssuers);
  if (derived.errors.length > 0) return { ok: false, errors: derived.errors };
  // Extended in place rather than spread, which would read (and so compute) the lazy CID.
  return { ok: true, ucan: Object.assign(ucan, { authority: derived.authority, proofs: usable }) };
}

/** Rules a token meets or breaks on its own: issuer key, signature, time bounds (spec 3.2.2, 6.1). */
function ownErrors(ucan: ParsedUcan, options: ResolvedVerifyOptions): UcanError[] {
  const errors: UcanError[] = [];
  const { iss, nbf, exp } = ucan.payload;
  const key = issuerKey(withoutFragment(iss));
  if (typeof key === 'string') errors.push(ucanError('UCAN_DID', ucan.cid, key));
  // The signing input is base64url and a dot (parse checked it), so its latin1 bytes are its UTF-8.
  else if (ucan.signature.length !== SIGNATURE_BYTES || !verifySignature(null, Buffer.from(ucan.signingInput, 'latin1'), key, ucan.signature))
    errors.push(ucanError('UCAN_SIGNATURE', ucan.cid, `the signature does not verify with the key of ${iss}`));
  const { now, clockSkewSeconds: skew } = options;
  if (nbf !== undefined && now + skew < nbf)
    errors.push(ucanError('UCAN_NOT_YET_VALID', ucan.cid, `nbf is ${nbf}, now is ${now} (clock skew ${skew} s)`));
  if (exp !== null && now - skew > exp)
    errors.push(ucanError('UCAN_EXPIRED', ucan.cid, `exp is ${exp}, now is ${now} (clock skew ${skew} s)`));
  return errors;
}

/** The public key of an issuer's did:key, or why there is none; keys are cached by DID. */
function issuerKey(did: string): KeyObject | string {
  const cached = keyCache.get(did);
  if (cached !== undefined) return cached;
  const result = publicKeyFromDid(did);
  if (!result.ok) return `iss: ${result.message}`;
  if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(did, result.publicKey);
  return result.publicKey;
}

/**
 * Rules between a token and one of its proofs, which make the token itself invalid (spec 6.1
 * timely delegation, 6.2 principal alignment, 6.7 version order). Reported on the child's CID.
 */
function delegationErrors(child: ParsedUcan, proof: ParsedUcan): UcanError[] {
  const errors: UcanError[] = [];
  const c: UcanPayload = child.payload;
  const p: UcanPayload = proof.payload;
  if (withoutFragment(p.aud) !== withoutFragment(c.iss))
    errors.push(ucanError('UCAN_PRINCIPAL_ALIGNMENT', child.cid, `proof ${proof.cid} is for ${p.aud}, but this token's issuer is ${c.iss}`));
  if ((p.nbf ?? 0) > (c.nbf ?? 0))
    errors.push(ucanError('UCAN_PROOF_TIME_BOUNDS', child.cid, `proof ${proof.cid} starts (nbf ${p.nbf}) after this token (nbf ${c.nbf ?? 'none'})`));
  if (p.exp !== null && (c.exp === null || c.exp > p.exp))
    errors.push(ucanError('UCAN_PROOF_TIME_BOUNDS', child.cid, `proof ${proof.cid} expires (exp ${p.exp}) before this token (exp ${c.exp})`));
  if (compareVersions(c.ucv, p.ucv) < 0)
    errors.push(ucanError('UCAN_VERSION_ORDER', child.cid, `ucv ${c.ucv} is older than proof ${proof.cid}'s ${p.ucv}`));
  return errors;
}

function resolveProof(verification: Verification, cid: string, depth: number): Promise<VerifyResult> {
  const { options, proofs } = verification;
  const known = proofs.get(cid);
  if (known !== undefined) return known;
  if (depth > options.maxProofDepth)
    return failure('UCAN_PROOF_LIMIT', cid, `the proof chain is deeper than maxProofDepth (${options.maxProofDepth})`);
  if (verification.lookups >= options.maxProofs)
    return failure('UCAN_PROOF_LIMIT', cid, `the chain lists more than maxProofs (${options.maxProofs}) proofs`);
  const cached = options.proofCache?.get(cid, options.now, options.clockSkewSeconds);
  const result =
    cached !== undefined && depth + cached.height <= options.maxProofDepth && verification.lookups + cached.cids.length <= options.maxProofs
      ? reuseProof(verification, cached, depth)
      : lookUpProof(verification, cid, depth);
  proofs.set(cid, result);
  return result;
}

/** A cached proof, unless a token of its chain has been revoked since: then its chain is verified afresh. */
async function reuseProof(verification: Verification, cached: CachedProof, depth: number): Promise<VerifyResult> {
  const { options } = verification;
  verification.lookups += cached.cids.length;
  if (options.isRevoked !== undefined)
    for (const cid of cached.cids) {
      const revokedNow = revoked(options, cid);
      if (typeof revokedNow === 'boolean' ? revokedNow : await revokedNow) {
        options.proofCache?.delete(cached.ucan.cid);
        verification.lookups -= cached.cids.length;
        return lookUpProof(verification, cached.ucan.cid, depth);
      }
    }
  return { ok: true, ucan: cached.ucan };
}

async function lookUpProof(verification: Verification, cid: string, depth: number): Promise<VerifyResult> {
  const { options } = verification;
  verification.lookups += 1;
  let token: unknown;
  try {
    const found = options.lookup(cid);
    // A map or record answers at once; awaiting only what may be a promise saves a microtask turn.
    token = typeof found === 'string' || found === undefined ? found : await found;
  } catch (error) {
    return failure('UCAN_PROOF_UNRESOLVABLE', cid, `looking the proof up failed: ${(error as Error)?.message ?? String(error)}`);
  }
  if (token === undefined) return failure('UCAN_PROOF_UNRESOLVABLE', cid, 'no proof with this CID was given');
  if (typeof token !== 'string') return failure('UCAN_PROOF_UNRESOLVABLE', cid, `the lookup gave ${typeof token}, not a token`);
  if (token.length > options.maxTokenBytes)
    return failure('UCAN_TOO_LARGE', cid, `the proof is over maxTokenBytes (${options.maxTokenBytes})`);
  const actual = ucanCid(token);
  if (actual !== cid) return failure('UCAN_PROOF_CID_MISMATCH', cid, `the token given for it hashes to ${actual}`);
  const verified = await verifyToken(verification, parseToken(token, options.maxTokenBytes, cid), depth);
  if (verified.ok) options.proofCache?.set(verified.ucan);
  return verified;
}

/**
 * Whether `cid` is revoked, as `isRevoked` answers it. Callers await only a promise: a synchronous
 * answer (a set of revoked CIDs, the common case) awaited would cost a microtask turn per token.
 */
function revoked(options: ResolvedVerifyOptions, cid: string): boolean | Promise<boolean> {
  return options.isRevoked === undefined ? false : options.isRevoked(cid);
}

/** Principal alignment ignores DID fragments, which only say which key signed (spec 6.2). */
function withoutFragment(did: string): string {
  const hash = did.indexOf('#');
  return hash === -1 ? did : did.slice(0, hash);
}

async function failure(code: UcanErrorCode, cid: string, detail: string): Promise<VerifyResult> {
  return { ok: false, errors: [ucanError(code, cid, detail)] };
}

function uniqueErrors(errors: UcanError[]): UcanError[] {
  const seen = new Set<string>();
  return errors.filter((error) => !seen.has(error.message) && seen.add(error.message) !== undefined);
}
