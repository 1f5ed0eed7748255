import { DEFAULT_MAX_TOKEN_BYTES } from './parse.js';
import type { ProofCache } from './proof-cache.js';

/**
 * Where proofs come from, by CID: a map or record (such as the spec's canonical JSON collection,
 * section 7.1), or a lookup function, which may be async; `undefined` means "not found".
 */
export type ProofSource =
  | ReadonlyMap<string, string>
  | Readonly<Record<string, string>>
  | ((cid: string) => string | undefined | Promise<string | undefined>);

/**
 * A DID that owns resources without proof (spec 6.3, "root issuer"): every resource, or only those
 * covered by `resources` (patterns as in `resourceCovers`, such as `hecate://*`).
 */
export type RootIssuer = string | { did: string; resources: readonly string[] };

export interface VerifyOptions {
  /** The trust roots: a capability must be owned by one of them, directly or through proofs. */
  rootIssuers: readonly RootIssuer[];
  /** @default no proofs: a token listing any is valid only for capabilities it owns as a root */
  proofs?: ProofSource;
  /** Decision time in Unix seconds. @default the current time */
  now?: number;
  /** The verifier's DID; the outermost `aud` must be it (spec 6.2.1). @default not checked */
  audience?: string;
  /** Allowed clock drift in seconds on each time bound (spec 3.2.3 recommends 60). @default 60 */
  clockSkewSeconds?: number;
  /** Whether a token (by CID) is revoked (spec 6.6); asked for every token of the chain. @default none is */
  isRevoked?: (cid: string) => boolean | Promise<boolean>;
  /** @default 32768 */
  maxTokenBytes?: number;
  /** How many proofs deep a chain may go below the token. @default 8 */
  maxProofDepth?: number;
  /** How many distinct proofs one verification may resolve. @default 64 */
  maxProofs?: number;
  /**
   * Proofs verified before, reused by CID without their signatures checked again (spec 9.2); it
   * serves only verifications with the rootIssuers and maxTokenBytes of the first. @default none
   */
  proofCache?: ProofCache;
}

export const VERIFY_DEFAULTS = Object.freeze({
  clockSkewSeconds: 60,
  maxTokenBytes: DEFAULT_MAX_TOKEN_BYTES,
  maxProofDepth: 8,
  maxProofs: 64,
}) satisfies Partial<VerifyOptions>;

export interface ResolvedVerifyOptions extends Required<Omit<VerifyOptions, 'proofs' | 'audience' | 'isRevoked' | 'proofCache'>> {
  lookup: (cid: string) => string | undefined | Promise<string | undefined>;
  audience: string | undefined;
  isRevoked: ((cid: string) => boolean | Promise<boolean>) | undefined;
  proofCache: ProofCache | undefined;
}

/** Fills in the defaults; throws a TypeError on options no caller could mean (a programming error). */
export function resolveVerifyOptions(options: VerifyOptions): ResolvedVerifyOptions {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.rootIssuers))
    throw new TypeError('verifyUcan: options.rootIssuers must be an array of DIDs');
  const resolved = {
    ...VERIFY_DEFAULTS,
    rootIssuers: options.rootIssuers,
    now: options.now ?? Math.floor(Date.now() / 1000),
    clockSkewSeconds: options.clockSkewSeconds ?? VERIFY_DEFAULTS.clockSkewSeconds,
    maxTokenBytes: options.maxTokenBytes ?? VERIFY_DEFAULTS.maxTokenBytes,
    maxProofDepth: options.maxProofDepth ?? VERIFY_DEFAULTS.maxProofDepth,
    maxProofs: options.maxProofs ?? VERIFY_DEFAULTS.maxProofs,
    lookup: proofLookup(options.proofs),
    audience: options.audience,
    isRevoked: options.isRevoked,
    proofCache: options.proofCache,
  };
  for (const name of ['now', 'clockSkewSeconds', 'maxTokenBytes', 'maxProofDepth', 'maxProofs'] as const)
    if (!Number.isFinite(resolved[name]) || resolved[name] < 0)
      throw new TypeError(`verifyUcan: options.${name} must be a non-negative number, got ${String(resolved[name])}`);
  resolved.proofCache?.bind(resolved.rootIssuers, resolved.maxTokenBytes);
  return resolved;
}

function proofLookup(source: ProofSource | undefined): ResolvedVerifyOptions['lookup'] {
  if (source === undefined) return () => undefined;
  if (typeof source === 'function') return source;
  if (source instanceof Map) return (cid) => source.get(cid);
  const record = source as Readonly<Record<string, string>>;
  return (cid) => (Object.hasOwn(record, cid) ? record[cid] : undefined);
}
