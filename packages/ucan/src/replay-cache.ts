/** Bounds of a ReplayCache. */
export interface ReplayCacheOptions {
  /** Invocations remembered at once. @default 100000 */
  maxEntries?: number;
}

export const REPLAY_CACHE_DEFAULTS = Object.freeze({ maxEntries: 100_000 }) satisfies Required<ReplayCacheOptions>;

export type ClaimResult = 'claimed' | 'replayed' | 'full';

/**
 * The invocations a receiver has accepted, by CID, each until it expires (UCAN 0.10, 6.2.2 and
 * 9.3: an invocation is accepted once; "a set of previously seen CIDs" with an index by expiry
 * for collection). Entries are grouped by their expiry second, so forgetting the expired ones
 * walks seconds, not entries. When `maxEntries` unexpired invocations are held, a new one is
 * refused (`full`) rather than an old one forgotten: forgetting would let it be replayed.
 * Memory: roughly 150 bytes per entry (a 59-character CID and its place in two maps).
 */
export class ReplayCache {
  readonly maxEntries: number;
  readonly #expiries = new Map<string, number>();
  readonly #bySecond = new Map<number, Set<string>>();
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(options: ReplayCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? REPLAY_CACHE_DEFAULTS.maxEntries;
    if (!Number.isSafeInteger(this.maxEntries) || this.maxEntries < 1)
      throw new TypeError(`ReplayCache: options.maxEntries must be a positive integer, got ${String(this.maxEntries)}`);
  }

  get size(): number {
    return this.#expiries.size;
  }

  /**
   * Claims `cid`, valid until `expiresAt` (Unix seconds; kept while `now - skew` has not passed
   * it), as seen once: `claimed` the first time, `replayed` while it is held, `full` when the
   * cache holds `maxEntries` unexpired invocations. Synchronous, so that two copies of one token
   * arriving together cannot both be claimed.
   */
  claim(cid: string, expiresAt: number, now: number, skew: number): ClaimResult {
    this.#forgetExpired(now - skew);
    if (this.#expiries.has(cid)) return 'replayed';
    if (this.#expiries.size >= this.maxEntries) return 'full';
    this.#expiries.set(cid, expiresAt);
    const second = this.#bySecond.get(expiresAt);
    if (second === undefined) this.#bySecond.set(expiresAt, new Set([cid]));
    else second.add(cid);
    return 'claimed';
  }

  /** Forgets a claim whose invocation was then refused: it was never accepted, so it is no replay. */
  release(cid: string): void {
    const expiresAt = this.#expiries.get(cid);
    if (expiresAt === undefined) return;
    this.#expiries.delete(cid);
    const second = this.#bySecond.get(expiresAt);
    second?.delete(cid);
    if (second?.size === 0) this.#bySecond.delete(expiresAt);
  }

  /** Drops every entry that expired before `horizon`, at most once per second of decision time. */
  #forgetExpired(horizon: number): void {
    if (horizon < this.#sweptAt + 1 && this.#expiries.size < this.maxEntries) return;
    this.#sweptAt = horizon;
    for (const [second, cids] of this.#bySecond) {
      if (second >= horizon) continue;
      for (const cid of cids) this.#expiries.delete(cid);
      this.#bySecond.delete(second);
    }
  }
}
