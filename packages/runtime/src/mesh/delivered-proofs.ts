/** Providers remembered at once: past it, the one least recently called is forgotten (and sent the proofs again). */
export const DELIVERED_PROOFS_MAX_PROVIDERS = 4096;

/**
 * Which credential a caller last sent each provider (by DID) with its proofs: a provider keeps the
 * proofs it verified (its proof cache), so later calls to it name them by CID alone and leave the
 * `Hecate-Proofs` header out. Only a saving, never trusted: a provider that no longer holds them
 * answers `proofs_unknown` and the call is sent again with them. Bounded: at most `maxProviders`
 * entries, the least recently called going first; an entry keeps a reference to the credential
 * string the caller holds anyway, so memory is a map entry per provider.
 */
export class DeliveredProofs {
  readonly maxProviders: number;
  readonly #credentials = new Map<string, string>();

  constructor(maxProviders: number = DELIVERED_PROOFS_MAX_PROVIDERS) {
    if (!Number.isSafeInteger(maxProviders) || maxProviders < 1)
      throw new TypeError(`DeliveredProofs: maxProviders must be a positive integer, got ${String(maxProviders)}`);
    this.maxProviders = maxProviders;
  }

  get size(): number {
    return this.#credentials.size;
  }

  /**
   * Whether a call to `provider` must carry the proofs of `credential` (it was not sent them
   * yet), counting them as sent from now on: before the answer, so a call made meanwhile that
   * leaves them out is answered `proofs_unknown` at worst, and resent.
   */
  mustCarry(provider: string, credential: string): boolean {
    const sent = this.#credentials.get(provider);
    this.#credentials.delete(provider);
    this.#credentials.set(provider, credential);
    if (sent === credential) return false;
    if (this.#credentials.size > this.maxProviders) this.#credentials.delete(this.#credentials.keys().next().value as string);
    return true;
  }
}
