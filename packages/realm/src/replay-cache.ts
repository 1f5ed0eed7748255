export type ReplayVerdict = 'fresh' | 'replayed' | 'full';

/**
 * The nonces of provision UCANs seen while they could still verify. An entry is kept until its
 * token's expiry (plus the clock skew the verifier allows) has passed: after that the token fails
 * verification on its own, so forgetting it cannot let a replay through. The cache never evicts a
 * live entry; when every slot holds one, it answers `full` and the claim is refused (better a
 * retry than a replay).
 */
export class ReplayCache {
  readonly #maxEntries: number;
  /** key → Unix second after which the entry may be forgotten. */
  readonly #entries = new Map<string, number>();

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Records `issuer`'s `nonce` until `forgetAfter` (Unix seconds), unless it is there already. */
  remember(issuer: string, nonce: string, forgetAfter: number, now: number): ReplayVerdict {
    const key = `${issuer} ${nonce}`;
    const known = this.#entries.get(key);
    if (known !== undefined && known >= now) return 'replayed';
    if (known === undefined && this.#entries.size >= this.#maxEntries) {
      this.#forgetExpired(now);
      if (this.#entries.size >= this.#maxEntries) return 'full';
    }
    this.#entries.set(key, forgetAfter);
    return 'fresh';
  }

  /** When the oldest live entry can be forgotten: how long a `full` cache stays full at most. */
  secondsUntilSpace(now: number): number {
    let soonest = Number.POSITIVE_INFINITY;
    for (const forgetAfter of this.#entries.values()) soonest = Math.min(soonest, forgetAfter);
    return Math.max(1, soonest - now + 1);
  }

  #forgetExpired(now: number): void {
    for (const [key, forgetAfter] of this.#entries) if (forgetAfter < now) this.#entries.delete(key);
  }
}
