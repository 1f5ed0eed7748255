import { sign } from 'node:crypto';
import type { Capabilities, Json } from './capabilities.js';
import { ucanCid } from './cid.js';
import type { KeyPair } from './did-key.js';
import { ED25519_HEADER_SEGMENT } from './parse.js';
import { payloadProblems, UCAN_VERSION, type UcanPayload } from './payload.js';

export interface IssueOptions {
  /** The signer; its DID becomes `iss`. */
  issuer: KeyPair;
  /** DID of the receiver (`aud`). */
  audience: string;
  /** The `cap` map; `{}` delegates nothing. */
  capabilities: Capabilities;
  /** `exp`: Unix seconds, or null for a token that never expires (spec 3.2.3). */
  expiration: number | null;
  /** `nbf`: Unix seconds; omitted means valid from the epoch. */
  notBefore?: number;
  /** `nnc`: makes the token (and its CID) unique, e.g. for a one-time proof of possession. */
  nonce?: string;
  /** `fct`: signed facts. */
  facts?: Record<string, Json>;
  /** `prf`: CIDs of the proofs the capabilities derive from (see `ucanCid`). */
  proofs?: readonly string[];
}

export interface IssuedUcan {
  readonly token: string;
  /** Computed when first read (a hash the caller of a one-time invocation never needs), then kept. */
  readonly cid: string;
}

/**
 * Signs a UCAN 0.10 JWT with the issuer's Ed25519 key. Throws a TypeError naming every problem when
 * the options would make a token `parseUcan` refuses (the same field rules): that is a programming
 * error, not input to recover from.
 */
export function issueUcan(options: IssueOptions): IssuedUcan {
  // Assigned field by field in the spec's order (JSON keeps it): spreading optional fields in
  // cost more than the rest of building the payload.
  const payload: Partial<UcanPayload> = { ucv: UCAN_VERSION, iss: options.issuer.did, aud: options.audience };
  if (options.notBefore !== undefined) payload.nbf = options.notBefore;
  payload.exp = options.expiration;
  if (options.nonce !== undefined) payload.nnc = options.nonce;
  if (options.facts !== undefined) payload.fct = options.facts;
  payload.cap = options.capabilities;
  if (options.proofs !== undefined) payload.prf = [...options.proofs];
  const problems = payloadProblems(payload as Record<string, unknown>);
  if (problems.length > 0) throw new TypeError(`issueUcan: ${problems.map((problem) => problem.detail).join('; ')}`);
  const signingInput = `${ED25519_HEADER_SEGMENT}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  // base64url and a dot: its latin1 bytes are its UTF-8, and the cheaper copy.
  const signature = sign(null, Buffer.from(signingInput, 'latin1'), options.issuer.privateKey).toString('base64url');
  return new IssuedToken(`${signingInput}.${signature}`);
}

/** A class with a lazy `cid`: an object literal with a getter cost V8 microseconds to create. */
class IssuedToken implements IssuedUcan {
  #cid: string | undefined;

  constructor(readonly token: string) {}

  get cid(): string {
    return (this.#cid ??= ucanCid(this.token));
  }
}
