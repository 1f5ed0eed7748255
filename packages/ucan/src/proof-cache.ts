import type { VerifiedUcan } from './verify.js';

/** Bounds of a ProofCache; both hold at every moment. */
export interface ProofCacheOptions {
  /** Verified proofs kept. @default 4096 */
  maxEntries?: number;
  /** Approximate bytes kept: see `ProofCache.bytes`. @default 8 MiB */
  maxBytes?: number;
}

export const PROOF_CACHE_DEFAULTS = Object.freeze({
  maxEntries: 4096,
  maxBytes: 8 * 1024 * 1024,
}) satisfies Required<ProofCacheOptions>;

/** What one proven capability costs in memory beyond its token's characters: a few small objects. */
const AUTHORITY_ENTRY_BYTES = 256;

/** A verified proof and what reusing it requires of the verification that finds it. */
export interface CachedProof {
  readonly ucan: VerifiedUcan;
  /** How many proofs deep its own chain goes (0: it cites none). */
  readonly height: number;
  /** Every token of its chain, itself included, by CID: each is asked `isRevoked` again on reuse. */
  readonly cids: readonly string[];
  readonly bytes: number;
}

/**
 * Proofs already verified, by CID (UCAN 0.10, 9.2 "memoized validation": aside from revocation,
 * validating a proof is idempotent), so that a chain seen before costs no signature check again.
 * Sound because a proof is found by the CID its child signed, and a CID names exactly one token.
 * Pass one to `verifyUcan` as `proofCache`; it then serves only verifications with the same
 * `rootIssuers` and `maxTokenBytes` as the first (a different set throws a TypeError), since what
 * a proof proves depends on them. On reuse, the proof's time bounds (which enclose its own
 * proofs', spec 6.1) are checked at the new decision time, every token of its chain is asked
 * `isRevoked` (a revoked one evicts the entry and the chain is verified afresh, spec 9.2), and
 * `maxProofDepth` and `maxProofs` still bound the whole chain.
 * Least recently used entries go first once `maxEntries` or `maxBytes` is reached; an expired
 * one is never served and goes when next met.
 */
export class ProofCache {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly #entries = new Map<string, CachedProof>();
  #bytes = 0;
  #profile: string | undefined;
  /** The arguments of the last bind() that matched, so a verifier passing the same ones skips comparing. */
  #boundRoots: unknown;
  #boundMaxTokenBytes: number | undefined;

  constructor(options: ProofCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? PROOF_CACHE_DEFAULTS.maxEntries;
    this.maxBytes = options.maxBytes ?? PROOF_CACHE_DEFAULTS.maxBytes;
    for (const name of ['maxEntries', 'maxBytes'] as const)
      if (!Number.isSafeInteger(this[name]) || this[name] < 0)
        throw new TypeError(`ProofCache: options.${name} must be a non-negative integer, got ${String(this[name])}`);
  }

  /** Proofs held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Approximate memory held: the characters of every token kept, plus 256 bytes per proven capability. */
  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** Ties the cache to the verification rules its entries were proven under; throws if they differ. */
  bind(rootIssuers: readonly unknown[], maxTokenBytes: number): void {
    if (rootIssuers === this.#boundRoots && maxTokenBytes === this.#boundMaxTokenBytes) return;
    const profile = JSON.stringify([rootIssuers, maxTokenBytes]);
    if (this.#profile === undefined) this.#profile = profile;
    else if (this.#profile !== profile)
      throw new TypeError('verifyUcan: this proofCache holds proofs verified with other rootIssuers or maxTokenBytes; give each set its own cache');
    this.#boundRoots = rootIssuers;
    this.#boundMaxTokenBytes = maxTokenBytes;
  }

  /** The proof with this CID if it is held and within its time bounds at `now` (with `skew` seconds). */
  get(cid: string, now: number, skew: number): CachedProof | undefined {
    const entry = this.#entries.get(cid);
    if (entry === undefined) return undefined;
    const { nbf, exp } = entry.ucan.payload;
    if (exp !== null && now - skew > exp) {
      this.delete(cid);
      return undefined;
    }
    if (nbf !== undefined && now + skew < nbf) return undefined;
    this.#entries.delete(cid);
    this.#entries.set(cid, entry);
    return entry;
  }

  /** Keeps a proof verifyUcan accepted, evicting the least recently used beyond the bounds. */
  set(ucan: VerifiedUcan): void {
    const entry = describeProof(ucan);
    if (entry.bytes > this.maxBytes || this.maxEntries === 0) return;
    this.delete(ucan.cid);
    this.#entries.set(ucan.cid, entry);
    this.#bytes += entry.bytes;
    for (const [cid] of this.#entries) {
      if (this.#entries.size <= this.maxEntries && this.#bytes <= this.maxBytes) break;
      this.delete(cid);
    }
  }

  delete(cid: string): void {
    const entry = this.#entries.get(cid);
    if (entry === undefined) return;
    this.#entries.delete(cid);
    this.#bytes -= entry.bytes;
  }
}

function describeProof(ucan: VerifiedUcan): CachedProof {
  // Heights memoized by CID: proofs shared within a chain would otherwise be walked once per path.
  const heights = new Map<string, number>();
  const nodes: VerifiedUcan[] = [];
  const heightOf = (node: VerifiedUcan): number => {
    const known = heights.get(node.cid);
    if (known !== undefined) return known;
    let height = 0;
    for (const proof of node.proofs) height = Math.max(height, 1 + heightOf(proof));
    heights.set(node.cid, height);
    nodes.push(node);
    return height;
  };
  const height = heightOf(ucan);
  let bytes = 0;
  for (const node of nodes) bytes += node.token.length + AUTHORITY_ENTRY_BYTES * node.authority.length;
  return { ucan, height, cids: [...heights.keys()], bytes };
}
